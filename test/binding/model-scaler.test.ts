import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncModel, AsyncModelProps, IModelBackend, ModelProtocol, ScaleTarget, Transport } from '../../src';
import { runtimeOwnedFields } from '../../src/core/ownership';
import { ofKind, one, synthValid } from '../util';

/** A backend whose scale target is a Deployment it synthesizes itself (like OpenAIModel, TritonModel). */
class FakeBackend extends Construct implements IModelBackend {
  public readonly modelName = 'llama-3';
  public readonly endpoint: string;
  public readonly requestPath = '/v1/chat/completions';
  public readonly protocol = ModelProtocol.OPENAI_CHAT;
  public readonly namespace: string;
  public readonly podSelector = { 'app.kubernetes.io/name': 'llm' };
  public readonly podPort = 8000;
  public readonly requestHeaders = {};
  public readonly scaleTarget?: ScaleTarget;
  constructor(scope: Construct, id: string, target: Partial<ScaleTarget> = {}) {
    super(scope, id);
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.endpoint = `http://llm.${this.namespace}.svc.cluster.local:8000`;
    this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', supportsScaleToZero: true, ...target };
    new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llm' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...this.podSelector } },
        template: {
          metadata: { labels: { ...this.podSelector } },
          spec: { containers: [{ name: 'server', image: 'vllm/vllm-openai:v0.10.2' }] },
        },
      },
    });
  }
}

const MGMT = 'http://rabbitmq.asya-system.svc.cluster.local:15672';
const RABBIT_HTTP = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', managementUrl: MGMT });
const RABBIT_AMQP = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local' });

/** A shared model in its own chart, and one binding per tenant chart. */
function shared(tenants: Array<Partial<AsyncModelProps>>, target: Partial<ScaleTarget> = {}) {
  const app = Testing.app();
  const models = new Chart(app, 'models', { namespace: 'models' });
  const backend = new FakeBackend(models, 'llm', target);
  const bindings = tenants.map((props, i) => {
    const chart = new Chart(app, `tenant${i}`, { namespace: `tenant${i}` });
    return new AsyncModel(chart, `t${i}-ask`, { backend, transport: RABBIT_HTTP, ...props });
  });
  return { app, models, backend, bindings };
}

