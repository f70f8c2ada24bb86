import { Chart } from 'cdk8s';
import {
  AsyaCrew, AsyncActor, AsyncModel, BentoModel, JobLauncher, KServeModel, LlmdModel, ModelSource, OpenAIModel, OpenAIServer, RayServeModel,
  ResourceRequirements, ResultStorage, TrainingRuntimeRef, TrainJob, Transport, TritonModel, TritonModelRepository, VolcanoTrainingJob,
} from '../../src';
import { Policy } from '../../src/validation';
import { LLMD_GATEWAY, one, SMALL_RESOURCES, synthValid, testChart } from '../util';

/**
 * Issue 17 (remnant): no accepted input synthesizes a container the shipped policy's ASYA-RES-001 rejects.
 * Every container the library renders into a pod template the policy reads must set cpu and memory limits;
 * the only opt-out is an explicit `allowNoLimits: true`, which the policy still reports unless suppressed.
 */
const RULE = '(policy ASYA-RES-001: a container without limits can starve its node\'s neighbours; requests default to the limits), '
  + 'or allowNoLimits: true to opt out explicitly';
const IMAGE = 'ghcr.io/acme/steps:1.0.0';
const transport = Transport.rabbitmq();
const CPU_ONLY = { cpu: { limit: '1' } };
const NO_LIMITS: ResourceRequirements = { cpu: { request: '100m' }, memory: { request: '128Mi' }, allowNoLimits: true };

function message(path: string, field: string, value: string, container: string): string {
  return `${path}: ${field} (${value}) must set cpu.limit and memory.limit of container "${container}" ${RULE}`;
}

/** The unsuppressed and suppressed ASYA-RES-001 findings of a chart's objects. */
function resFindings(chart: Chart): { open: string[]; suppressed: string[] } {
  const findings = Policy.checkObjects(synthValid(chart)).filter((f) => f.ruleId === 'ASYA-RES-001');
  const show = (f: { object: string; path: string }) => `${f.object} ${f.path}`;
  return { open: findings.filter((f) => !f.suppressed).map(show), suppressed: findings.filter((f) => f.suppressed).map(show) };
}

/** [construct, its id, build with the resources under test, the field, the container] */
const builders: Array<[string, string, (c: Chart, r: any) => unknown, string, string]> = [
  ['AsyncActor', 'step', (c, r) => new AsyncActor(c, 'step', { transport, handler: 'steps.run', image: IMAGE, resources: r }), 'resources', 'asya-runtime'],
  ['AsyncActor sidecar', 'step', (c, r) => new AsyncActor(c, 'step', {
    transport, handler: 'steps.run', image: IMAGE, resources: SMALL_RESOURCES, sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.4', resources: r }],
  }), 'sidecars[0].resources', 'log-shipper'],
  ['AsyncActor init container', 'step', (c, r) => new AsyncActor(c, 'step', {
    transport, handler: 'steps.run', image: IMAGE, resources: SMALL_RESOURCES, initContainers: [{ name: 'warmup', image: 'busybox:1.36.1', resources: r }],
  }), 'initContainers[0].resources', 'warmup'],
  ['OpenAIModel', 'llm', (c, r) => new OpenAIModel(c, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: r }), 'resources', 'server'],
  ['KServeModel', 'ks', (c, r) => new KServeModel(c, 'ks', { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/iris', resources: r }), 'resources', 'model'],
  ['RayServeModel head', 'ray', (c, r) => new RayServeModel(c, 'ray', {
    image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'app', importPath: 'serve_app:app' }], head: { resources: r },
  }), 'head.resources', 'ray-head'],
  ['AsyncModel bridgeResources', 'model', (c, r) => new AsyncModel(c, 'model', {
    backend: new OpenAIModel(c, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: SMALL_RESOURCES }),
    transport,
    bridgeResources: r,
  }), 'bridgeResources', 'asya-runtime'],
  ['VolcanoTrainingJob task', 'train', (c, r) => new VolcanoTrainingJob(c, 'train', {
    tasks: [{ name: 'master', image: IMAGE, resources: SMALL_RESOURCES }, { name: 'worker', image: IMAGE, resources: r }],
  }), 'tasks[1].resources', 'worker'],
];

describe.each(builders)('%s', (name, id, build, field, container) => {
  const path = `test/${id}`;

  test('without limits: the PropError names the field, the value and the rule', () => {
    // AsyncModel's bridge has default limits: leaving bridgeResources out is fine, an object without limits is not.
    const unset = name.startsWith('AsyncModel') ? {} : undefined;
    expect(() => build(testChart(), unset)).toThrow(message(path, field, unset === undefined ? 'unset' : '{}', container));
  });

  test('with a cpu limit only: refused the same way', () => {
    expect(() => build(testChart(), CPU_ONLY)).toThrow(message(path, field, '{"cpu":{"limit":"1"}}', container));
  });

  test('allowNoLimits: true is accepted; the policy reports ASYA-RES-001 until the object is suppressed with a reason', () => {
    const chart = testChart();
    const construct = build(chart, NO_LIMITS) as any;
    const { open } = resFindings(chart);
    expect(open.length).toBe(1);
    const target = construct instanceof AsyncModel ? construct.bridge : construct;
    Policy.suppress(target, 'ASYA-RES-001', 'a bursty batch container, capped by the namespace LimitRange');
    const after = resFindings(chart);
    expect(after.open).toEqual([]);
    expect(after.suppressed).toEqual(open);
  });

  test('allowNoLimits as the string "true" is refused (a boolean only)', () => {
    expect(() => build(testChart(), { allowNoLimits: 'true' })).toThrow(
      `${path}: ${field}.allowNoLimits ("true") must be true or false (a boolean, not a string or number)`);
  });
});

