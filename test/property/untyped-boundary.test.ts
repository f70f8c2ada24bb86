/**
 * Untyped inputs at the boundary (issue 17 items 1 and 5): for each construct, one prop at a time (any of
 * its props) takes a wrong type, a boundary, a unicode or a duplicate value, as a plain JavaScript or jsii
 * caller can pass. Every input gives a PropError, or objects the shipped schema validator and the policy
 * accept. Budget: FC_RUNS runs per construct (CI: CDK8S_ASYA_FC_RUNS).
 *
 * Resources are checked like any other prop: every container the library renders must set cpu and memory
 * limits (ASYA-RES-001), so `resources: {}` or a resources object without them is a PropError. The only
 * opt-out is an explicit `allowNoLimits: true` inside the resources object, which the policy flags by design
 * (like `networkPolicy: false`); the untyped values below never produce it (`true` alone is not a resources
 * object), so no resources prop is exempt from the policy half.
 */
import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import * as fc from 'fast-check';
import { addCrew, freshChart, synthApp, transport } from './arbitraries';
import {
  ArgoCdApplication, AsyaCrew, AsyncActor, AsyncModel, AsyncPipeline, BentoModel, ClusterQueue, FluxKustomization, JobLauncher, KaitoModel,
  KServeModel, KueueJob,
  LlmdModel, LocalQueue, ModelSource, MosecModel, OpenAIModel, RayServeModel, ResourceFlavor, ResultStorage, SeldonModel, TritonModel, TritonModelRepository,
  VolcanoTrainingJob, WorkloadPriorityClass,
} from '../../src';
import { PropError } from '../../src/core/errors';
import { Policy } from '../../src/validation';
import { LLMD_GATEWAY } from '../util';

const untyped = fc.oneof(
  fc.constantFrom(undefined, null, 0, -1, 1, 2 ** 31, 1.5, NaN, '', ' ', '9a', 'ünï', 'x'.repeat(70), 'false', true, false,
    [], [''], [1], [null], ['a', 'a'], {}, { a: 1 }, { a: ['x'] }),
  fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
);

const CPU = { cpu: { request: '500m', limit: '1' }, memory: { request: '512Mi', limit: '1Gi' } };
const GPU = { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } };

/** PropError, or output that the schema validator and (unless `skipPolicy`) the policy's error rules accept. */
function propErrorOrClean(app: App, build: () => unknown, skipPolicy: boolean): void {
  try {
    build();
  } catch (e) {
    if (e instanceof PropError) return;
    throw e;
  }
  const { manifests, issues } = synthApp(app);
  expect(issues).toEqual([]);
  if (skipPolicy) return;
  const findings = Policy.checkObjects(manifests).filter((f) => f.level === 'error' && !f.suppressed);
  expect(findings.map((f) => `${f.ruleId} ${f.object} ${f.path}: ${f.message}`)).toEqual([]);
}

const POD = ['volumes', 'sidecars', 'initContainers', 'nodeSelector', 'tolerations', 'serviceAccountName', 'priorityClassName', 'imagePullSecrets',
  'podLabels', 'podAnnotations', 'security'];
const SERVER = ['name', 'resources', 'image', 'allowUnpinnedImage', 'imagePullPolicy', 'env', 'volumeMounts', 'replicas', 'sharedMemorySize', 'startupTimeout', 'labels'];
const words = (s: string) => s.split(' ');