describe('ModelScaler: one ScaledObject per scale target (SCL-2)', () => {
  // KEDA admits one ScaledObject per target and scales to the largest metric of its triggers, activating
  // on any of them (kedacore/keda pkg/scaling/scale_handler.go, pkg/scaling/executor/scale_scaledobjects.go
  // @ v2.20.2): so each binding's queue is one trigger of the target's one ScaledObject.
  test('every binding of a shared model wakes it: one trigger per bridge queue, in the model\'s namespace', () => {
    const { models, bindings } = shared([{ modelScaling: { maxReplicas: 2, queueLength: 8 } }, { modelScaling: { queueLength: 3 } }]);
    const manifests = synthValid(models);
    expect(manifests).toMatchSnapshot();
    const so = one(manifests, 'ScaledObject', 'llm-scaler');
    expect(so.metadata.namespace).toBe('models');
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 2, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' } });
    expect(so.spec.triggers.map((t: any) => [t.name, t.metadata.queueName, t.metadata.value, t.authenticationRef.name])).toEqual([
      ['t0-ask', 'asya-t0-ask', '8', 'llm-scaler-auth'],
      ['t1-ask', 'asya-t1-ask', '3', 'llm-scaler-auth'],
    ]);
    // One TriggerAuthentication for the shared broker credentials.
    expect(ofKind(manifests, 'TriggerAuthentication').map((t) => t.metadata.name)).toEqual(['llm-scaler-auth']);
    // Both bindings report the same scaler; the tenants' charts hold no ScaledObject.
    expect(bindings[0].scaledObject).toBe(bindings[1].scaledObject);
    expect(bindings[1].scalers).toEqual([{ name: 'llm-scaler', namespace: 'models', targetKind: 'Deployment', targetName: 'llm' }]);
    expect(ofKind(synthValid(Chart.of(bindings[1])), 'ScaledObject')).toEqual([]);
  });

  test('bindings with other broker credentials get their own TriggerAuthentication', () => {
    const other = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', managementUrl: MGMT, credentialsSecret: 'tenant-broker' });
    const { models } = shared([{}, { transport: other }]);
    const manifests = synthValid(models);
    expect(ofKind(manifests, 'TriggerAuthentication').map((t) => [t.metadata.name, t.spec.secretTargetRef[0].name])).toEqual([
      ['llm-scaler-auth', 'rabbitmq-secret'], ['llm-scaler-auth-2', 'tenant-broker'],
    ]);
    expect(one(manifests, 'ScaledObject').spec.triggers.map((t: any) => t.authenticationRef.name)).toEqual(['llm-scaler-auth', 'llm-scaler-auth-2']);
  });

  test('rejects a later binding with another replica range, naming the binding that set it', () => {
    expect(() => shared([{ modelScaling: { maxReplicas: 2 } }, { modelScaling: { maxReplicas: 4 } }])).toThrow(
      'tenant1/t1-ask: modelScaling.maxReplicas (4) differs from the maxReplicas (2) of the one ScaledObject models/llm-scaler on Deployment llm, '
      + 'set by tenant0/t0-ask: KEDA admits one ScaledObject per target, so its bindings share it: leave maxReplicas unset here or repeat it');
  });

  test('rejects a binding that opts out of scaling a model another binding scales (its queue would never wake it)', () => {
    const { app } = shared([{ modelScaling: { enabled: false } }, {}]);
    expect(() => app.synth()).toThrow(
      'tenant0/t0-ask: modelScaling.enabled (false) leaves its queue out of ScaledObject models/llm-scaler, which tenant1/t1-ask creates on Deployment llm');
  });
});

describe('ModelScaler: queue depth counts work in flight (SCL-1)', () => {
  // Over AMQP KEDA reads ready messages only; over the management API `messages` = ready + unacked
  // (kedacore/keda pkg/scalers/rabbitmq_scaler.go:546-566 @ v2.20.2). A bridge takes each message at once.
  test('RabbitMQ with a management URL: protocol http, scale to zero by default', () => {
    const { models } = shared([{}]);
    const so = one(synthValid(models), 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0].metadata).toMatchObject({ protocol: 'http', host: MGMT, mode: 'QueueLength' });
  });

  test('KEDA reaches the broker in brokerNamespace when no host is given (rabbitmq.<namespace>, not the default namespace)', () => {
    const t = Transport.rabbitmq({ brokerNamespace: 'mq' });
    const { models } = shared([{ transport: t }]);
    const so = one(synthValid(models), 'ScaledObject');
    expect(so.spec.triggers[0].metadata.host).toBe('amqp://rabbitmq.mq.svc.cluster.local:5672');
  });

  test('RabbitMQ over AMQP: at least one replica by default (the queue reads 0 while work is in flight)', () => {
    const { models, bindings } = shared([{ transport: RABBIT_AMQP }]);
    const so = one(synthValid(models), 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.triggers[0].metadata).toMatchObject({ protocol: 'amqp', host: 'amqp://rabbitmq.asya-system.svc.cluster.local:5672' });
    const env = one(synthValid(Chart.of(bindings[0])), 'AsyncActor').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_MAX_RETRIES', value: '3' });
  });

  test('SQS counts in-flight messages (scaleOnInFlight): scale to zero by default', () => {
    const sqs = Transport.sqs({
      region: 'eu-west-1',
      accountId: '123456789012',
      kedaRoleArn: 'arn:aws:iam::123456789012:role/keda',
      visibilityTimeout: Duration.hours(1),
    });
    const { models } = shared([{ transport: sqs }]);
    expect(one(synthValid(models), 'ScaledObject').spec.minReplicaCount).toBe(0);
  });

  test('rejects minReplicas 0 over AMQP, saying why', () => {
    expect(() => shared([{ transport: RABBIT_AMQP, modelScaling: { minReplicas: 0 } }])).toThrow(
      'tenant0/t0-ask: modelScaling.minReplicas (0) needs Transport.rabbitmq({ managementUrl }) on RabbitMQ: over AMQP KEDA counts ready messages only');
  });

  test('rejects a backend minimum of 0 over AMQP (the range comes from the backend)', () => {
    expect(() => shared([{ transport: RABBIT_AMQP }], { minReplicas: 0 })).toThrow(
      'tenant0/t0-ask: modelScaling.minReplicas (from the backend) (0) needs Transport.rabbitmq({ managementUrl })');
  });

  test('rejects an AMQP binding joining a model that scales to zero', () => {
    expect(() => shared([{}, { transport: RABBIT_AMQP }])).toThrow(
      'tenant1/t1-ask: transport ("rabbitmq") cannot wake Deployment llm, which scales to zero (minReplicas 0, set by tenant0/t0-ask): needs Transport.rabbitmq({ managementUrl })');
  });

  test('rejects a management URL that is not http(s)', () => {
    expect(() => Transport.rabbitmq({ managementUrl: 'amqp://rabbitmq:5672' })).toThrow(
      'Transport.rabbitmq: managementUrl ("amqp://rabbitmq:5672") must be an http:// or https:// URL of the RabbitMQ management API');
  });
});

