import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncModel, AsyncModelProps, IModelBackend, ModelProtocol, ScaleTarget, Transport } from '../../src';
import { one, synthValid, testChart } from '../util';

interface BackendOptions {
  readonly scaleTarget?: ScaleTarget;
  readonly headers?: { [k: string]: string };
}

/** A backend as a binding sees it, with or without a scale target. */
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
  constructor(scope: Construct, id: string, opts: BackendOptions = {}) {
    super(scope, id);
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.endpoint = `http://llm.${this.namespace}.svc.cluster.local:8000`;
    this.scaleTarget = opts.scaleTarget;
    this.noScaleTargetReason = opts.scaleTarget ? undefined : 'Ray autoscales itself: RayService has no scale subresource';
    this.requestHeaders = opts.headers ?? {};
  }
}

/** RabbitMQ with the management API: queue depth counts messages in flight, so models may scale to zero. */
const RABBIT = Transport.rabbitmq({ managementUrl: 'http://rabbitmq.default.svc.cluster.local:15672' });

const deployment: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', supportsScaleToZero: true };

function bind(props: Partial<AsyncModelProps> = {}, backendOpts: BackendOptions = { scaleTarget: deployment }) {
  const chart = testChart('ai');
  const backend = new FakeBackend(chart, 'llm', backendOpts);
  const model = new AsyncModel(chart, 'ask-llm', { backend, transport: RABBIT, ...props });
  return { chart, model };
}

describe('AsyncModel', () => {
  test('binds a scalable model: bridge actor, handler ConfigMap, KEDA on the model, network policy', () => {
    const { chart, model } = bind();
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(model.actorName).toBe('ask-llm');
    expect(model.queueName).toBe('asya-ask-llm');

    const actor = one(manifests, 'AsyncActor', 'ask-llm');
    const runtime = actor.spec.workload.template.spec.containers[0];
    const env = Object.fromEntries(runtime.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      ASYA_HANDLER: 'bridge.handle',
      BRIDGE_PROTOCOL: 'openai-chat',
      BRIDGE_URL: 'http://llm.ai.svc.cluster.local:8000/v1/chat/completions',
      BRIDGE_MODEL: 'llama-3',
      BRIDGE_MAX_RETRIES: '3',
      BRIDGE_TIMEOUT_SECONDS: '120',
      PYTHONPATH: '/opt/asya-handlers',
    });
    // The handler module is mounted where PYTHONPATH points (the bundled-handler layout is asya/'s).
    expect(runtime.volumeMounts).toEqual([{ name: expect.any(String), mountPath: env.PYTHONPATH, readOnly: true }]);
    expect(manifests.find((m) => m.kind === 'ConfigMap' && m.data?.['bridge.py'])?.data['bridge.py']).toContain('def handle(');

    // One ScaledObject per target, named after it; over the management API KEDA counts ready + unacked
    // messages (kedacore/keda pkg/scalers/rabbitmq_scaler.go:546-566 @ v2.20.2).
    const so = one(manifests, 'ScaledObject', 'llm-scaler');
    expect(so.metadata.namespace).toBe('ai');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' });
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers).toEqual([{
      name: 'ask-llm',
      type: 'rabbitmq',
      metadata: { protocol: 'http', host: 'http://rabbitmq.default.svc.cluster.local:15672', queueName: 'asya-ask-llm', mode: 'QueueLength', value: '5' },
      authenticationRef: { name: 'llm-scaler-auth' },
    }]);
    expect(model.scaledObject).toBeDefined();
    expect(one(manifests, 'TriggerAuthentication', 'llm-scaler-auth').spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'rabbitmq-secret', key: 'username' },
      { parameter: 'password', name: 'rabbitmq-secret', key: 'password' },
    ]);

    const np = one(manifests, 'NetworkPolicy', 'ask-llm-model-ingress');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'llm' } });
    expect(np.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai' } }, podSelector: { matchLabels: { 'asya.sh/asya': 'ask-llm' } } }],
      ports: [{ protocol: 'TCP', port: 8000 }],
    }]);
  });

  test('a backend without scale target binds without KEDA; extra headers reach the bridge', () => {
    const { chart } = bind({}, { headers: { 'Seldon-Model': 'llm' } });
    const manifests = synthValid(chart);
    expect(manifests.filter((m) => m.kind === 'ScaledObject')).toEqual([]);
    const env = one(manifests, 'AsyncActor', 'ask-llm').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_HEADERS', value: '{"Seldon-Model":"llm"}' });
    expect(env).toContainEqual({ name: 'BRIDGE_MAX_RETRIES', value: '3' });
  });

  test('SQS with a KEDA role uses pod identity; options are honoured', () => {
    const { chart } = bind({
      transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', kedaRoleArn: 'arn:aws:iam::123456789012:role/keda' }),
      modelScaling: { minReplicas: 1, maxReplicas: 3, queueLength: 2 },
      requestTimeout: Duration.seconds(30),
      maxRetries: 2,
      outputKey: 'answer',
      networkPolicy: false,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const so = one(manifests, 'ScaledObject', 'llm-scaler');
    expect(so.spec.triggers[0].metadata).toEqual({
      queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/asya-ask-llm', queueLength: '2', awsRegion: 'eu-west-1',
    });
    expect(one(manifests, 'TriggerAuthentication').spec).toEqual({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/keda' } });
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.name)).toEqual(['ask-llm-network']);
  });

  test.each<[string, Partial<AsyncModelProps>, any, string]>([
    ['KEDA on a backend without scale target', { modelScaling: { enabled: true } }, {},
      'test/ask-llm: modelScaling.enabled (true) cannot be used with test/llm: Ray autoscales itself: RayService has no scale subresource'],
    ['min above max', { modelScaling: { minReplicas: 3, maxReplicas: 2 } }, { scaleTarget: deployment }, 'modelScaling.minReplicas (3) must not exceed modelScaling.maxReplicas (2)'],
    ['scale to zero where it cannot work', { modelScaling: { minReplicas: 0 } }, { scaleTarget: { ...deployment, supportsScaleToZero: false } },
      'modelScaling.minReplicas (0) must be at least 1: Deployment llm cannot scale to zero'],
    ['ScaledObject name over 54', {}, { scaleTarget: { ...deployment, name: 'a'.repeat(48) } },
      'gives the model\'s ScaledObject name "' + 'a'.repeat(48) + '-scaler" of 55 characters; KEDA allows 54'],
    ['SQS without KEDA authentication', { transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012' }) }, { scaleTarget: deployment },
      'transport ("sqs") needs Transport.sqs({ kedaRoleArn }) or credentialsSecret'],
    ['bad output key', { outputKey: 'my-key' }, { scaleTarget: deployment }, 'outputKey ("my-key") must be an identifier'],
    ['too many retries', { maxRetries: 50 }, { scaleTarget: deployment }, 'maxRetries (50) must be a whole number from 0 to 20'],
  ])('rejects %s', (_t, props, backendOpts, message) => {
    expect(() => bind(props, backendOpts)).toThrow(message);
  });
});
