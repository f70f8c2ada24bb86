/**
 * Properties of INVALID props: each generator breaks exactly one rule of otherwise valid props, and the
 * construct must throw a PropError naming the construct path and the field (`<path>: <field> (<value>) <rule>`),
 * never a TypeError or another error type.
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { actorName, actorProps, dns1035, dns1123, freshChart, handler, transport } from './arbitraries';
import {
  AsyncActor, AsyncActorProps, AsyncModel, AsyncPipeline, EnvValue, KServeAutoscalerClass, KServeModel, ModelSource, OpenAIModel, Volume,
} from '../../src';
import { PropError } from '../../src/core/errors';
import { SMALL_RESOURCES } from '../util';

/** Runs `fn` and checks it threw a PropError for `path` and `field`, with both in the message. */
export function expectPropError(fn: () => unknown, path: string, field: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof PropError)) {
    throw new Error(`expected a PropError for ${path}: ${field}, got ${error === undefined ? 'no error' : String((error as any)?.stack ?? error)}`);
  }
  expect(error.constructPath).toBe(path);
  expect(error.field).toBe(field);
  expect(error.message.startsWith(`${path}: ${field} (`)).toBe(true);
}

/** One broken rule: the props to override and the field the error must name. */
interface Broken {
  readonly override: Partial<AsyncActorProps>;
  readonly field: string;
}

const badNameChars = fc.tuple(actorName, fc.nat(), fc.constantFrom('A', 'Z', '_', '.', '$', ' ', 'é', '/', ':'))
  .map(([n, i, c]) => { const at = i % n.length; return n.substring(0, at) + c + n.substring(at + 1); });
const badNameStart = fc.tuple(fc.constantFrom('0', '9', '-'), actorName).map(([c, n]) => (c + n).substring(0, 54));
const quantity = fc.integer({ min: 1, max: 100_000 });
const BAD_QUANTITIES = ['1GB', '1gb', '1 Gi', 'Gi', 'one', '1.5.2', '0x10', '1Kb', '--1', '1e', '+', '', '1mi', '∞'];
const RESERVED_ENV = ['ASYA_SOCKET_DIR', 'ASYA_ENABLE_VALIDATION', 'ASYA_HANDLER', 'ASYA_HANDLER_MODE', 'ASYA_CHUNK_SIZE'];
const RESERVED_VOLUMES = ['socket-dir', 'tmp', 'asya-runtime'];

