/**
 * Properties of VALID props: they always synthesize, every object passes the strict schema validation, and
 * the same props synthesize byte-identical YAML twice.
 */
import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { actorProps, addCrew, backendSpec, BackendSpec, dns1035, freshChart, synthApp, transport } from './arbitraries';
import {
  AsyncActor, AsyncActorProps, AsyncModel, AsyncModelProps, AsyncPipeline, HandlerMode, KServeAutoscalerClass, KServeModel, ModelSource,
  OpenAIModel, OpenAIServer, Transport,
} from '../../src';
import { Policy, PolicyLevel } from '../../src/validation';
import { SMALL_RESOURCES } from '../util';

function synthActor(props: AsyncActorProps) {
  const { app, chart } = freshChart();
  new AsyncActor(chart, 'actor', props);
  return synthApp(app);
}

describe('AsyncActor with random valid props', () => {
  test('synthesizes schema-valid objects', () => {
    fc.assert(fc.property(actorProps, (props) => {
      const { manifests, issues } = synthActor(props);
      expect(issues).toEqual([]);
      expect(manifests.filter((m) => m.kind === 'AsyncActor')).toHaveLength(1);
    }));
  });

  test('synthesizes byte-identical YAML twice', () => {
    fc.assert(fc.property(actorProps, (props) => {
      expect(synthActor(props).yaml).toBe(synthActor(props).yaml);
    }));
  });
});

/** Builds a backend from its spec, in the given chart. */
function backend(chart: Chart, spec: BackendSpec & { model: ModelSource }): OpenAIModel | KServeModel {
  if (spec.kind === 'openai') {
    // TGI's default image runs only as root (huggingface/text-generation-inference Dockerfile @ v3.3.5, issue #3082).
    const security = spec.server === OpenAIServer.TGI ? { allowRoot: true } : undefined;
    return new OpenAIModel(chart, spec.name, { server: spec.server, model: spec.model, resources: spec.resources, protocol: spec.protocol, security });
  }
  const external = spec.autoscalerClass === KServeAutoscalerClass.EXTERNAL;
  return new KServeModel(chart, spec.name, {
    modelFormat: { name: 'huggingface' },
    storageUri: `hf://${spec.model.reference}`,
    resources: spec.resources,
    autoscalerClass: spec.autoscalerClass,
    minReplicas: external ? spec.kserveMin - 1 : spec.kserveMin,
    maxReplicas: Math.max(spec.kserveMin, spec.kserveMax),
  });
}

/** Queue depth over the management API (ready + unacked): models may scale to zero (SCL-1). */
const scalingTransport = Transport.rabbitmq({
  brokerNamespace: 'asya-system', brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' }, managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
});

const modelProps = fc.record({
  spec: backendSpec,
  name: dns1035(1, 48).filter((n) => !n.endsWith('-dlq') && n !== 'happy-end' && n !== 'error-end'),
  outputKey: fc.constantFrom('result', 'answer', 'embedding', '_out', 'Y2'),
  requestTimeout: fc.integer({ min: 1, max: 900 }),
  maxRetries: fc.integer({ min: 0, max: 20 }),
  min: fc.integer({ min: 0, max: 3 }),
  extra: fc.integer({ min: 0, max: 5 }),
  queueLength: fc.integer({ min: 1, max: 50 }),
  networkPolicy: fc.boolean(),
}).filter(({ spec, name }) => spec.name !== name);

type ModelCase = typeof modelProps extends fc.Arbitrary<infer T> ? T : never;

function synthModel(p: ModelCase) {
  const { app, chart } = freshChart();
  const b = backend(chart, p.spec);
  // Queue-driven model scaling only where the backend has a scale target (KServe HPA has none).
  const scalable = b.scaleTarget !== undefined;
  // The binding's range lies within the backend's own (SCL-4: KServe min/maxReplicas bound the scaler).
  const t = b.scaleTarget;
  const lo = Math.min(Math.max(p.min, t?.minReplicas ?? 0), t?.maxReplicas ?? Infinity);
  const hi = Math.min(Math.max(1, lo, p.min + p.extra), t?.maxReplicas ?? Infinity);
  const props: AsyncModelProps = {
    backend: b,
    transport,
    name: p.name,
    outputKey: p.outputKey,
    requestTimeout: Duration.seconds(p.requestTimeout),
    maxRetries: p.maxRetries,
    networkPolicy: p.networkPolicy,
    ...(scalable ? { modelScaling: { minReplicas: lo, maxReplicas: hi, queueLength: p.queueLength } } : {}),
  };
  new AsyncModel(chart, 'model', { ...props, transport: scalingTransport });
  return synthApp(app);
}

