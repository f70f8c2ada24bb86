/**
 * fast-check arbitraries for the property tests: valid props of the main constructs, and helpers to build
 * and synthesize them in a fresh app. Every arbitrary yields props the constructs must accept.
 */
import { App, Chart, Duration, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AsyaCrew, AsyncActorProps, EnvValue, HandlerMode, KServeAutoscalerClass, ModelProtocol, ModelSource, NamedContainer, OpenAIServer,
  ResourceRequirements, ResultStorage, Transport, Volume, VolumeMount,
} from '../../src';
import { PropError } from '../../src/core/errors';
import { Policy } from '../../src/validation';
import { SchemaValidator, ValidationIssue } from '../../src/validation/schema-validator';

/**
 * Reproducible runs: one seed for the whole folder, a bounded number of runs per property. Local runs keep
 * the small default; CI sets `CDK8S_ASYA_FC_RUNS` (e.g. 1000) for a larger budget, and `CDK8S_ASYA_FC_SEED`
 * to vary the seed. Test budget only: no effect on synthesized output.
 */
export const FC_SEED = Number(process.env.CDK8S_ASYA_FC_SEED) || 42;
export const FC_RUNS = Number(process.env.CDK8S_ASYA_FC_RUNS) || 60;
fc.configureGlobal({ seed: FC_SEED, numRuns: FC_RUNS });

export const transport = Transport.rabbitmq({ brokerNamespace: 'asya-system', brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' } });

const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');
const lower = fc.constantFrom(...LOWER);
const lowerOrDigit = fc.constantFrom(...LOWER, ...DIGITS);
const labelInner = fc.constantFrom(...LOWER, ...DIGITS, '-');

/** A DNS-1035 label (starts with a letter) of minLength..maxLength characters. */
export function dns1035(minLength: number = 1, maxLength: number = 20): fc.Arbitrary<string> {
  return fc.tuple(lower, fc.array(labelInner, { minLength: Math.max(0, minLength - 2), maxLength: Math.max(0, maxLength - 2) }), lowerOrDigit)
    .map(([first, middle, last]) => (minLength === 1 && middle.length === 0 ? first : `${first}${middle.join('')}${last}`))
    .filter((s) => s.length >= minLength && s.length <= maxLength);
}

/** A DNS-1123 label (may start with a digit). */
export function dns1123(maxLength: number = 20): fc.Arbitrary<string> {
  return fc.tuple(lowerOrDigit, fc.array(labelInner, { maxLength: Math.max(0, maxLength - 2) }), lowerOrDigit)
    .map(([first, middle, last]) => `${first}${middle.join('')}${last}`);
}

/** Actor names valid on RabbitMQ with scaling on: DNS-1035, at most 54 characters, not a crew name, not `*-dlq`. */
export const actorName = dns1035(1, 54).filter((n) => !n.endsWith('-dlq') && n !== 'happy-end' && n !== 'error-end');

const identifier = fc.tuple(
  fc.constantFrom(...LOWER, ...LOWER.map((c) => c.toUpperCase()), '_'),
  fc.array(fc.constantFrom(...LOWER, ...DIGITS, '_', 'X'), { maxLength: 10 }),
).map(([a, rest]) => a + rest.join(''));

/** `module.function` or `module.Class.method`. */
export const handler = fc.array(identifier, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('.'));

/** A pinned image: `[registry/]repo[/repo]:tag`, never `:latest`. */
export const image = fc.tuple(
  fc.constantFrom('', 'ghcr.io/', 'registry.example.com:5000/', 'docker.io/'),
  fc.array(dns1123(12).filter((s) => !s.includes('--')), { minLength: 1, maxLength: 3 }),
  fc.tuple(fc.constantFrom(...LOWER, ...DIGITS), fc.array(fc.constantFrom(...LOWER, ...DIGITS, '.', '-', '_'), { maxLength: 12 })),
).map(([registry, repo, [t0, t]]) => `${registry}${repo.join('/')}:${t0}${t.join('')}`)
  .filter((img) => !img.endsWith(':latest'));

const RESERVED_RUNTIME_ENV = ['ASYA_SOCKET_DIR', 'ASYA_ENABLE_VALIDATION', 'ASYA_HANDLER', 'ASYA_HANDLER_MODE', 'ASYA_CHUNK_SIZE'];
const envName = fc.tuple(
  fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_'.split('')),
  fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'.split('')), { maxLength: 15 }),
).map(([a, rest]) => a + rest.join('')).filter((k) => !RESERVED_RUNTIME_ENV.includes(k));

export const envValue: fc.Arbitrary<EnvValue> = fc.oneof(
  fc.string({ maxLength: 30 }).map((v) => EnvValue.fromValue(v)),
  fc.tuple(dns1123(20), envName).map(([s, k]) => EnvValue.fromSecret(s, k)),
  fc.tuple(dns1123(20), envName, fc.boolean()).map(([c, k, o]) => EnvValue.fromConfigMap(c, k, o)),
  fc.constantFrom('metadata.name', 'metadata.namespace', 'status.podIP').map((f) => EnvValue.fromFieldRef(f)),
);

export const env = fc.dictionary(envName, envValue, { maxKeys: 5 });

/** A request <= limit pair in one unit family, either side optional. */
/** A limit, with or without a request below it (valid resources always set the cpu and memory limits: ASYA-RES-001). */
function quantityPair(unit: 'cpu' | 'memory'): fc.Arbitrary<{ request?: string; limit: string }> {
  const fmt = (n: number) => (unit === 'cpu' ? (n % 1000 === 0 ? String(n / 1000) : `${n}m`) : (n % 1024 === 0 ? `${n / 1024}Gi` : `${n}Mi`));
  return fc.tuple(fc.integer({ min: 1, max: 64_000 }), fc.integer({ min: 0, max: 64_000 }), fc.boolean())
    .map(([r, extra, withRequest]) => {
      const limit = fmt(r + extra);
      return withRequest ? { request: fmt(r), limit } : { limit };
    });
}

/** Valid resources: cpu and memory limits (every container the library renders needs them), maybe GPUs. */
export const resources: fc.Arbitrary<ResourceRequirements> = fc.record({
  cpu: quantityPair('cpu'),
  memory: quantityPair('memory'),
  gpu: fc.record({ count: fc.integer({ min: 1, max: 8 }) }),
}, { requiredKeys: ['cpu', 'memory'] });

export const scaling = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3600 }))
  .map(([min, extra, queueLength, pollingInterval, cooldownPeriod]) => ({
    minReplicas: min, maxReplicas: Math.max(1, min + extra), queueLength, pollingInterval, cooldownPeriod,
  }));