describe('ModelScaler: the backend\'s own replica range (SCL-4)', () => {
  test('defaults to the backend\'s range (e.g. KServe min/maxReplicas, KAITO replicas)', () => {
    const { models } = shared([{}], { minReplicas: 1, maxReplicas: 4 });
    expect(one(synthValid(models), 'ScaledObject').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 4 });
  });

  test.each<[string, any, string]>([
    ['a maximum above the backend\'s', { maxReplicas: 5 },
      'tenant0/t0-ask: modelScaling.maxReplicas (5) must not exceed the backend\'s own maximum (4 for Deployment llm): set them alike'],
    ['a minimum below the backend\'s', { minReplicas: 0 },
      'tenant0/t0-ask: modelScaling.minReplicas (0) must not be below the backend\'s own minimum (1 for Deployment llm): set them alike'],
  ])('rejects %s', (_t, modelScaling, message) => {
    expect(() => shared([{ modelScaling }], { minReplicas: 1, maxReplicas: 4 })).toThrow(message);
  });
});

describe('ModelScaler: KEDA owns the target\'s replicas at run time (GIT-5)', () => {
  // KEDA's HPA writes `spec.replicas` through the scale subresource (Deployment; KAITO InferenceSet and
  // Seldon Model declare `specReplicasPath: .spec.replicas`: kaito-project/kaito
  // charts/kaito/workspace/crds/kaito.sh_inferencesets.yaml @ v0.12.0, SeldonIO/seldon-core
  // k8s/yaml/crds.yaml mlops.seldon.io_models @ v2.10.2); all three default replicas to 1 when unset.
  test('the synthesized target omits spec.replicas and the field is declared run-time owned', () => {
    const { app, models } = shared([{}]);
    const deployment = one(synthValid(models), 'Deployment', 'llm');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'llm' } });
    const owned = runtimeOwnedFields(app);
    expect(owned.map((o) => [o.object.kind, o.object.name, o.jsonPointers, o.owner, o.omitted])).toEqual([
      ['Deployment', 'llm', ['/spec/replicas'], 'KEDA ScaledObject models/llm-scaler', true],
    ]);
  });

  test('without scaling the target keeps its replicas and nothing is claimed', () => {
    const app = new App();
    const models = new Chart(app, 'models', { namespace: 'models' });
    new FakeBackend(models, 'llm');
    expect(one(synthValid(models), 'Deployment', 'llm').spec.replicas).toBe(1);
    expect(runtimeOwnedFields(app)).toEqual([]);
  });
});