const brokenActor: fc.Arbitrary<Broken> = fc.oneof(
  fc.oneof(badNameChars, badNameStart).map((name) => ({ override: { name }, field: 'name' })),
  dns1035(55, 90).map((name) => ({ override: { name }, field: 'name' })),
  dns1035(64, 90).map((name) => ({ override: { name, scaling: { enabled: false } }, field: 'name' })),
  actorName.map((n) => ({ override: { name: `${n.substring(0, 50)}-dlq` }, field: 'name' })),
  fc.string({ maxLength: 20 }).filter((h) => !h.includes('.')).map((h) => ({ override: { handler: h }, field: 'handler' })),
  handler.map((h) => ({ override: { handler: `${h}.` }, field: 'handler' })),
  fc.constantFrom('ghcr.io/acme/x:latest', 'acme/x:latest', 'x:latest', 'ghcr.io/acme/x', 'x')
    .map((image) => ({ override: { image }, field: 'image' })),
  fc.tuple(quantity, fc.integer({ min: 1, max: 1000 })).map(([l, d]) => ({
    override: { resources: { cpu: { request: `${l + d}m`, limit: `${l}m` } } }, field: 'resources.cpu.request',
  })),
  fc.tuple(quantity, fc.integer({ min: 1, max: 1000 })).map(([l, d]) => ({
    override: { resources: { memory: { request: `${l + d}Mi`, limit: `${l}Mi` } } }, field: 'resources.memory.request',
  })),
  fc.constantFrom(...BAD_QUANTITIES).map((q) => ({ override: { resources: { memory: { limit: q } } }, field: 'resources.memory.limit' })),
  fc.constantFrom(...BAD_QUANTITIES).map((q) => ({ override: { resources: { cpu: { request: q } } }, field: 'resources.cpu.request' })),
  fc.constantFrom(0, -1, 1.5, NaN).map((count) => ({ override: { resources: { gpu: { count } } }, field: 'resources.gpu.count' })),
  // ASYA-RES-001: no resources, or resources without a cpu or memory limit (and no allowNoLimits).
  fc.constantFrom(undefined, {}, { cpu: { limit: '1' } }, { memory: { request: '1Gi', limit: '1Gi' } }, { cpu: { request: '1' }, memory: { limit: '1Gi' } },
    { cpu: { limit: '1' }, allowNoLimits: false }).map((r) => ({ override: { resources: r }, field: 'resources' })),
  fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })).map(([max, d]) => ({
    override: { scaling: { minReplicas: max + d, maxReplicas: max } }, field: 'scaling.minReplicas',
  })),
  fc.integer({ min: -100, max: -1 }).map((min) => ({ override: { scaling: { minReplicas: min } }, field: 'scaling.minReplicas' })),
  fc.integer({ min: -100, max: 0 }).map((q) => ({ override: { scaling: { queueLength: q } }, field: 'scaling.queueLength' })),
  fc.integer({ min: -100, max: -1 }).map((r) => ({ override: { scaling: { enabled: false }, replicas: r }, field: 'replicas' })),
  fc.integer({ min: -100, max: 0 }).map((c) => ({ override: { chunkSize: c }, field: 'chunkSize' })),
  fc.constantFrom(...RESERVED_ENV).map((k) => ({ override: { env: { [k]: EnvValue.fromValue('x') } }, field: 'env' })),
  fc.constantFrom(...RESERVED_VOLUMES).map((v) => ({ override: { volumes: [Volume.emptyDir(v)] }, field: 'volumes[0].name' })),
  fc.constantFrom('/var/run/asya', '/tmp', '/tmp/', '/opt/asya/asya_runtime.py', '/var/run/asya/x').map((mountPath) => ({
    override: { volumes: [Volume.emptyDir('data')], volumeMounts: [{ volume: 'data', mountPath }] }, field: 'volumeMounts[0].mountPath',
  })),
  fc.constantFrom('asya-sidecar', 'asya-runtime').map((name) => ({
    override: { sidecars: [{ name, image: 'ghcr.io/acme/side:1.0.0' }] }, field: 'sidecars[0].name',
  })),
  // Timeouts: cdk8s' Duration itself refuses negative amounts, so the constructs see 0 or fractions of a second.
  fc.constantFrom(0, 1, 500, 999, 1500).map((ms) => ({ override: { processingTimeout: Duration.millis(ms) }, field: 'processingTimeout' })),
  fc.constantFrom(0, 1, 500, 999, 2500).map((ms) => ({ override: { gracefulShutdownTimeout: Duration.millis(ms) }, field: 'gracefulShutdownTimeout' })),
);

describe('AsyncActor with exactly one rule broken', () => {
  test('throws a PropError naming the construct path and the field', () => {
    fc.assert(fc.property(actorProps, brokenActor, (valid, broken) => {
      // Keep the base scaling out of the way of scaling-specific breaks (replicas needs scaling disabled).
      const props = { ...valid, ...broken.override } as AsyncActorProps;
      expectPropError(() => new AsyncActor(freshChart().chart, 'actor', props), 'test/actor', broken.field);
    }), { numRuns: 200 });
  });

  test('negative Durations never reach the construct: cdk8s refuses them', () => {
    expect(() => Duration.seconds(-1)).toThrow(/cannot be negative/);
  });
});