const RESERVED_VOLUMES = ['socket-dir', 'tmp', 'asya-runtime'];

/** Volumes with unique, non-reserved names, and a mount of each at a non-reserved path. */
export const volumes: fc.Arbitrary<{ volumes: Volume[]; volumeMounts: VolumeMount[] }> = fc.uniqueArray(
  dns1123(20).filter((n) => !RESERVED_VOLUMES.includes(n)), { maxLength: 3 },
).chain((names) => fc.tuple(...names.map((name) => fc.oneof(
  fc.constant(Volume.emptyDir(name)),
  fc.constantFrom('64Mi', '1Gi', '2G').map((sizeLimit) => Volume.emptyDir(name, { sizeLimit, memory: true })),
  dns1123(20).map((cm) => Volume.configMap(name, cm, 0o444)),
  dns1123(20).map((s) => Volume.secret(name, s)),
  dns1123(20).map((c) => Volume.persistentVolumeClaim(name, c, true)),
))).map((vs) => ({
  volumes: vs,
  volumeMounts: names.map((name, i) => ({ volume: name, mountPath: `/data/${name}`, readOnly: i % 2 === 0 })),
})));

const sidecar: fc.Arbitrary<Omit<NamedContainer, 'name'>> = fc.record({
  image,
  resources,
  env,
  args: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
}, { requiredKeys: ['image', 'resources'] });

export const sidecars: fc.Arbitrary<NamedContainer[]> = fc.uniqueArray(
  dns1123(20).filter((n) => n !== 'asya-runtime' && n !== 'asya-sidecar'), { maxLength: 2 },
).chain((names) => fc.tuple(...names.map((name) => sidecar.map((c) => ({ ...c, name })))));

