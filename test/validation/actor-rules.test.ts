/**
 * The AsyncActor rule pack (ASYA-ACT-*): the operator's, KEDA's, Kubernetes' and the runtime's rules on
 * synthesized objects (deliveryhero/asya @ v0.1.1; ../shared/asya-contract.md), so escape hatches and
 * hand-written actors are checked like constructed ones.
 */
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { AsyncActor, AsyncActorProps, EnvValue, Transport } from '../../src';
import { ActorRules, Policy, PolicyFinding } from '../../src/validation';
import { one, synthValid, testChart } from '../util';
import { asyncActor, denyAll, NS } from './fixtures/policy/manifests';

const base: AsyncActorProps = {
  transport: Transport.rabbitmq(),
  handler: 'pipeline.embed',
  image: 'ghcr.io/acme/embed:1.2.0',
  resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
};

const ACT = `asya.sh/v1alpha1/AsyncActor ${NS}/rag-embed`;
const POD = '.spec.workload.template.spec';
const RT = `${POD}.containers[0]`;

function act(manifests: any[]): Array<[string, string, string]> {
  return Policy.checkObjects([...manifests, denyAll()], { rules: ActorRules.all() })
    .filter((f: PolicyFinding) => f.ruleId.startsWith('ASYA-ACT-')).map((f) => [f.ruleId, f.path, f.message]);
}

function actor(edit: (a: any, pod: any, runtime: any) => void): any {
  const a = asyncActor();
  edit(a, a.spec.workload.template.spec, a.spec.workload.template.spec.containers[0]);
  return a;
}

describe('the library output passes the actor rules', () => {
  test('a constructed AsyncActor has no finding at all', () => {
    const chart = testChart(NS);
    new AsyncActor(chart, 'embed', base);
    const manifests = synthValid(chart);
    expect(Policy.checkObjects(manifests).filter((f) => !f.suppressed)).toEqual([]);
  });

  test('the rules are ids ASYA-ACT-001..013, each with a description and a fix', () => {
    const rules = ActorRules.all();
    expect(rules.map((r) => r.id)).toEqual(Array.from({ length: 13 }, (_, i) => `ASYA-ACT-${String(i + 1).padStart(3, '0')}`));
    for (const r of rules) { expect(r.description.length).toBeGreaterThan(10); expect(r.fix.length).toBeGreaterThan(5); }
  });

  test('the hand-written fixture passes', () => {
    expect(act([asyncActor()])).toEqual([]);
  });
});

describe('escape hatches are checked like props', () => {
  test('ApiObject.of(actor).addJsonPatch setting a command and an unknown transport is reported at synth', () => {
    const app = Testing.app();
    const chart = testChart(NS);
    const a = new AsyncActor(chart, 'embed', base);
    ApiObject.of(a).addJsonPatch(JsonPatch.replace('/spec/transport', 'kafka'));
    ApiObject.of(a).addJsonPatch(JsonPatch.add('/spec/workload/template/spec/containers/0/command', ['python', 'main.py']));
    void app;
    const ids = Policy.checkObjects(Testing.synth(chart)).map((f) => `${f.ruleId} ${f.path}`);
    expect(ids).toEqual([
      'ASYA-ACT-001 .spec.transport',
      'ASYA-ACT-005 .spec.workload.template.spec.containers[0].command',
    ]);
  });
});

