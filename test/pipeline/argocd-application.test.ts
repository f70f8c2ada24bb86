import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import {
  ArgoCdApplication, AsyaCrew, AsyncActor, AsyncModel, AsyncPipeline, AsyncPipelineProps, ModelSource, OpenAIModel, ResultStorage, Transport,
  VolcanoQueue,
} from '../../src';
import { one, synthValid } from '../util';

const rabbit = Transport.rabbitmq({ brokerNamespace: 'asya-system', managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672' });
const BASE = { transport: rabbit, image: 'ghcr.io/acme/steps:2.0.0', resources: { cpu: { limit: '500m' }, memory: { limit: '256Mi' } } };
const RESOURCES = { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } };

function scene(props: AsyncPipelineProps = {}) {
  const app: App = Testing.app();
  new AsyaCrew(new Chart(app, 'system', { namespace: 'asya-system' }), 'crew', { transport: rabbit, storage: ResultStorage.none() });
  const p = new AsyncPipeline(app, 'rag', { namespace: 'rag', ...props });
  p.addRoute('main', [new AsyncActor(p, 'main', { ...BASE, handler: 'steps.main', name: 'rag-main' })]);
  const gitops = new Chart(app, 'gitops');
  return { app, p, gitops };
}

function llm(scope: Chart, id: string = 'llm'): OpenAIModel {
  return new OpenAIModel(scope, id, { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: RESOURCES });
}

describe('ArgoCdApplication: run-time ownership (GIT-4, GIT-5)', () => {
  // KEDA's HPA writes spec.replicas of the scale target; Argo CD ignores exactly the fields listed in
  // ignoreDifferences for the objects matched by group/kind/name/namespace
  // (argoproj/argo-cd pkg/apis/application/v1alpha1/types.go ResourceIgnoreDifferences, controller/sync.go:236-247 @ v3.5.1).
  test('ignoreDifferences: one entry per KEDA-scaled object of the synced file, by name and namespace', () => {
    const { p, gitops } = scene({ argoSyncWaves: true });
    const scaled = llm(p, 'llm');
    llm(p, 'other'); // not bound: its replicas stay in Git and are not ignored
    p.addRoute('ask', [new AsyncModel(p, 'rag-ask', { backend: scaled, transport: rabbit })]);
    new ArgoCdApplication(gitops, 'app', { pipeline: p, repoUrl: 'https://github.com/acme/platform.git' });
    const application = one(synthValid(gitops), 'Application', 'rag');
    expect(application.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'llm', namespace: 'rag', jsonPointers: ['/spec/replicas'] },
    ]);
    const manifests = synthValid(p);
    expect(one(manifests, 'Deployment', 'llm').spec.replicas).toBeUndefined();
    expect(one(manifests, 'Deployment', 'other').spec.replicas).toBe(1);
  });

  test('a model synced by another chart is not listed (its Application ignores it)', () => {
    const { app, p, gitops } = scene();
    const models = new Chart(app, 'models', { namespace: 'models' });
    p.addRoute('ask', [new AsyncModel(p, 'rag-ask', { backend: llm(models), transport: rabbit })]);
    new ArgoCdApplication(gitops, 'app', { pipeline: p, repoUrl: 'https://github.com/acme/platform.git' });
    expect(one(synthValid(gitops), 'Application').spec.ignoreDifferences).toBeUndefined();
  });

  // The Asya operator writes the actor Deployment's replicas only when scaling is disabled; with scaling
  // on, the HPA owns them (deliveryhero/asya src/asya-operator/internal/controller/asya_controller.go:1033-1041 @ v0.1.1).
  test('AsyncActor: workload.replicas only when scaling is disabled (PIP-3)', () => {
    const { p } = scene();
    new AsyncActor(p, 'scaled', { ...BASE, handler: 'steps.a', name: 'rag-scaled', scaling: { minReplicas: 2 } });
    new AsyncActor(p, 'fixed', { ...BASE, handler: 'steps.b', name: 'rag-fixed', scaling: { enabled: false }, replicas: 3 });
    const manifests = synthValid(p);
    expect(one(manifests, 'AsyncActor', 'rag-scaled').spec.workload.replicas).toBeUndefined();
    expect(one(manifests, 'AsyncActor', 'rag-scaled').spec.scaling).toMatchObject({ enabled: true, minReplicas: 2 });
    expect(one(manifests, 'AsyncActor', 'rag-fixed').spec.workload.replicas).toBe(3);
  });
});

