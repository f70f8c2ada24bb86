import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import {
  AsyaCrew, AsyncModel, AsyncPipeline, Chain, FluxKustomization, FluxSourceKind, ModelSource, OpenAIModel, ResultStorage, Transport,
} from '../../src';
import { one, synthValid } from '../util';

const rabbit = Transport.rabbitmq({ managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672', brokerNamespace: 'asya-system' });

function app(yamlOutputType: YamlOutputType = YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE): { app: App; gitops: Chart; system: Chart; p: AsyncPipeline } {
  const a = new App({ outdir: Testing.app().outdir, yamlOutputType });
  const system = new Chart(a, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport: rabbit, storage: ResultStorage.none() });
  const p = new AsyncPipeline(a, 'rag', { namespace: 'rag' });
  const llm = new OpenAIModel(p, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } } });
  const answer = new AsyncModel(p, 'rag-answer', { backend: llm, transport: rabbit });
  p.addRoute('ask', Chain.start(answer).steps);
  const gitops = new Chart(a, 'gitops');
  return { app: a, gitops, system, p };
}

describe('FluxKustomization', () => {
  test('applies one pipeline folder from a GitRepository, server-side, with drift rules for the KEDA-owned replicas', () => {
    const { gitops, p } = app();
    const k = new FluxKustomization(gitops, 'rag-sync', { pipeline: p, sourceName: 'platform' });
    const manifests = synthValid(gitops);
    expect(manifests).toMatchSnapshot();
    const ks = one(manifests, 'Kustomization', 'rag');
    expect(k.name).toBe('rag');
    expect(ks.metadata.namespace).toBe('flux-system');
    expect(ks.spec).toMatchObject({
      sourceRef: { kind: 'GitRepository', name: 'platform' },
      path: './dist/rag',
      prune: true,
      wait: false,
      interval: '10m',
      retryInterval: '2m',
    });
    // Drift detection ignores exactly the fields KEDA's HPA owns, on exactly the scaled Deployment
    // (fluxcd/kustomize-controller internal/controller/kustomization_controller.go DriftIgnoreRules @ v1.9.4).
    expect(ks.spec.ignore).toEqual([
      { paths: ['/spec/replicas'], target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'llm', namespace: 'rag' } },
    ]);
  });

  test('dependsOn, source kind and namespace, other options', () => {
    const { gitops, system, p } = app();
    const sys = new FluxKustomization(gitops, 'system-sync', { pipeline: p, sourceName: 'platform', name: 'asya-system', path: './dist/asya-system' });
    new FluxKustomization(gitops, 'rag-sync', {
      pipeline: p,
      sourceName: 'pipelines',
      sourceKind: FluxSourceKind.OCI_REPOSITORY,
      sourceNamespace: 'flux-sources',
      dependsOn: [sys],
      wait: true,
      prune: false,
      interval: '1h',
      timeout: '10m',
      serviceAccountName: 'rag-deployer',
    });
    expect(system.node.id).toBe('asya-system');
    const ks = one(synthValid(gitops), 'Kustomization', 'rag');
    expect(ks.spec).toMatchObject({
      sourceRef: { kind: 'OCIRepository', name: 'pipelines', namespace: 'flux-sources' },
      dependsOn: [{ name: 'asya-system' }],
      wait: true,
      prune: false,
      interval: '1h',
      timeout: '10m',
      serviceAccountName: 'rag-deployer',
    });
  });

  test('the default path needs one folder per chart: Flux applies every manifest under path', () => {
    const { gitops, p } = app(YamlOutputType.FILE_PER_CHART);
    expect(() => new FluxKustomization(gitops, 'k', { pipeline: p, sourceName: 'platform' })).toThrow(
      'gitops/k: path (unset) cannot default to ./dist/rag: the app writes one file per chart into one folder (yamlOutputType FILE_PER_CHART), and Flux applies every manifest under path. ' +
      'Create the App with yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, or set path to a folder holding only this pipeline\'s YAML');
    expect(() => new FluxKustomization(gitops, 'ok', { pipeline: p, sourceName: 'platform', path: 'clusters/prod/rag' })).not.toThrow();
  });

  test('bad props fail with the field and the rule', () => {
    const { gitops, p } = app();
    expect(() => new FluxKustomization(gitops, 'a', { pipeline: {} as any, sourceName: 'x' })).toThrow('gitops/a: pipeline ({}) must be an AsyncPipeline');
    expect(() => new FluxKustomization(gitops, 'b', { pipeline: p, sourceName: 'Platform Repo' })).toThrow(
      'gitops/b: sourceName ("Platform Repo") must be the name of a Flux source object (a DNS-1123 subdomain)');
    expect(() => new FluxKustomization(gitops, 'c', { pipeline: p, sourceName: 'x', interval: '10 minutes' })).toThrow(
      'gitops/c: interval ("10 minutes") must be a Go duration such as 30s, 10m or 1h (kustomize-controller CRD pattern)');
    expect(() => new FluxKustomization(gitops, 'd', { pipeline: p, sourceName: 'x', path: '../other' })).toThrow('gitops/d: path ("../other") must be a relative path inside the source');
    expect(() => new FluxKustomization(gitops, 'e', { pipeline: p, sourceName: 'x', prune: 'false' as any })).toThrow('gitops/e: prune ("false") must be true or false');
    expect(() => new FluxKustomization(gitops, 'f', { pipeline: p, sourceName: 'x', sourceKind: 'HelmRepository' as any })).toThrow(
      'gitops/f: sourceKind ("HelmRepository") must be one of GitRepository, OCIRepository, Bucket');
    expect(() => new FluxKustomization(gitops, 'g', { pipeline: p, sourceName: 'x', dependsOn: ['asya-system' as any] })).toThrow(
      'gitops/g: dependsOn[0] ("asya-system") must be a FluxKustomization');
  });
});