describe('accept what the operator accepts (asya-operator v0.1.1 asya_controller.go validateAsyncActorSpec)', () => {
  test('an empty command list is valid: the operator refuses len(command) > 0 only', () => {
    expect(act([actor((_a, _p, rt) => { rt.command = []; })])).toEqual([]);
    const chart = testChart(NS);
    new AsyncActor(chart, 'embed', { ...base, command: [] });
    const obj = one(synthValid(chart), 'AsyncActor', 'embed');
    expect(Policy.checkObjects([obj]).filter((f) => f.ruleId.startsWith('ASYA-ACT'))).toEqual([]);
  });

  test('a handler read from a ConfigMap or Secret is valid (asya_runtime.py reads ASYA_HANDLER at start)', () => {
    expect(act([actor((_a, _p, rt) => { rt.env[0] = { name: 'ASYA_HANDLER', valueFrom: { configMapKeyRef: { name: 'handlers', key: 'embed' } } }; })])).toEqual([]);
    const chart = testChart(NS);
    const { handler, ...noHandler } = base;
    void handler;
    new AsyncActor(chart, 'embed', { ...noHandler, env: { ASYA_HANDLER: EnvValue.fromConfigMap('handlers', 'embed') } });
    new AsyncActor(chart, 'judge', { ...noHandler, env: { ASYA_HANDLER: EnvValue.fromSecret('handlers', 'judge') } });
    const manifests = synthValid(chart);
    const env = one(manifests, 'AsyncActor', 'embed').spec.workload.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.name === 'ASYA_HANDLER')).toEqual([{ name: 'ASYA_HANDLER', valueFrom: { configMapKeyRef: { name: 'handlers', key: 'embed' } } }]);
    expect(Policy.checkObjects(manifests).filter((f) => f.ruleId.startsWith('ASYA-ACT'))).toEqual([]);
  });

  test('the constructor still refuses a non-empty command, no handler at all, and a handler from a plain value or field', () => {
    const { handler, ...noHandler } = base;
    void handler;
    expect(() => new AsyncActor(testChart(NS), 'embed', { ...base, command: ['python'] }))
      .toThrow('test/embed: command (["python"]) cannot be set: the operator runs [pythonExecutable, /opt/asya/asya_runtime.py] in asya-runtime');
    expect(() => new AsyncActor(testChart(NS), 'embed', noHandler as AsyncActorProps))
      .toThrow('test/embed: handler (unset) must be module.function or module.Class.method (Python identifiers separated by dots), or unset with env.ASYA_HANDLER referencing a ConfigMap or Secret key');
    expect(() => new AsyncActor(testChart(NS), 'embed', { ...noHandler, env: { ASYA_HANDLER: EnvValue.fromFieldRef('metadata.name') } }))
      .toThrow('test/embed: handler (unset) must be module.function');
    expect(() => new AsyncActor(testChart(NS), 'embed', { ...base, env: { ASYA_HANDLER: EnvValue.fromConfigMap('h', 'k') } }))
      .toThrow('test/embed: env ("ASYA_HANDLER") is reserved: set it through the handler, handlerMode or chunkSize prop');
  });
});