describe('ArgoCdApplication: options (GIT-7)', () => {
  test('retry, resources finalizer, SkipDryRunOnMissingResource, include', () => {
    const { p, gitops } = scene();
    new ArgoCdApplication(gitops, 'app', {
      pipeline: p,
      repoUrl: 'git@github.com:acme/platform.git',
      retry: { limit: 10, backoffDuration: Duration.seconds(10), backoffFactor: 3, maxBackoffDuration: Duration.minutes(10) },
      resourcesFinalizer: true,
      skipDryRunOnMissingResource: true,
      include: '*-rag.k8s.yaml',
      automated: false,
    });
    const application = one(synthValid(gitops), 'Application');
    expect(application).toMatchSnapshot();
    expect(application.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(application.spec.source.directory).toEqual({ include: '*-rag.k8s.yaml' });
    expect(application.spec.syncPolicy).toEqual({
      syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'SkipDryRunOnMissingResource=true'],
      retry: { limit: 10, backoff: { duration: '10s', factor: 3, maxDuration: '600s' } },
    });
  });

  test('retry limit 0 disables retries', () => {
    const { p, gitops } = scene();
    new ArgoCdApplication(gitops, 'app', { pipeline: p, repoUrl: 'https://x/y.git', retry: { limit: 0 } });
    expect(one(synthValid(gitops), 'Application').spec.syncPolicy.retry).toBeUndefined();
  });

  test.each<[string, any, string]>([
    ['a negative retry limit', { retry: { limit: -1 } }, 'gitops/app: retry.limit (-1) must be a whole number of at least 0 (0 disables retries)'],
    ['a max backoff below the backoff', { retry: { backoffDuration: Duration.minutes(5), maxBackoffDuration: Duration.minutes(1) } },
      'gitops/app: retry.maxBackoffDuration ("60s") must be at least retry.backoffDuration (300s)'],
    ['a zero backoff factor', { retry: { backoffFactor: 0 } }, 'gitops/app: retry.backoffFactor (0) must be a whole number of at least 1'],
    ['an include with a directory', { include: 'sub/rag.k8s.yaml' }, 'gitops/app: include ("sub/rag.k8s.yaml") must be a file name or glob inside path (no "/")'],
  ])('rejects %s', (_t, props, message) => {
    const { p, gitops } = scene();
    expect(() => new ArgoCdApplication(gitops, 'app', { pipeline: p, repoUrl: 'https://x/y.git', ...props })).toThrow(message);
  });
});

describe('AsyncPipeline: sync waves', () => {
  // GIT-1: the operator creates asya-<actor> with the AsyncActor (deliveryhero/asya
  // src/asya-operator/internal/transports/rabbitmq.go:52-207 @ v0.1.1); a ScaledObject applied earlier is
  // not Ready (kedacore/keda pkg/scaling/executor/scale_scaledobjects.go:93-96 @ v2.20.2), Degraded for
  // Argo CD (argoproj/argo-cd resource_customizations/keda.sh/ScaledObject/health.lua @ v3.5.1).
  test('the model ScaledObject comes after the actors; its TriggerAuthentication before it', () => {
    const { p } = scene({ argoSyncWaves: true });
    p.addRoute('ask', [new AsyncModel(p, 'rag-ask', { backend: llm(p), transport: rabbit })]);
    const manifests = synthValid(p);
    const wave = (kind: string, name?: string) => one(manifests, kind, name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect([wave('TriggerAuthentication'), wave('Deployment'), wave('AsyncActor', 'rag-ask'), wave('ScaledObject')]).toEqual(['-1', '0', '1', '2']);
  });

  // GIT-3: a Job holds a waved sync while it runs (argoproj/argo-cd gitops-engine/pkg/health/health_job.go:35-71 @ v3.5.1).
  test('run-once jobs take the last wave', () => {
    const { p } = scene({ argoSyncWaves: true });
    new ApiObject(p, 'migrate', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'ghcr.io/acme/migrate:1.0.0' }] } } },
    });
    const waves = synthValid(p).map((m) => Number(m.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0));
    expect(one(synthValid(p), 'Job', 'migrate').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
    expect(Math.max(...waves)).toBe(3);
  });

  // VOL-2: Volcano rejects a child queue whose parent does not exist (volcano-sh/volcano
  // pkg/webhooks/admission/queues/validate/validate_queue.go:373-390 @ v1.15.1): parents first.
  test('Volcano queues: parents in earlier waves than their children', () => {
    const { p } = scene({ argoSyncWaves: true });
    new VolcanoQueue(p, 'research', { capability: { cpu: '64' } });
    new VolcanoQueue(p, 'team-a', { parent: 'research' });
    new VolcanoQueue(p, 'team-a-batch', { parent: 'team-a' });
    new VolcanoQueue(p, 'other', { parent: 'outside' }); // parent outside the chart: counts as existing
    const waves = Object.fromEntries(synthValid(p).filter((m) => m.kind === 'Queue')
      .map((m) => [m.metadata.name, m.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({ 'research': '-3', 'team-a': '-2', 'team-a-batch': '-1', 'other': '-3' });
  });
});