describe('AsyncModel, OpenAIModel, KServeModel with exactly one rule broken', () => {
  const llm = (chart: any) => new OpenAIModel(chart, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '8Gi' }, gpu: { count: 1 } },
  });

  test('AsyncModel', () => {
    const broken = fc.oneof(
      fc.constantFrom('1abc', 'a-b', '', 'a b', 'é').map((outputKey) => ({ props: { outputKey }, field: 'outputKey' })),
      fc.oneof(fc.integer({ min: 21, max: 1000 }), fc.integer({ min: -100, max: -1 }), fc.constant(1.5))
        .map((maxRetries) => ({ props: { maxRetries }, field: 'maxRetries' })),
      fc.integer({ min: 0, max: 999 }).map((ms) => ({ props: { requestTimeout: Duration.millis(ms) }, field: 'requestTimeout' })),
      fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }))
        .map(([max, d]) => ({ props: { modelScaling: { minReplicas: max + d, maxReplicas: max } }, field: 'modelScaling.minReplicas' })),
      fc.integer({ min: -20, max: 0 }).map((q) => ({ props: { modelScaling: { queueLength: q } }, field: 'modelScaling.queueLength' })),
      // The bridge actor's name (its operator-made ScaledObject's) must fit KEDA's 54 characters.
      dns1035(55, 63).filter((n) => !n.endsWith('-dlq')).map((name) => ({ props: { name }, field: 'name' })),
      // Bad name characters: see the AsyncModel name test below.
    );
    fc.assert(fc.property(broken, ({ props, field }) => {
      const { chart } = freshChart();
      const backend = llm(chart);
      expectPropError(() => new AsyncModel(chart, 'model', { backend, transport, ...props } as any), 'test/model', field);
    }));
  });

  test('OpenAIModel', () => {
    const base = {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '8Gi' } },
    };
    const broken = fc.oneof(
      fc.constantFrom('HOME', 'HF_HOME', 'HF_TOKEN').map((k) => ({ props: { env: { [k]: EnvValue.fromValue('x') } }, field: 'env' })),
      fc.constantFrom('cache', 'dshm', 'model').map((v) => ({ props: { volumes: [Volume.emptyDir(v)] }, field: 'volumes[0].name' })),
      fc.constantFrom('--port=9000', '--model', '--host', '--served-model-name=x').map((a) => ({ props: { serverArgs: [a] }, field: 'serverArgs[0]' })),
      fc.constantFrom(...BAD_QUANTITIES).map((q) => ({ props: { resources: { cpu: { request: q } } }, field: 'resources.cpu.request' })),
      fc.constantFrom(0, -2).map((count) => ({ props: { resources: { gpu: { count } } }, field: 'resources.gpu.count' })),
      fc.constantFrom('latest', '').map((tag) => ({ props: { image: `vllm/vllm-openai${tag ? `:${tag}` : ''}` }, field: 'image' })),
      fc.oneof(badNameChars, fc.constant('x'.repeat(64))).map((name) => ({ props: { name }, field: 'name' })),
    );
    fc.assert(fc.property(broken, ({ props, field }) => {
      expectPropError(() => new OpenAIModel(freshChart().chart, 'llm', { ...base, ...props } as any), 'test/llm', field);
    }));
  });

  test('KServeModel', () => {
    const base = { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/iris', resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } } };
    const broken = fc.oneof(
      dns1035(54, 70).map((name) => ({ props: { name }, field: 'name' })),
      fc.constantFrom('ftp://x', 'hf://', 'models/iris', 'http://x', '').map((storageUri) => ({ props: { storageUri }, field: 'storageUri' })),
      fc.constantFrom(KServeAutoscalerClass.HPA, KServeAutoscalerClass.NONE).map((autoscalerClass) => ({ props: { autoscalerClass, minReplicas: 0 }, field: 'minReplicas' })),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })).map(([max, d]) => ({ props: { minReplicas: max + d, maxReplicas: max }, field: 'minReplicas' })),
      fc.integer({ min: -9, max: -1 }).map((minReplicas) => ({ props: { minReplicas }, field: 'minReplicas' })),
      fc.constantFrom(...BAD_QUANTITIES).map((q) => ({ props: { resources: { memory: { limit: q } } }, field: 'resources.memory.limit' })),
    );
    fc.assert(fc.property(broken, ({ props, field }) => {
      expectPropError(() => new KServeModel(freshChart().chart, 'ks', { ...base, ...props } as any), 'test/ks', field);
    }));
  });
});