describe('each rule, on a hand-written actor', () => {
  test.each<[string, (a: any, pod: any, rt: any) => void, Array<[string, string, string]>]>([
    ['transport (ASYA-ACT-001)', (a) => { a.spec.transport = 'kafka'; },
      [['ASYA-ACT-001', '.spec.transport', 'transport "kafka" is not one the operator knows: use "rabbitmq" or "sqs" (and enable it in the operator\'s values)']]],
    ['StatefulSet is a stub (ASYA-ACT-002)', (a) => { a.spec.workload.kind = 'StatefulSet'; },
      [['ASYA-ACT-002', '.spec.workload.kind', 'workload.kind "StatefulSet" never runs: the operator\'s reconcileStatefulSet is "not yet implemented" in v0.1.x; use Deployment']]],
    ['name starting with a digit (ASYA-ACT-003)', (a) => { a.metadata.name = '9embed'; },
      [['ASYA-ACT-003', '.metadata.name', 'actor name "9embed" must be a DNS label of at most 63 characters that starts with a letter (it is a label value on the Deployment and part of the queue name)']]],
    ['dlq on SQS (ASYA-ACT-003)', (a) => { a.metadata.name = 'dlq'; a.spec.transport = 'sqs'; },
      [['ASYA-ACT-003', '.metadata.name', 'actor name "dlq" collides with the shared SQS dead-letter queue asya-dlq']]],
    ['crew name (ASYA-ACT-004)', (a) => { a.metadata.name = 'happy-end'; },
      [['ASYA-ACT-004', '.metadata.name', 'actor name "happy-end" is reserved for the crew (handler handlers.end_handlers.happy_end_handler): rename the actor or use AsyaCrew']]],
    ['containers (ASYA-ACT-005)', (_a, pod) => { pod.initContainers = [{ name: 'asya-sidecar', image: 'busybox:1.36' }, { name: 'asya-runtime' }]; },
      [['ASYA-ACT-005', `${POD}.initContainers[0].name`, 'container name asya-sidecar is reserved for the sidecar the operator injects'],
        ['ASYA-ACT-005', `${POD}.initContainers[1].image`, 'container "asya-runtime" has no image'],
        ['ASYA-ACT-005', `${POD}.containers[0].name`, `container name "asya-runtime" is also used at ${POD}.initContainers[1]: names must be unique across containers and init containers`]]],
    ['no runtime container (ASYA-ACT-005)', (_a, _p, rt) => { rt.name = 'main'; },
      [['ASYA-ACT-005', `${POD}.containers`, 'the workload must have exactly one container named asya-runtime, it has 0']]],
    ['reserved volume and mount (ASYA-ACT-006)', (_a, pod, rt) => { pod.volumes.push({ name: 'tmp', emptyDir: {} }); rt.volumeMounts = [{ name: 'cache', mountPath: '/var/run/asya/x' }]; },
      [['ASYA-ACT-006', `${POD}.volumes[2].name`, 'volume name "tmp" is reserved: the operator injects socket-dir, tmp, asya-runtime'],
        ['ASYA-ACT-006', `${RT}.volumeMounts[0].mountPath`, 'mount path "/var/run/asya/x" is reserved in asya-runtime: the operator mounts /var/run/asya, /tmp, /opt/asya/asya_runtime.py']]],
    ['operator labels (ASYA-ACT-007)', (a) => { a.spec.workload.template.metadata = { labels: { 'app': 'other', 'asya.sh/asya': 'rag-embed' } }; },
      [['ASYA-ACT-007', '.spec.workload.template.metadata.labels.app', 'label app="other" breaks the operator\'s selector: use "rag-embed" or remove it']]],
    ['requests above limits (ASYA-ACT-008)', (a, _p, rt) => { rt.resources.requests.memory = '3Gi'; a.spec.sidecar.resources = { requests: { cpu: '2' }, limits: { cpu: '500m' } }; },
      [['ASYA-ACT-008', `${RT}.resources.requests.memory`, 'container "asya-runtime" requests memory "3Gi" above its limit "2Gi": Kubernetes rejects the Deployment the operator builds'],
        ['ASYA-ACT-008', '.spec.sidecar.resources.requests.cpu', 'the sidecar requests cpu "2" above its limit "500m": Kubernetes rejects the Deployment the operator builds']]],
    ['scaling (ASYA-ACT-009, KEDA scaling modifiers)', (a) => { a.spec.scaling = { enabled: true, minReplicas: 5, maxReplicas: 2, advanced: { formula: 'ceil(queueLength / 10)', metricType: 'Utilization' } }; },
      [['ASYA-ACT-009', '.spec.scaling.minReplicas', 'scaling.minReplicas (5) must not exceed scaling.maxReplicas (2)'],
        ['ASYA-ACT-009', '.spec.scaling.advanced.target', 'advanced.formula needs advanced.target, a number greater than 0 (KEDA), got undefined'],
        ['ASYA-ACT-009', '.spec.scaling.advanced.formula', 'advanced.formula references "queueLength", but the operator\'s trigger has no name, so KEDA can resolve no variable: use a formula of constants and functions only'],
        ['ASYA-ACT-009', '.spec.scaling.advanced.metricType', 'advanced.metricType Utilization is refused by KEDA for scaling modifiers: use AverageValue or Value']]],
    ['runtime env (ASYA-ACT-010, asya_runtime.py)', (_a, _p, rt) => { rt.env = [{ name: 'ASYA_HANDLER', value: 'embed' }, { name: 'ASYA_HANDLER_MODE', value: 'stream' }, { name: 'ASYA_CHUNK_SIZE', value: '1k' }, { name: 'ASYA_SOCKET_DIR', value: '/x' }]; },
      [['ASYA-ACT-010', `${RT}.env[0].value`, 'ASYA_HANDLER "embed" must be module.function or module.Class.method: the runtime exits at start'],
        ['ASYA-ACT-010', `${RT}.env[1].value`, 'ASYA_HANDLER_MODE "stream" must be payload or envelope: the runtime exits at start'],
        ['ASYA-ACT-010', `${RT}.env[2].value`, 'ASYA_CHUNK_SIZE "1k" must be an integer: the runtime exits at start'],
        ['ASYA-ACT-010', `${RT}.env[3].name`, 'ASYA_SOCKET_DIR is set by the operator, whose value silently wins: remove it']]],
    ['no handler (ASYA-ACT-010)', (_a, _p, rt) => { rt.env = []; },
      [['ASYA-ACT-010', `${RT}.env`, 'ASYA_HANDLER is not set: the runtime exits at start (set module.function, or a configMapKeyRef/secretKeyRef)']]],
    ['sidecar (ASYA-ACT-011)', (a) => { a.spec.sidecar = { image: 'asya-sidecar:latest', env: [{ name: 'ASYA_TRANSPORT', value: 'sqs' }, { name: 'ASYA_CUSTOM_METRICS', value: '{}' }] }; },
      [['ASYA-ACT-011', '.spec.sidecar.image', 'sidecar image "asya-sidecar:latest" is not pinned: use a version tag or digest'],
        ['ASYA-ACT-011', '.spec.sidecar.env[0].name', 'ASYA_TRANSPORT is set by the operator: this entry is appended after it and silently overrides it'],
        ['ASYA-ACT-011', '.spec.sidecar.env[1].value', 'ASYA_CUSTOM_METRICS must be a JSON array: the sidecar exits at start otherwise']]],
    ['no sidecar image (ASYA-ACT-011)', (a) => { delete a.spec.sidecar; },
      [['ASYA-ACT-011', '.spec.sidecar.image', 'no sidecar image: the operator falls back to asya-sidecar:latest; set a pinned sidecar image']]],
    ['timeouts (ASYA-ACT-012)', (a) => { a.spec.timeout = { processing: 1.5 }; },
      [['ASYA-ACT-012', '.spec.timeout.processing', 'timeout.processing (1.5) must be whole seconds >= 0'],
        ['ASYA-ACT-012', '.spec.timeout.gracefulShutdown', 'timeout.gracefulShutdown is not set: set it explicitly (without it the sidecar\'s or CRD\'s default applies, not what you expect)']]],
  ])('%s', (_name, edit, expected) => {
    expect(act([actor(edit)])).toEqual(expected);
  });

  test('ASYA-ACT-013 the same actor name on one transport in two namespaces shares queue asya-<name>', () => {
    const other = asyncActor('rag-embed', 'team-b');
    expect(act([asyncActor(), other, denyAll('team-b')])).toEqual([
      ['ASYA-ACT-013', '.metadata.name', `actor name "rag-embed" is also used by ${ACT} on transport rabbitmq: both would consume queue asya-rag-embed (queue names are not namespaced)`],
    ]);
    const sqs = asyncActor('rag-embed', 'team-b');
    sqs.spec.transport = 'sqs';
    expect(act([asyncActor(), sqs, denyAll('team-b')])).toEqual([]);
  });

  test('ASYA-ACT-013 on RabbitMQ an actor named X-dlq collides with the dead-letter queue of actor X', () => {
    expect(act([asyncActor(), asyncActor('rag-embed-dlq')])).toEqual([
      ['ASYA-ACT-013', '.metadata.name', 'actor name "rag-embed-dlq" collides with the dead-letter queue asya-rag-embed-dlq of actor "rag-embed" on RabbitMQ'],
    ]);
  });

  test('a finding is suppressed by the policy annotation like any other rule', () => {
    const a = actor((x) => { x.spec.workload.kind = 'StatefulSet'; x.metadata.annotations = { [Policy.SUPPRESS_ANNOTATION]: JSON.stringify([{ id: 'ASYA-ACT-002', reason: 'operator fork with StatefulSet support' }]) }; });
    const f = Policy.checkObjects([a, denyAll()]).filter((x) => x.ruleId === 'ASYA-ACT-002');
    expect(f.map((x) => [x.suppressed, x.suppressionReason])).toEqual([[true, 'operator fork with StatefulSet support']]);
  });
});