/** Valid AsyncActor props (the transport is always the shared RabbitMQ one). */
export const actorProps: fc.Arbitrary<AsyncActorProps> = fc.record({
  name: actorName,
  handler,
  handlerMode: fc.constantFrom(HandlerMode.PAYLOAD, HandlerMode.ENVELOPE),
  image,
  env,
  resources,
  scaling,
  processingTimeout: fc.integer({ min: 1, max: 24 * 3600 }).map((s) => Duration.seconds(s)),
  gracefulShutdownTimeout: fc.integer({ min: 1, max: 3600 }).map((s) => Duration.seconds(s)),
  chunkSize: fc.integer({ min: 1, max: 2 ** 20 }),
  sidecars,
  volumes,
  labels: fc.dictionary(dns1123(10), dns1123(10), { maxKeys: 3 }),
  networkPolicy: fc.boolean(),
}, { requiredKeys: ['handler', 'image', 'resources'] }).map(({ volumes: v, ...rest }) => ({ ...rest, ...(v ?? {}), transport }));

/** Backends for AsyncModel: an OpenAIModel (vLLM or TGI, Hugging Face source) or a KServeModel. */
export interface BackendSpec {
  readonly kind: 'openai' | 'kserve';
  readonly name: string;
  readonly server: OpenAIServer;
  readonly protocol: ModelProtocol;
  readonly resources: ResourceRequirements;
  readonly autoscalerClass: KServeAutoscalerClass;
  readonly kserveMin: number;
  readonly kserveMax: number;
}

const hfId = fc.tuple(dns1123(10), dns1123(20)).map(([org, model]) => `${org}/${model}`);

export const backendSpec: fc.Arbitrary<BackendSpec & { model: ModelSource }> = fc.record({
  kind: fc.constantFrom<'openai' | 'kserve'>('openai', 'kserve'),
  name: dns1035(1, 40),
  server: fc.constantFrom(OpenAIServer.VLLM, OpenAIServer.TGI),
  protocol: fc.constantFrom(ModelProtocol.OPENAI_CHAT, ModelProtocol.OPENAI_COMPLETIONS),
  resources,
  autoscalerClass: fc.constantFrom(KServeAutoscalerClass.EXTERNAL, KServeAutoscalerClass.HPA),
  kserveMin: fc.integer({ min: 1, max: 3 }),
  kserveMax: fc.integer({ min: 0, max: 5 }),
  model: hfId.map((id) => ModelSource.huggingFace(id)),
});

/** A fresh app with a chart in namespace `ai`. */
export function freshChart(namespace: string = 'ai'): { app: App; chart: Chart } {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'test', { namespace }) };
}

/** The crew a pipeline needs, in its own chart. */
export function addCrew(app: App): void {
  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.none() });
}

/** Synthesizes every chart of an app; returns the objects, their validation issues and the YAML. */
export function synthApp(app: App): { manifests: any[]; issues: ValidationIssue[]; yaml: string } {
  const manifests = app.charts.flatMap((c) => Testing.synth(c));
  return { manifests, issues: SchemaValidator.validateObjects(manifests), yaml: Yaml.stringify(...manifests) };
}

/**
 * The property every untyped input must have: the build throws the library's PropError, or the app's
 * output passes the schema validator and the policy's error rules (`ignoreRules`: documented opt-outs).
 */
export function propErrorOrClean(build: (chart: Chart) => unknown, namespace: string = 'ai', ignoreRules: string[] = []): void {
  const { app, chart } = freshChart(namespace);
  try {
    build(chart);
  } catch (e) {
    if (e instanceof PropError) return;
    throw e;
  }
  const { manifests, issues } = synthApp(app);
  expect(issues).toEqual([]);
  const findings = Policy.checkObjects(manifests).filter((f) => f.level === 'error' && !f.suppressed && !ignoreRules.includes(f.ruleId));
  expect(findings.map((f) => `${f.ruleId} ${f.object} ${f.path}: ${f.message}`)).toEqual([]);
}
