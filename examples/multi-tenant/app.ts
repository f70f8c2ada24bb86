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
 * per tenant namespace with its own queue (`asya-<tenant>-ask`) and scaling limits. Exactly one binding
 * scales the shared model (KEDA allows one ScaledObject per target); the others only call it, each
 * allowed in by its own NetworkPolicy.
 */
export function buildMultiTenant(outdir?: string): App {
  const app = new App({ outdir });
  const transport = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', brokerNamespace: 'asya-system' });

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
      // One scaler per model: the first tenant's queue drives the shared model.
      modelScaling: i === 0 ? { minReplicas: 0, maxReplicas: 2, queueLength: 8 } : { enabled: false },
      bridgeScaling: { maxReplicas: t.maxBridges },
      outputKey: 'answer',
      requestTimeout: Duration.minutes(t.timeoutMinutes),
    });
    p.addRoute('ask', [ask]);
  });
  return app;
}