const BACKENDS: Array<[string, (c: Chart, x: any) => unknown, string[]]> = [
  ['OpenAIModel', (c, x) => new OpenAIModel(c, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: CPU, ...x }),
    [...POD, ...SERVER, ...words('args cacheSizeLimit huggingFaceToken loaderResources model port protocol servedModelName server serverArgs tensorParallelSize')]],
  ['KServeModel', (c, x) => new KServeModel(c, 'ks', { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/iris', resources: CPU, ...x }),
    words('args autoscalerClass env image labels maxReplicas minReplicas modelFormat modelName name nodeSelector openAIProtocol priorityClassName '
      + 'protocolVersion resources runtime security serviceAccountName storageUri tolerations')],
  ['LlmdModel', (c, x) => new LlmdModel(c, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'),
    resources: GPU,
    ...LLMD_GATEWAY,
    ...x,
  }), [...POD, ...SERVER, ...words('cacheSizeLimit eppArgs eppFailureMode eppImage eppReplicas eppResources gateway gatewayPodSelector gatewayPort '
    + 'gatewayUrl huggingFaceToken loaderResources model provider routeTimeout servedModelName serverArgs tensorParallelSize')]],
  ['KaitoModel', (c, x) => new KaitoModel(c, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', ...x }),
    words('adapters bringYourOwnNodes count disableBenchmark image imagePullSecrets instanceType labelSelector labels localWeights modelAccessSecret '
      + 'name nodeCountLimit preferredNodes preset presetImage presetImagePullSecrets replicas runtime scalable')],
  ['RayServeModel', (c, x) => new RayServeModel(c, 'ray', {
    image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'app', importPath: 'serve_app:app' }], head: { resources: CPU }, ...x,
  }), words('allowUnpinnedImage applications env head image kubeRayOperatorNamespace labels name rayVersion requestTimeoutSeconds routePrefix '
    + 'servedApplication sharedMemorySize workerGroups autoscaling enableInTreeAutoscaling')],
  ['SeldonModel', (c, x) => new SeldonModel(c, 'iris', { storageUri: 'gs://seldon-models/iris', requirements: ['sklearn'], ...x }),
    words('externalScaling labels maxReplicas memory minReplicas name replicas requirements seldonMeshNamespace server serverReplicas storageUri')],
  ['BentoModel', (c, x) => new BentoModel(c, 'bento', { bento: 'summarizer', apiMethod: 'summarize', resources: CPU, ...x }),
    words('apiMethod autoscaling bento env labels maxReplicas minReplicas name nodeSelector resources serviceAccountName tolerations')],
  ['MosecModel', (c, x) => new MosecModel(c, 'mosec', { image: 'ghcr.io/acme/mosec-app:1.0.0', resources: CPU, ...x }),
    [...POD, ...words('allowUnpinnedImage env image imagePullPolicy labels name readinessProbe replicas resources route script serverArgs startupTimeout timeout volumeMounts')]],
  ['TritonModel', (c, x) => new TritonModel(c, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: CPU, ...x }),
    [...POD, ...SERVER, 'modelName', 'repository', 'serverArgs']],
];

describe.each(BACKENDS)('%s: any prop untyped', (_name, build, props) => {
  test('PropError or clean output', () => {
    fc.assert(fc.property(fc.constantFrom(...new Set(props)), untyped, (prop, value) => {
      const { app, chart } = freshChart();
      propErrorOrClean(app, () => build(chart, { [prop]: value }), false);
    }));
  });
});

const llm = (c: Chart) => new OpenAIModel(c, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: CPU });
const actor = { transport, image: 'ghcr.io/acme/steps:1.0.0', handler: 'steps.run', resources: CPU };

const STEPS: Array<[string, (c: Chart, x: any) => unknown, string[]]> = [
  ['AsyncModel', (c, x) => new AsyncModel(c, 'model', { backend: llm(c), transport, ...x }),
    words('backend transport name modelScaling bridgeScaling requestTimeout maxRetries unavailableRetryWindow outputKey passThroughKeys output bridgeImage '
      + 'bridgeResources networkPolicy allowModelIngressFromNamespaces modelIngressFlows bridgeEgressFlows runtimeLogLevel')],
  ['AsyncModel modelScaling', (c, x) => new AsyncModel(c, 'model', { backend: llm(c), transport, modelScaling: x }),
    words('enabled minReplicas maxReplicas queueLength pollingInterval cooldownPeriod')],
  ['JobLauncher', (c, x) => new JobLauncher(c, 'launcher', {
    job: new VolcanoTrainingJob(c, 'train', { tasks: [{ name: 'worker', image: 'ghcr.io/acme/trainer:1.4.0', replicas: 2, resources: CPU }] }), transport, ...x,
  }), words('job transport name parameters image resources scaling requestTimeout maxRetries apiServerCidrs')],
  ['AsyaCrew', (c, x) => new AsyaCrew(c, 'crew', { transport, storage: ResultStorage.none(), ...x }),
    words('transport storage gatewayUrl image resources scaling sidecar egress egressFlows serviceAccountName metricsScrapeNamespaces networkPolicy dns')],
];

