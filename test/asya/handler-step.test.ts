/**
 * HandlerStep: the budget, log level, result cap and shared handler ConfigMap of the steps that run a
 * bundled handler (AsyncModel, JobLauncher). Upstream facts (deliveryhero/asya @ v0.1.1):
 * - the sidecar's one deadline per message is `spec.timeout.processing`
 *   (src/asya-operator/internal/controller/asya_controller.go:880); on expiry the message is redelivered
 *   (src/asya-sidecar/internal/router/router.go:339-355);
 * - SQS visibility timeout 300 s by default, never extended (src/asya-sidecar/internal/transport/sqs.go:66-69),
 *   set operator-wide (src/asya-operator/internal/config/transport_config.go:104,280-281);
 * - the operator creates SQS queues without MaximumMessageSize (src/asya-operator/internal/transports/sqs.go),
 *   so SQS's default of 256 KiB applies; RabbitMQ 4.x refuses messages above max_message_size (16 MiB);
 * - the runtime logs payloads at INFO (src/asya-runtime/asya_runtime.py:404,406).
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AsyncModel, AsyncModelProps, BridgeOutput, IModelBackend, JobLauncher, LaunchParameterType, ModelProtocol, ScaleTarget, Transport, VolcanoTrainingJob,
} from '../../src';
import { handlerProcessingTimeoutSeconds, handlerWorstCaseSeconds } from '../../src/asya/handler-budget';
import { HANDLERS_DIR, PYTHON } from '../handlers/harness';
import { ofKind, one, SMALL_RESOURCES, synthValid, testChart } from '../util';

class FakeBackend extends Construct implements IModelBackend {
  public readonly modelName = 'llama-3';
  public readonly endpoint: string;
  public readonly requestPath = '/v1/chat/completions';
  public readonly protocol = ModelProtocol.OPENAI_CHAT;
  public readonly namespace: string;
  public readonly podSelector = { 'app.kubernetes.io/name': 'llm' };
  public readonly podPort = 8000;
  public readonly requestHeaders: { [k: string]: string };
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  constructor(scope: Construct, id: string, scaleTarget?: ScaleTarget, headers: { [k: string]: string } = {}) {
    super(scope, id);
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.endpoint = `http://llm.${this.namespace}.svc.cluster.local:8000`;
    this.scaleTarget = scaleTarget;
    this.noScaleTargetReason = scaleTarget ? undefined : 'no scale subresource';
    this.requestHeaders = headers;
  }
}

const RABBIT = Transport.rabbitmq({ managementUrl: 'http://rabbitmq.default.svc.cluster.local:15672' });
const SQS = (o: { visibilityTimeout?: Duration; maxMessageBytes?: number } = {}) =>
  Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', kedaRoleArn: 'arn:aws:iam::123456789012:role/keda', ...o });
const TO_ZERO: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', supportsScaleToZero: true };

function bridge(props: Partial<AsyncModelProps> = {}, target?: ScaleTarget, headers?: { [k: string]: string }, chart: Chart = testChart('ai')) {
  const backend = new FakeBackend(chart, `llm-${chart.node.children.length}`, target, headers);
  const model = new AsyncModel(chart, 'ask', { backend, transport: RABBIT, ...props });
  return { chart, model };
}

function actorOf(manifests: any[], name: string): any {
  return one(manifests, 'AsyncActor', name);
}
function envOf(actor: any): Record<string, string> {
  return Object.fromEntries(actor.spec.workload.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
}

function launcher(chart: Chart, id: string, props: any = {}) {
  const job = new VolcanoTrainingJob(chart, `${id}-job`, { tasks: [{ name: 'worker', image: 'ghcr.io/acme/trainer:1.4.0', args: ['--data', 'x'], replicas: 1, resources: SMALL_RESOURCES }] });
  return new JobLauncher(chart, id, { job, transport: RABBIT, ...props });
}

describe('handler budget (TIM-2): one function, equal to the handler\'s own schedule', () => {
  const grid = [[120, 3, 0], [120, 3, 1200], [30, 3, 0], [0.5, 0, 0], [2.5, 7, 45], [60, 20, 600]];

  test('handlerWorstCaseSeconds equals asya_http.worst_case_seconds, the deadline the handler enforces', () => {
    const script = 'import json, sys; sys.path.insert(0, sys.argv[1]); import asya_http; '
      + 'print(json.dumps([asya_http.worst_case_seconds(t, r, c) for t, r, c in json.load(sys.stdin)]))';
    const py = JSON.parse(execFileSync(PYTHON, ['-c', script, HANDLERS_DIR], { input: JSON.stringify(grid) }).toString());
    expect(grid.map(([t, r, c]) => handlerWorstCaseSeconds({ requestTimeoutSeconds: t, maxRetries: r, coldStartSeconds: c }))).toEqual(py);
  });

  test('the field-review table: bridge 600 s, bridge scaling to zero 1800 s (20 min cold start), launcher 240 s', () => {
    expect(handlerProcessingTimeoutSeconds({ requestTimeoutSeconds: 120, maxRetries: 3 })).toBe(600);
    expect(handlerProcessingTimeoutSeconds({ requestTimeoutSeconds: 120, maxRetries: 3, coldStartSeconds: 1200 })).toBe(1800);
    // The launcher's POST and GET-after-409 share one deadline (handlers/job_launcher.py), so one budget covers both.
    expect(handlerProcessingTimeoutSeconds({ requestTimeoutSeconds: 30, maxRetries: 3 })).toBe(240);
  });
});

describe('AsyncModel as a HandlerStep', () => {
  test('scaling to zero: cold start from the scale target (TIM-1), processing and shutdown from the budget (TIM-2, TIM-4), WARNING logs', () => {
    const { chart } = bridge({}, TO_ZERO);
    const manifests = synthValid(chart);
    const actor = actorOf(manifests, 'ask');
    const env = envOf(actor);
    expect(env).toMatchObject({
      BRIDGE_TIMEOUT_SECONDS: '120', BRIDGE_MAX_RETRIES: '3', BRIDGE_COLD_START_SECONDS: '1200', ASYA_LOG_LEVEL: 'WARNING', PYTHONPATH: '/opt/asya-handlers',
    });
    expect(env.BRIDGE_RETRY_NOT_FOUND).toBeUndefined();
    expect(actor.spec.timeout).toEqual({ processing: 1800, gracefulShutdown: 150 });
    expect(actor.spec.workload.template.spec.terminationGracePeriodSeconds).toBe(150);
  });

  test('the backend\'s own cold start is used; no cold start without scale to zero', () => {
    const a = synthValid(bridge({ requestTimeout: Duration.seconds(60) }, { ...TO_ZERO, coldStartSeconds: 300 }).chart);
    expect(envOf(actorOf(a, 'ask')).BRIDGE_COLD_START_SECONDS).toBe('300');
    expect(actorOf(a, 'ask').spec.timeout.processing).toBe(300 + 60 * 4 + 90 + 30);
    const b = synthValid(bridge({ modelScaling: { minReplicas: 1 } }, TO_ZERO).chart);
    expect(envOf(actorOf(b, 'ask')).BRIDGE_COLD_START_SECONDS).toBeUndefined();
    expect(actorOf(b, 'ask').spec.timeout.processing).toBe(600);
  });

  test('unavailableRetryWindow overrides the cold start, also for a model that does not scale to zero', () => {
    const m = synthValid(bridge({ unavailableRetryWindow: Duration.minutes(1) }).chart);
    expect(envOf(actorOf(m, 'ask')).BRIDGE_COLD_START_SECONDS).toBe('60');
    expect(actorOf(m, 'ask').spec.timeout.processing).toBe(660);
    expect(() => bridge({ unavailableRetryWindow: Duration.days(2) })).toThrow('test/ask: unavailableRetryWindow ("172800s") must be whole seconds from 0 to 24 hours');
  });

  test('Seldon (Seldon-Model header): 404 is retried while the model is unscheduled (SEL-1)', () => {
    const m = synthValid(bridge({}, undefined, { 'Seldon-Model': 'iris' }).chart);
    expect(envOf(actorOf(m, 'ask')).BRIDGE_RETRY_NOT_FOUND).toBe('true');
  });

  test('result cap (HND-4): below the message limit and the memory; RabbitMQ 16 MiB vs 256Mi, SQS 256 KiB', () => {
    const rabbit = envOf(actorOf(synthValid(bridge().chart), 'ask'));
    expect(rabbit.BRIDGE_MAX_RESULT_BYTES).toBe(String(16 * 1024 * 1024 - 16 * 1024)); // (256Mi - 32Mi) / 8 = 28Mi is larger
    const small = envOf(actorOf(synthValid(bridge({ bridgeResources: { cpu: { request: '50m', limit: '500m' }, memory: { request: '64Mi', limit: '96Mi' } } }).chart), 'ask'));
    expect(small.BRIDGE_MAX_RESULT_BYTES).toBe(String(8 * 1024 * 1024)); // (96Mi - 32Mi) / 8
    const tiny = envOf(actorOf(synthValid(bridge({ bridgeResources: { cpu: { request: '50m', limit: '500m' }, memory: { request: '16Mi', limit: '16Mi' } } }).chart), 'ask'));
    expect(tiny.BRIDGE_MAX_RESULT_BYTES).toBe('1024'); // the floor the handler accepts
    const sqs = envOf(actorOf(synthValid(bridge({ transport: SQS(), requestTimeout: Duration.seconds(30), maxRetries: 2 }).chart), 'ask'));
    expect(sqs.BRIDGE_MAX_RESULT_BYTES).toBe(String(256 * 1024 - 16 * 1024));
    const sqs1m = envOf(actorOf(synthValid(bridge({ transport: SQS({ maxMessageBytes: 1048576 }), requestTimeout: Duration.seconds(30), maxRetries: 2 }).chart), 'ask'));
    expect(sqs1m.BRIDGE_MAX_RESULT_BYTES).toBe(String(1048576 - 16 * 1024));
  });

  test('HND-8 opt-ins reach the bridge: passThroughKeys and BridgeOutput.RESPONSE', () => {
    const env = envOf(actorOf(synthValid(bridge({ passThroughKeys: ['seed', 'tools'], output: BridgeOutput.RESPONSE }).chart), 'ask'));
    expect(env).toMatchObject({ BRIDGE_PASS_THROUGH: 'seed,tools', BRIDGE_OUTPUT: 'response' });
    const plain = envOf(actorOf(synthValid(bridge().chart), 'ask'));
    expect(plain.BRIDGE_PASS_THROUGH).toBeUndefined();
    expect(plain.BRIDGE_OUTPUT).toBeUndefined();
  });

  test('runtimeLogLevel overrides WARNING', () => {
    expect(envOf(actorOf(synthValid(bridge({ runtimeLogLevel: 'INFO' }).chart), 'ask')).ASYA_LOG_LEVEL).toBe('INFO');
  });

  test.each([
    ['a log level the runtime does not know', { runtimeLogLevel: 'VERBOSE' }, undefined,
      'test/ask: runtimeLogLevel ("VERBOSE") must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL'],
    ['a pass-through key the bridge builds itself', { passThroughKeys: ['seed', 'messages'] }, undefined,
      'test/ask: passThroughKeys[1] ("messages") must be an identifier other than model, messages, prompt, input, inputs, instances'],
    ['a budget above the SQS visibility timeout (TIM-3)', { transport: SQS() }, undefined,
      'test/ask: requestTimeout ("120s") with 3 retries gives a worst case of 570s and a processing timeout of 600s, above the SQS visibility timeout of 300s'],
    ['a visibility timeout below the scale-to-zero budget', { transport: SQS({ visibilityTimeout: Duration.minutes(20) }) }, TO_ZERO,
      'and a 1200s cold start gives a worst case of 1770s and a processing timeout of 1800s, above the SQS visibility timeout of 1200s'],
  ])('refuses %s', (_, props: any, target, message) => {
    expect(() => bridge(props, target)).toThrow(message);
  });

  test('a visibility timeout that covers the budget is accepted (SQS, scale to zero)', () => {
    const m = synthValid(bridge({ transport: SQS({ visibilityTimeout: Duration.minutes(30) }) }, TO_ZERO).chart);
    expect(actorOf(m, 'ask').spec.timeout.processing).toBe(1800);
  });
});

describe('Transport message limits and visibility timeout', () => {
  test('defaults: RabbitMQ 16 MiB, SQS 256 KiB and 300 s', () => {
    expect(RABBIT.maxMessageBytes).toBe(16777216);
    expect(RABBIT.maxProcessingSeconds).toBeUndefined();
    expect(SQS().maxMessageBytes).toBe(262144);
    expect(SQS().maxProcessingSeconds).toBe(300);
  });

  test.each([
    ['SQS above 1 MiB', () => SQS({ maxMessageBytes: 2 * 1048576 }), 'Transport.sqs: maxMessageBytes (2097152) must be a whole number of bytes from 4096 to 1048576'],
    ['RabbitMQ above 512 MiB', () => Transport.rabbitmq({ maxMessageBytes: 1e9 }), 'Transport.rabbitmq: maxMessageBytes (1000000000) must be a whole number of bytes from 4096 to 536870912'],
    ['a visibility timeout over 12 hours', () => SQS({ visibilityTimeout: Duration.hours(13) }), 'Transport.sqs: visibilityTimeout'],
  ])('refuses %s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('JobLauncher as a HandlerStep', () => {
  test('processing from the shared budget, WARNING logs, patterns checked for portability (HND-5)', () => {
    const chart = testChart('ml');
    launcher(chart, 'train');
    const actor = actorOf(synthValid(chart), 'train');
    expect(actor.spec.timeout).toEqual({ processing: 240, gracefulShutdown: 60 });
    expect(envOf(actor).ASYA_LOG_LEVEL).toBe('WARNING');
  });

  test('a string default must match its pattern at synth (the handler would refuse it on the first message)', () => {
    const chart = testChart('ml');
    expect(() => launcher(chart, 'train', {
      parameters: [{ name: 'd', type: LaunchParameterType.STRING, pattern: 's3://.+', defaultJson: '"gs://x"', targets: ['/spec/tasks/0/template/spec/containers/0/args/1'] }],
    })).toThrow('test/train: parameters[0].defaultJson ("\\"gs://x\\"") must match the whole pattern s3://.+');
  });

  test('a pattern JavaScript and Python read differently is refused at synth', () => {
    const chart = testChart('ml');
    expect(() => launcher(chart, 'train', {
      parameters: [{ name: 'd', type: LaunchParameterType.STRING, pattern: '(?<bucket>[a-z]+)', targets: ['/spec/tasks/0/template/spec/containers/0/args/1'] }],
    })).toThrow('test/train: parameters[0].pattern ("(?<bucket>[a-z]+)") uses a group other than (...) and (?:...)');
  });
});

describe('handlers shipped once per chart and namespace (issue 13)', () => {
  test('two bindings and a launcher in one chart: one ConfigMap holding asya_http, bridge and job_launcher, mounted by all three', () => {
    const chart = testChart('ai');
    bridge({}, undefined, undefined, chart);
    new AsyncModel(chart, 'ask2', { backend: new FakeBackend(chart, 'llm2'), transport: RABBIT });
    launcher(chart, 'train');
    const manifests = synthValid(chart);
    const maps = ofKind(manifests, 'ConfigMap');
    expect(maps).toHaveLength(1);
    expect(Object.keys(maps[0].data)).toEqual(['asya_http.py', 'bridge.py', 'job_launcher.py']);
    for (const a of ofKind(manifests, 'AsyncActor')) {
      expect(a.spec.workload.template.spec.volumes).toContainEqual({ name: 'asya-handlers', configMap: { name: maps[0].metadata.name, defaultMode: 0o444 } });
    }
  });

  test('two charts in one namespace get one ConfigMap each, under different names (neither prunes the other\'s)', () => {
    const app = Testing.app();
    const a = new Chart(app, 'tenant-a', { namespace: 'ai' });
    const b = new Chart(app, 'tenant-b', { namespace: 'ai' });
    bridge({ name: 'ask-a' }, undefined, undefined, a);
    bridge({ name: 'ask-b' }, undefined, undefined, b);
    const [ma, mb] = [synthValid(a), synthValid(b)].map((m) => ofKind(m, 'ConfigMap'));
    expect(ma).toHaveLength(1);
    expect(mb).toHaveLength(1);
    // Readable, typeable names: the chart id plus "-handlers".
    expect(ma[0].metadata.name).toBe('tenant-a-handlers');
    expect(mb[0].metadata.name).toBe('tenant-b-handlers');
    expect(Object.keys(ma[0].data)).toEqual(['asya_http.py', 'bridge.py']);
  });

  test('the ConfigMap comes before every actor that mounts it (kubectl apply -f creates in file order), also for an actor that tree order would put first', () => {
    const chart = testChart('ai');
    // A construct created before the first handler step, given a handler step later: tree order alone
    // would put its actor before the ConfigMap (which nests under the first handler step).
    const group = new Construct(chart, 'summaries');
    new AsyncModel(chart, 'ask', { backend: new FakeBackend(chart, 'llm-a'), transport: RABBIT });
    new AsyncModel(group, 'summarize', { backend: new FakeBackend(chart, 'llm-b'), transport: RABBIT });
    new AsyncModel(chart, 'later', { backend: new FakeBackend(chart, 'llm-c'), transport: RABBIT });
    const order = synthValid(chart).filter((m) => m.kind === 'ConfigMap' || m.kind === 'AsyncActor').map((m) => `${m.kind}/${m.metadata.name}`);
    // cdk8s moves the ConfigMap ahead of the dependent actor (the group's, which tree order puts first).
    expect(order).toEqual(['ConfigMap/test-handlers', 'AsyncActor/summarize', 'AsyncActor/ask', 'AsyncActor/later']);
  });

  test('tree order alone places the ConfigMap first in the usual case: no construct dependency is added (cdk8s resolves dependencies once per chart)', () => {
    const chart = testChart('ai');
    const a = new AsyncModel(chart, 'ask', { backend: new FakeBackend(chart, 'llm-a'), transport: RABBIT });
    const b = new AsyncModel(chart, 'ask2', { backend: new FakeBackend(chart, 'llm-b'), transport: RABBIT });
    expect([a.handlerActor.node.dependencies, b.handlerActor.node.dependencies]).toEqual([[], []]);
  });

  test('a handler change rolls the pods: the checksum annotation follows every bundled source', () => {
    const c = testChart('ai');
    bridge({}, undefined, undefined, c);
    const actor = ofKind(synthValid(c), 'AsyncActor')[0];
    const sum = actor.spec.workload.template.metadata.annotations['asya.sh/handlers-checksum'];
    const hash = createHash('sha256');
    for (const m of ['asya_http', 'bridge', 'job_launcher']) hash.update(`${m}\0${fs.readFileSync(path.join(__dirname, '..', '..', 'handlers', `${m}.py`), 'utf8')}\0`);
    expect(sum).toBe(hash.digest('hex').slice(0, 16));
  });

  test('the name is stable for the same chart path', () => {
    const name = () => {
      const app = new App();
      const c = new Chart(app, 'rag', { namespace: 'ai' });
      bridge({}, undefined, undefined, c);
      return ofKind(Testing.synth(c), 'ConfigMap')[0].metadata.name;
    };
    expect(name()).toBe(name());
  });
});
