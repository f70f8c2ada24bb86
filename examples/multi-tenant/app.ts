import { App, Chart, Duration } from 'cdk8s';
import {
  AsyaCrew, AsyaNamespace, AsyncModel, AsyncPipeline, EnvValue, ModelSource, OpenAIModel, ResultStorage, Transport,
} from '../../src';

/** Tenants and their limits: each gets its own namespace, queue and bridge scaling. */
const TENANTS: Array<{ name: string; maxBridges: number; timeoutMinutes: number }> = [
  { name: 'acme', maxBridges: 8, timeoutMinutes: 2 },
  { name: 'globex', maxBridges: 2, timeoutMinutes: 5 },
];

/**
 * The seed's multi-tenant inference use case: one shared vLLM model in its own namespace, one pipeline
 * per tenant namespace with its own queue (`asya-<tenant>-ask`) and bridge limits.
 *
 * Scaling: the shared model has one ScaledObject (`qwen-scaler` in `shared-models`, KEDA admits one per
 * target) with one trigger per tenant queue: KEDA scales to the busiest queue and wakes the model from
 * zero for any tenant. The first tenant's binding sets the model's replica range (0..2); the others leave
 * it unset. Queue depth is read over the RabbitMQ management API (`managementUrl`, port 15672), which
 * counts messages the bridges are working on (ready + unacked); over AMQP the model could not scale to
 * zero. The Deployment `qwen` carries no `replicas`: KEDA owns them.
 *
 * Secrets created out of band (the library only references them):
 * - `rabbitmq-secret` (keys `username`, `password`) in each tenant namespace (the operator reads it for
 *   the bridge actors) and in `shared-models`, where no actor runs but the model's TriggerAuthentication
 *   reads it for KEDA;
 * - `hf-token` (key `token`) in `shared-models`.
 */
export function buildMultiTenant(outdir?: string): App {
  const app = new App({ outdir });
  const transport = Transport.rabbitmq({
    host: 'rabbitmq.asya-system.svc.cluster.local',
    managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
    brokerNamespace: 'asya-system',
  });

  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.none() });

  const shared = new Chart(app, 'shared-models', { namespace: 'shared-models' });
  new AsyaNamespace(shared, 'shared-models');
  const llm = new OpenAIModel(shared, 'qwen', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-7B-Instruct', 'main'),
    huggingFaceToken: EnvValue.fromSecret('hf-token', 'token'),
    resources: { cpu: { request: '4', limit: '8' }, memory: { request: '24Gi', limit: '32Gi' }, gpu: { count: 1 } },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });

  TENANTS.forEach((t, i) => {
    const p = new AsyncPipeline(app, t.name, { namespace: t.name });
    new AsyaNamespace(p, t.name);
    const ask = new AsyncModel(p, `${t.name}-ask`, {
      backend: llm,
      transport,
      // Every tenant's queue is a trigger of the model's one ScaledObject; the first sets its range.
      modelScaling: i === 0 ? { minReplicas: 0, maxReplicas: 2, queueLength: 8 } : { queueLength: 8 },
      bridgeScaling: { maxReplicas: t.maxBridges },
      outputKey: 'answer',
      requestTimeout: Duration.minutes(t.timeoutMinutes),
    });
    p.addRoute('ask', [ask]);
  });
  return app;
}