const RG = { coveredResources: ['cpu', 'memory'], flavors: [{ flavor: 'default-flavor', nominalQuota: { memory: '36Gi', cpu: '9' } }] };
const KUEUE: Array<[string, (c: Chart, x: any) => unknown, string[]]> = [
  ['ClusterQueue', (c, x) => new ClusterQueue(c, 'cq', { resourceGroups: [RG], ...x }),
    words('cohortName fairSharing labels name namespaceSelector preemption queueingStrategy resourceGroups')],
  ['ClusterQueue resource group', (c, x) => new ClusterQueue(c, 'cq', { resourceGroups: [{ ...RG, ...x }] }), ['coveredResources', 'flavors']],
  ['ClusterQueue flavor quota', (c, x) => new ClusterQueue(c, 'cq', { resourceGroups: [{ ...RG, flavors: [{ ...RG.flavors[0], ...x }] }] }),
    ['flavor', 'nominalQuota', 'borrowingLimit', 'lendingLimit']],
  ['KueueJob', (c, x) => new KueueJob(c, 'job', { localQueue: 'q', image: 'ghcr.io/acme/trainer:1.4.0', resources: CPU, ...x }),
    words('activeDeadlineSeconds backoffLimit completions containerName labels localQueue name parallelism priorityClass restartPolicy ttlSecondsAfterFinished '
      + 'image args command env resources')],
  ['LocalQueue', (c, x) => new LocalQueue(c, 'q', { clusterQueue: 'cq', ...x }), words('acknowledgePyTorchJobIntegration clusterQueue labels name priorityClass')],
  ['ResourceFlavor', (c, x) => new ResourceFlavor(c, 'f', { ...x }), words('name nodeLabels nodeTaints tolerations topologyName')],
  ['WorkloadPriorityClass', (c, x) => new WorkloadPriorityClass(c, 'high', { value: 10, ...x }), ['description', 'name', 'value']],
];

describe.each([...STEPS, ...KUEUE])('%s: any prop untyped', (_name, build, props) => {
  test('PropError or clean output', () => {
    fc.assert(fc.property(fc.constantFrom(...props), untyped, (prop, value) => {
      const { app, chart } = freshChart();
      // networkPolicy: false is an explicit opt-out that the policy flags by design (ASYA-NET-001).
      propErrorOrClean(app, () => build(chart, { [prop]: value }), prop === 'networkPolicy' && value === false);
    }));
  });
});

/** A pipeline app (one actor, one route) whose pipeline, Argo CD Application and Flux Kustomization take `x`. */
function gitops(target: 'pipeline' | 'argo' | 'flux', x: any): { app: App; build: () => unknown } {
  const app = new App({ outdir: Testing.app().outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
  addCrew(app);
  const build = () => {
    const p = new AsyncPipeline(app, 'rag', { namespace: 'rag', ...(target === 'pipeline' ? x : {}) });
    p.addRoute('ask', [new AsyncActor(p, 'embed', actor)]);
    const chart = new Chart(app, 'gitops');
    if (target === 'argo') new ArgoCdApplication(chart, 'argo', { pipeline: p, repoUrl: 'https://github.com/acme/platform.git', ...x });
    if (target === 'flux') new FluxKustomization(chart, 'flux', { pipeline: p, sourceName: 'platform', ...x });
  };
  return { app, build };
}

const GITOPS: Array<['pipeline' | 'argo' | 'flux', string[]]> = [
  ['pipeline', words('name routes dynamicSteps crossNamespaceGrants existingCrew tools gatewayNamespace monitorLabels monitoringNamespace podMonitor kedaNamespace argoSyncWaves')],
  ['argo', words('pipeline repoUrl path targetRevision name argoNamespace project destinationServer automated retry resourcesFinalizer skipDryRunOnMissingResource include')],
  ['flux', words('pipeline sourceName sourceKind sourceNamespace path name fluxNamespace interval retryInterval timeout prune wait dependsOn serviceAccountName')],
];

describe.each(GITOPS)('%s: any prop untyped', (target, props) => {
  test('PropError or clean output', () => {
    fc.assert(fc.property(fc.constantFrom(...props), untyped, (prop, value) => {
      const { app, build } = gitops(target, { [prop]: value });
      propErrorOrClean(app, build, false);
    }));
  });
});
