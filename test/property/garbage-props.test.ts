/**
 * Properties of GARBAGE props (fc.anything() where a typed value is expected, as a JavaScript or a
 * loosely typed jsii caller can pass): the construct throws a PropError or synthesizes valid output; it never
 * crashes with a TypeError or another error.
 */
import * as fc from 'fast-check';
import { freshChart, synthApp, transport } from './arbitraries';
import { AsyncActor, AsyncActorProps, AsyncModel, KServeModel, OpenAIModel, ModelSource } from '../../src';
import { PropError } from '../../src/core/errors';

const garbage = fc.anything({ maxDepth: 2, withNullPrototype: true, withBoxedValues: true, withSparseArray: true });

/** PropError, or valid output. Returns what happened, for the test's message. */
function propErrorOrValid(build: (chart: any) => unknown): 'PropError' | 'valid' {
  const { app, chart } = freshChart();
  try {
    build(chart);
  } catch (e) {
    if (e instanceof PropError) return 'PropError';
    throw e;
  }
  const { issues } = synthApp(app);
  expect(issues).toEqual([]);
  return 'valid';
}

const actorBase: AsyncActorProps = {
  transport,
  handler: 'steps.run',
  image: 'ghcr.io/acme/steps:1.0.0',
  resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } },
};

describe('AsyncActor with garbage in one prop', () => {
  test.each([
    'name', 'handler', 'handlerMode', 'image', 'env', 'resources', 'chunkSize', 'replicas', 'command', 'allowUnpinnedImage', 'sidecar', 'security',
  ])('%s: PropError or valid output', (prop) => {
    fc.assert(fc.property(garbage, (value) => {
      propErrorOrValid((chart) => new AsyncActor(chart, 'actor', { ...actorBase, [prop]: value } as any));
    }));
  });
});

describe('AsyncModel and backends with garbage in one prop', () => {
  const llm = (chart: any) => new OpenAIModel(chart, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '8Gi' } },
  });

  test.each(['backend', 'maxRetries', 'transport'])('AsyncModel %s: PropError or valid output', (prop) => {
    fc.assert(fc.property(garbage, (value) => {
      propErrorOrValid((chart) => new AsyncModel(chart, 'model', { backend: llm(chart), transport, [prop]: value } as any));
    }));
  });

  test.each(['name', 'minReplicas', 'maxReplicas', 'autoscalerClass', 'protocolVersion'])('KServeModel %s: PropError or valid output', (prop) => {
    fc.assert(fc.property(garbage, (value) => {
      propErrorOrValid((chart) => new KServeModel(chart, 'ks', {
        modelFormat: { name: 'sklearn' }, storageUri: 's3://models/iris', resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } }, [prop]: value,
      } as any));
    }));
  });

  test.each(['model', 'server', 'resources', 'replicas'])('OpenAIModel %s: PropError or valid output', (prop) => {
    fc.assert(fc.property(garbage, (value) => {
      propErrorOrValid((chart) => new OpenAIModel(chart, 'llm', {
        model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } }, [prop]: value,
      } as any));
    }));
  });
});

/**
 * Bugs found by the properties above (minimal counterexamples after shrinking), kept as regular tests of the
 * behaviour we want (they were `test.failing` until fixed: each is now a PropError or valid output). They concern untyped callers (plain
 * JavaScript, or any jsii caller that bypasses type checks): TypeScript rejects these values at compile time.
 */
describe('regressions: garbage that crashed with a TypeError or synthesized invalid objects', () => {
  const llm = (chart: any) => new OpenAIModel(chart, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } } });
  const cases: Array<[string, (chart: any) => unknown]> = [
    // TypeError: Cannot read properties of null (reading 'enabled') - src/asya/scaling.ts resolveScaling (default only for undefined)
    ['AsyncActor scaling: null', (c) => new AsyncActor(c, 'actor', { ...actorBase, scaling: null } as any)],
    // TypeError: ....toMilliseconds is not a function - src/asya/async-actor.ts (no instanceof Duration check)
    ['AsyncActor processingTimeout: 30', (c) => new AsyncActor(c, 'actor', { ...actorBase, processingTimeout: 30 } as any)],
    ['AsyncActor gracefulShutdownTimeout: {}', (c) => new AsyncActor(c, 'actor', { ...actorBase, gracefulShutdownTimeout: {} } as any)],
    // TypeError: (props.volumes ?? []).forEach is not a function / Cannot read properties of null (reading 'name')
    ['AsyncActor volumes: {}', (c) => new AsyncActor(c, 'actor', { ...actorBase, volumes: {} } as any)],
    ['AsyncActor volumes: [null]', (c) => new AsyncActor(c, 'actor', { ...actorBase, volumes: [null] } as any)],
    ['AsyncActor volumeMounts: {}', (c) => new AsyncActor(c, 'actor', { ...actorBase, volumeMounts: {} } as any)],
    ['AsyncActor sidecars: [null]', (c) => new AsyncActor(c, 'actor', { ...actorBase, sidecars: [null] } as any)],
    ['AsyncActor ports: [null]', (c) => new AsyncActor(c, 'actor', { ...actorBase, ports: [null] } as any)],
    ['AsyncActor tolerations: [null]', (c) => new AsyncActor(c, 'actor', { ...actorBase, tolerations: [null] } as any)],
    // TypeError: (props.egress ?? []) is not iterable
    ['AsyncActor egress: {}', (c) => new AsyncActor(c, 'actor', { ...actorBase, egress: {} } as any)],
    // Synthesizes an invalid object: /^\S+$/.test() coerces the array to "python3" (spec.workload.pythonExecutable must be a string)
    ['AsyncActor pythonExecutable: ["python3"]', (c) => new AsyncActor(c, 'actor', { ...actorBase, pythonExecutable: ['python3'] } as any)],
    // Synthesizes invalid objects: label and nodeSelector values are not checked to be strings
    ['AsyncActor labels: { a: ["x"] }', (c) => new AsyncActor(c, 'actor', { ...actorBase, labels: { a: ['x'] } } as any)],
    ['AsyncActor nodeSelector: { a: ["x"] }', (c) => new AsyncActor(c, 'actor', { ...actorBase, nodeSelector: { a: ['x'] } } as any)],
    // Synthesizes an invalid object (env value ["result"]); with [Object.create(null)]: TypeError: Cannot convert object to primitive value
    ['AsyncModel outputKey: ["result"]', (c) => new AsyncModel(c, 'model', { backend: llm(c), transport, outputKey: ['result'] } as any)],
    ['AsyncModel outputKey: [Object.create(null)]', (c) => new AsyncModel(c, 'model', { backend: llm(c), transport, outputKey: [Object.create(null)] } as any)],
    // TypeError: props.storageUri.startsWith is not a function - src/backends/kserve-model.ts
    ['KServeModel storageUri: {}', (c) => new KServeModel(c, 'ks', { modelFormat: { name: 'sklearn' }, storageUri: {}, resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } } } as any)],
    // Synthesizes an invalid Deployment (args[3] is an object) - src/backends/openai-model.ts
    ['OpenAIModel servedModelName: {}', (c) => new OpenAIModel(c, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: { cpu: { limit: '1' }, memory: { limit: '4Gi' } }, servedModelName: {} } as any)],
  ];
  test.each(cases)('%s: PropError or valid output', (_name, build) => {
    propErrorOrValid(build);
  });
});