describe('containers the library adds name the prop that sizes them', () => {
  const hf = ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main');
  const llmd = (x: any) => new LlmdModel(testChart(), 'llmd', {
    model: hf,
    resources: SMALL_RESOURCES,
    ...LLMD_GATEWAY,
    ...x,
  });
  const cpuOnly = '{"cpu":{"limit":"1"}}';

  test.each([
    ['OpenAIModel loaderResources (OCI image)', () => new OpenAIModel(testChart(), 'llm', {
      model: ModelSource.ociImage('ghcr.io/acme/weights:1.0.0'), resources: SMALL_RESOURCES, loaderResources: CPU_ONLY,
    }), message('test/llm', 'loaderResources', cpuOnly, 'model-loader')],
    ['OpenAIModel loaderResources (Ollama)', () => new OpenAIModel(testChart(), 'llm', {
      server: OpenAIServer.OLLAMA, model: ModelSource.ollama('llama3.2:1b'), resources: SMALL_RESOURCES, loaderResources: CPU_ONLY,
    }), message('test/llm', 'loaderResources', cpuOnly, 'model-puller')],
    ['LlmdModel eppResources', () => llmd({ eppResources: CPU_ONLY }), message('test/llmd', 'eppResources', cpuOnly, 'epp')],
    ['LlmdModel loaderResources', () => llmd({ loaderResources: CPU_ONLY }), message('test/llmd', 'loaderResources', cpuOnly, 'model-loader')],
    ['TritonModel repository init container', () => new TritonModel(testChart(), 'triton', {
      modelName: 'resnet',
      resources: SMALL_RESOURCES,
      repository: TritonModelRepository.initContainer({ image: 'ghcr.io/acme/fetch:1.0.0', resources: CPU_ONLY }),
    }), message('test/triton', 'repository (initContainer).resources', cpuOnly, 'model-repository')],
    ['OpenAIModel user init container after the loader', () => new OpenAIModel(testChart(), 'llm', {
      model: ModelSource.ociImage('ghcr.io/acme/weights:1.0.0'),
      resources: SMALL_RESOURCES,
      initContainers: [{ name: 'warmup', image: 'busybox:1.36.1', resources: CPU_ONLY }],
    }), message('test/llm', 'initContainers[0].resources', cpuOnly, 'warmup')],
  ])('%s', (_name, build, expected) => {
    expect(build).toThrow(expected);
  });
});

describe('allowNoLimits', () => {
  test('renders nothing itself: the requests given, or no resources at all', () => {
    const chart = testChart();
    new AsyncActor(chart, 'a', { transport, handler: 'steps.run', image: IMAGE, resources: NO_LIMITS });
    new AsyncActor(chart, 'b', { transport, handler: 'steps.run', image: IMAGE, resources: { allowNoLimits: true } });
    const manifests = synthValid(chart);
    expect(one(manifests, 'AsyncActor', 'a').spec.workload.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' } });
    expect(one(manifests, 'AsyncActor', 'b').spec.workload.template.spec.containers[0].resources).toBeUndefined();
  });

  test('false is the default: limits are still required', () => {
    expect(() => new AsyncActor(testChart(), 'a', { transport, handler: 'steps.run', image: IMAGE, resources: { ...CPU_ONLY, allowNoLimits: false } }))
      .toThrow(message('test/a', 'resources', '{"cpu":{"limit":"1"},"allowNoLimits":false}', 'asya-runtime'));
  });

  test('with limits set as well, the limits are rendered and the policy has nothing to report', () => {
    const chart = testChart();
    new AsyncActor(chart, 'a', { transport, handler: 'steps.run', image: IMAGE, resources: { ...SMALL_RESOURCES, allowNoLimits: true } });
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });
});

/** The default of `SidecarOptions.resources` (the asya-operator chart's unused `sidecar.defaultResources` @ v0.1.1). */
const SIDECAR_DEFAULT = { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } };

describe('the operator-injected asya-sidecar (spec.sidecar.resources, copied verbatim by the operator, no default upstream)', () => {
  const actor = (c: Chart, sidecar?: any) => new AsyncActor(c, 'a', { transport, handler: 'steps.run', image: IMAGE, resources: SMALL_RESOURCES, sidecar });

  test('unset: the documented default is rendered and the policy has nothing to report', () => {
    const chart = testChart();
    actor(chart);
    actor(testChart(), {});
    expect(one(synthValid(chart), 'AsyncActor', 'a').spec.sidecar.resources).toEqual(SIDECAR_DEFAULT);
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });

  test('given without limits: the PropError names sidecar.resources and the container', () => {
    expect(() => actor(testChart(), { resources: { cpu: { request: '50m' } } }))
      .toThrow(message('test/a', 'sidecar.resources', '{"cpu":{"request":"50m"}}', 'asya-sidecar'));
    expect(() => actor(testChart(), { resources: CPU_ONLY })).toThrow(message('test/a', 'sidecar.resources', '{"cpu":{"limit":"1"}}', 'asya-sidecar'));
  });

  test('given with limits: rendered as given, replacing the default as a whole', () => {
    const chart = testChart();
    actor(chart, { resources: { cpu: { limit: '1' }, memory: { limit: '1Gi' } } });
    expect(one(synthValid(chart), 'AsyncActor', 'a').spec.sidecar.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' } });
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });

  test('allowNoLimits: true is accepted; ASYA-RES-001 reports .spec.sidecar.resources until the actor is suppressed', () => {
    const chart = testChart();
    const a = actor(chart, { resources: NO_LIMITS });
    expect(one(synthValid(chart), 'AsyncActor', 'a').spec.sidecar.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' } });
    const finding = Policy.checkObjects(synthValid(chart)).find((f) => f.ruleId === 'ASYA-RES-001');
    expect(finding?.message).toBe('container "asya-sidecar" (injected by the operator from spec.sidecar) sets no limits.cpu, limits.memory: '
      + 'set spec.sidecar.resources.limits.cpu and spec.sidecar.resources.limits.memory (the operator applies no default)');
    expect(resFindings(chart).open).toEqual(['asya.sh/v1alpha1/AsyncActor default/a .spec.sidecar.resources']);
    Policy.suppress(a, 'ASYA-RES-001', 'the namespace LimitRange caps the sidecar');
    expect(resFindings(chart)).toEqual({ open: [], suppressed: ['asya.sh/v1alpha1/AsyncActor default/a .spec.sidecar.resources'] });
  });

  test('AsyaCrew checks its sidecar.resources itself, and its end actors get the default', () => {
    expect(() => new AsyaCrew(testChart(), 'crew', { transport, storage: ResultStorage.none(), sidecar: { resources: { memory: { request: '64Mi' } } } }))
      .toThrow(message('test/crew', 'sidecar.resources', '{"memory":{"request":"64Mi"}}', 'asya-sidecar'));
    const chart = testChart();
    new AsyaCrew(chart, 'crew', { transport, storage: ResultStorage.none() });
    const actors = synthValid(chart).filter((m) => m.kind === 'AsyncActor');
    expect(actors.map((m) => m.spec.sidecar.resources)).toEqual([SIDECAR_DEFAULT, SIDECAR_DEFAULT]);
  });
});

// yatai-deployment fills every missing key of a BentoDeployment's resources with its default (limits 500m / 1Gi,
// requests 300m / 500Mi: bentoml/yatai-deployment controllers/bentodeployment_controller.go getResourcesConfig @ v1.1.21),
// so requests above those limits without limits of their own make a pod template Kubernetes refuses.
describe('BentoModel (container "main" of the Deployment yatai-deployment builds)', () => {
  const bento = (c: Chart, r: any) => new BentoModel(c, 'b', { bento: 'summarizer-v1', apiMethod: 'summarize', resources: r });

  test('requests without limits, or a cpu limit only: refused like every model server', () => {
    expect(() => bento(testChart(), { cpu: { request: '1' }, memory: { request: '2Gi' } }))
      .toThrow(message('test/b', 'resources', '{"cpu":{"request":"1"},"memory":{"request":"2Gi"}}', 'main'));
    expect(() => bento(testChart(), CPU_ONLY)).toThrow(message('test/b', 'resources', '{"cpu":{"limit":"1"}}', 'main'));
  });

  test('allowNoLimits: accepted within yatai-deployment\'s default limits (the BentoDeployment has no pod template for the policy)', () => {
    const chart = testChart();
    bento(chart, NO_LIMITS);
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });
});

describe('containers the policy does not check need no limits', () => {
  test('a TrainJob trainer (resourcesPerNode overrides the runtime\'s template; the TrainJob carries no pod template)', () => {
    const chart = testChart('ml');
    new TrainJob(chart, 't', { runtime: TrainingRuntimeRef.cluster('torch-distributed'), trainer: { resourcesPerNode: { gpu: { count: 1 } } } });
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });

  test('library defaults carry limits: the bridge, the launcher and the crew need no resources', () => {
    const chart = testChart();
    new AsyncModel(chart, 'model', {
      backend: new OpenAIModel(chart, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: SMALL_RESOURCES }), transport,
    });
    const job = new VolcanoTrainingJob(chart, 'train', { tasks: [{ name: 'worker', image: IMAGE, resources: SMALL_RESOURCES }] });
    new JobLauncher(chart, 'launcher', { job, transport });
    new AsyaCrew(chart, 'crew', { transport, storage: ResultStorage.none() });
    expect(resFindings(chart)).toEqual({ open: [], suppressed: [] });
  });
});