describe('AsyncModel over OpenAIModel / KServeModel with random valid props', () => {
  test('synthesizes schema-valid objects, byte-identical twice', () => {
    fc.assert(fc.property(modelProps, (p) => {
      const first = synthModel(p);
      expect(first.issues).toEqual([]);
      expect(first.manifests.some((m) => m.kind === 'AsyncActor' && m.metadata.name === p.name)).toBe(true);
      expect(synthModel(p).yaml).toBe(first.yaml);
    }));
  });
});

/** 1-6 steps with unique names and 1-3 routes, each a non-empty selection of them in random order. */
const pipelineShape = fc.uniqueArray(dns1035(1, 30).filter((n) => !n.endsWith('-dlq') && n !== 'happy-end' && n !== 'error-end'), { minLength: 1, maxLength: 6 })
  .chain((stepNames) => fc.record({
    stepNames: fc.constant(stepNames),
    routes: fc.uniqueArray(
      fc.record({
        name: dns1035(1, 20),
        steps: fc.shuffledSubarray(stepNames.map((_, i) => i), { minLength: 1 }),
      }),
      { minLength: 1, maxLength: 3, selector: (r) => r.name },
    ),
    envelope: fc.array(fc.boolean(), { minLength: stepNames.length, maxLength: stepNames.length }),
    podMonitor: fc.boolean(),
    argoSyncWaves: fc.boolean(),
  }));

type PipelineShape = typeof pipelineShape extends fc.Arbitrary<infer T> ? T : never;

function synthPipeline(shape: PipelineShape) {
  const { app } = freshChart();
  addCrew(app);
  const p = new AsyncPipeline(app, 'pipe', {
    namespace: 'pipe',
    podMonitor: shape.podMonitor,
    argoSyncWaves: shape.argoSyncWaves,
    monitoringNamespace: 'monitoring',
  });
  const steps = shape.stepNames.map((name, i) => new AsyncActor(p, name, {
    transport,
    handler: `steps.step_${i}`,
    image: 'ghcr.io/acme/steps:1.0.0',
    resources: SMALL_RESOURCES,
    handlerMode: shape.envelope[i] ? HandlerMode.ENVELOPE : undefined,
  }));
  for (const r of shape.routes) {
    expect(p.addRoute(r.name, r.steps.map((i) => steps[i]))).toEqual(r.steps.map((i) => shape.stepNames[i]));
  }
  return synthApp(app);
}

describe('AsyncPipeline with random routes over random steps', () => {
  test('synthesizes schema-valid objects, byte-identical twice', () => {
    fc.assert(fc.property(pipelineShape, (shape) => {
      const first = synthPipeline(shape);
      expect(first.issues).toEqual([]);
      const actors = first.manifests.filter((m) => m.kind === 'AsyncActor' && m.metadata.namespace === 'pipe').map((m) => m.metadata.name);
      expect(actors.sort()).toEqual([...shape.stepNames].sort());
      expect(synthPipeline(shape).yaml).toBe(first.yaml);
    }));
  });
});

describe('AsyncActor with random valid props, secure by default', () => {
  // The opt-outs a user can take (no resources, a secret-looking literal env, no NetworkPolicy) are what the
  // policy reports; with them taken out, random valid props must be policy-clean.
  const full = { cpu: { request: '100m', limit: '500m' }, memory: { request: '64Mi', limit: '256Mi' } };
  const secure = actorProps.map((p) => ({
    ...p,
    env: undefined,
    resources: full,
    networkPolicy: true,
    sidecars: (p.sidecars ?? []).map((c) => ({ ...c, env: undefined, resources: full })),
  }));

  test('synthesizes policy-clean objects', () => {
    fc.assert(fc.property(secure, (props) => {
      const { manifests } = synthActor(props);
      expect(Policy.checkObjects(manifests).filter((f) => f.level === PolicyLevel.ERROR).map((f) => `${f.ruleId} ${f.path}: ${f.message}`)).toEqual([]);
    }));
  });
});
