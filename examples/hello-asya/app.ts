import { App, Chart, Duration } from 'cdk8s';
import { AsyaCrew, AsyaNamespace, AsyncActor, EnvValue, NetworkPeer, ResultStorage, TrafficPort, Transport } from '../../src';

/**
 * The smallest real Asya app: a namespace, two actors (preprocess -> summarize) and the crew.
 * Messages enter with route [preprocess, summarize]; results land in MinIO via happy-end.
 */
export function buildHelloAsya(outdir?: string): App {
  const app = new App({ outdir });
  const transport = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', brokerNamespace: 'asya-system' });

  // One crew per transport for the whole cluster, in its own chart.
  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaNamespace(system, 'asya-system');
  new AsyaCrew(system, 'crew', {
    transport,
    storage: ResultStorage.minio({ bucket: 'asya-results', endpoint: 'http://minio.asya-system.svc.cluster.local:9000', credentialsSecret: 'minio-credentials' }),
  });

  const chart = new Chart(app, 'hello', { namespace: 'hello' });
  new AsyaNamespace(chart, 'hello');
  new AsyncActor(chart, 'hello-preprocess', {
    transport,
    handler: 'text.preprocess.clean',
    image: 'ghcr.io/acme/text-tools:1.4.2',
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } },
    processingTimeout: Duration.seconds(30),
  });
  new AsyncActor(chart, 'hello-summarize', {
    transport,
    handler: 'text.summarize.Summarizer.run',
    image: 'ghcr.io/acme/text-tools:1.4.2',
    env: { OPENAI_API_KEY: EnvValue.fromSecret('summarizer-credentials', 'api-key') },
    // It calls a hosted LLM API: HTTPS out (FLOWS.md; narrow the CIDR behind an egress proxy or a private endpoint).
    egressFlows: [{ peer: NetworkPeer.anywhere(), ports: [TrafficPort.tcp(443)], description: 'hosted LLM API' }],
    resources: { cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi', limit: '1Gi' } },
    processingTimeout: Duration.minutes(2),
    scaling: { maxReplicas: 5, queueLength: 2 },
  });
  return app;
}