describe('AsyncPipeline with exactly one rule broken', () => {
  test('bad route names, duplicate routes and empty routes', () => {
    const broken = fc.oneof(
      fc.oneof(badNameChars, fc.constant('x'.repeat(64)), fc.constant('')).map((name) => ({ name, empty: false, duplicate: false, field: 'route name' })),
      dns1123(20).map((name) => ({ name, empty: false, duplicate: true, field: 'route name' })),
      dns1123(20).map((name) => ({ name, empty: true, duplicate: false, field: `routes["${name}"]` })),
    );
    fc.assert(fc.property(broken, ({ name, empty, duplicate, field }) => {
      const { app } = freshChart();
      const p = new AsyncPipeline(app, 'pipe', { namespace: 'pipe' });
      const step = new AsyncActor(p, 'step', { transport, handler: 'steps.run', image: 'ghcr.io/acme/steps:1.0.0', resources: SMALL_RESOURCES });
      if (duplicate) p.addRoute(name, [step]);
      expectPropError(() => p.addRoute(name, empty ? [] : [step]), 'pipe', field);
    }));
  });
});

/**
 * Bugs the properties above found (invalid props that passed the constructor), fixed and kept as
 * regression tests.
 */
describe('regressions: invalid props that passed the constructor', () => {
  const actor = (chart: any, extra: Partial<AsyncActorProps>) =>
    new AsyncActor(chart, 'actor', { transport, handler: 'steps.run', image: 'ghcr.io/acme/steps:1.0.0', resources: SMALL_RESOURCES, ...extra });

  // BUG: emptyDir sizeLimit is never checked as a quantity (src/core/volume.ts Volume.emptyDir, and
  // OpenAIModel sharedMemorySize / cacheSizeLimit): '1GB' synthesizes, and only SchemaValidator reports it.
  test('Volume.emptyDir sizeLimit "1GB" on an AsyncActor throws a PropError', () => {
    // Now refused by the factory itself (a static API guard), before any construct sees it. A factory has no
    // construct, so the error names the factory in place of the construct path (documented on PropError).
    expect(() => Volume.emptyDir('data', { sizeLimit: '1GB' })).toThrow('Volume.emptyDir: options.sizeLimit ("1GB") is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)');
    expectPropError(() => actor(freshChart().chart, { volumes: [Volume.emptyDir('data', { sizeLimit: '1GB' })] }), 'Volume.emptyDir', 'options.sizeLimit');
  });
  test('OpenAIModel sharedMemorySize "1GB" throws a PropError', () => {
    expectPropError(() => new OpenAIModel(freshChart().chart, 'llm', {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } }, sharedMemorySize: '1GB',
    }), 'test/llm', 'sharedMemorySize');
  });

  // BUG: AsyncActor labels are spread into metadata.labels unchecked (src/asya/async-actor.ts): an invalid
  // label value passes the constructor; SchemaValidator reports it at synth.
  test('AsyncActor labels with an invalid value throw a PropError', () => {
    expectPropError(() => actor(freshChart().chart, { labels: { 'app.kubernetes.io/part-of': 'my pipeline' } }), 'test/actor', 'labels["app.kubernetes.io/part-of"]');
  });

  // BUG: podLabels and nodeSelector keys/values are not checked (src/core/pod.ts renderPodSpec,
  // src/asya/async-actor.ts), and SchemaValidator does not check labels inside the embedded pod template either:
  // the object passes every check and the operator's Deployment is rejected by the API server after apply.
  test('AsyncActor podLabels with an invalid key throw a PropError', () => {
    expectPropError(() => actor(freshChart().chart, { podLabels: { 'bad key': 'v' } }), 'test/actor', 'podLabels');
  });
  test('AsyncActor nodeSelector with an invalid key throws a PropError', () => {
    expectPropError(() => actor(freshChart().chart, { nodeSelector: { 'bad key': 'v' } }), 'test/actor', 'nodeSelector');
  });

  // BUG: AsyncModel does not check its own name; the internal bridge actor does, so the error names the
  // construct path test/model/Bridge, which the user never created (src/binding/async-model.ts).
  test('AsyncModel with an invalid name throws a PropError naming the AsyncModel', () => {
    const { chart } = freshChart();
    const backend = new OpenAIModel(chart, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } } });
    expectPropError(() => new AsyncModel(chart, 'model', { backend, transport, name: 'A' }), 'test/model', 'name');
  });
});
