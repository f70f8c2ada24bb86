import { App, Chart, Testing } from 'cdk8s';
import { AsyaCrew, AsyncActor, AsyncPipeline, AsyncPipelineProps, ResultStorage, Transport } from '../../src';
import { one, synthValid } from '../util';

const rabbit = Transport.rabbitmq({ brokerNamespace: 'asya-system', brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' } });
const base = { transport: rabbit, image: 'ghcr.io/acme/steps:2.0.0', resources: { cpu: { limit: '500m' }, memory: { limit: '256Mi' } } };

function withCrew(app: App): void {
  const system = new Chart(app, 'system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport: rabbit, storage: ResultStorage.none() });
}

/** A pipeline `name` with one route `route` of one step and a tool on it. */
function pipeline(app: App, name: string, route: string, props: AsyncPipelineProps = {}, tool: string = `${name}-tool`): AsyncPipeline {
  const p = new AsyncPipeline(app, name, { namespace: name, tools: [{ name: tool, description: 'd', route }], ...props });
  const a = new AsyncActor(p, 'step', { ...base, handler: 'steps.run', name: `${name}-step` });
  p.addRoute(route, [a]);
  return p;
}

describe('gateway tools', () => {
  // PIP-1: the gateway reads ASYA_CONFIG_PATH only (deliveryhero/asya src/asya-gateway/cmd/gateway/main.go @ v0.1.1)
  // and a pod mounts ConfigMaps of its own namespace: the ConfigMap goes to the gateway's namespace.
  test('gatewayNamespace places the tools ConfigMap beside the gateway; key <pipeline>.yaml (PIP-1, PIP-2)', () => {
    const app = Testing.app();
    withCrew(app);
    const p = pipeline(app, 'rag', 'ask', { gatewayNamespace: 'asya-system' });
    const cm = one(synthValid(p), 'ConfigMap', 'rag-gateway-tools');
    expect(cm.metadata.namespace).toBe('asya-system');
    expect(Object.keys(cm.data)).toEqual(['rag.yaml']);
    expect(cm.data['rag.yaml']).toContain('  ask:\n    - rag-step\n');
  });

  test('without gatewayNamespace the ConfigMap stays in the pipeline namespace', () => {
    const app = Testing.app();
    withCrew(app);
    expect(one(synthValid(pipeline(app, 'rag', 'ask')), 'ConfigMap', 'rag-gateway-tools').metadata.namespace).toBe('rag');
  });

  test('gatewayNamespace is checked', () => {
    expect(() => pipeline(Testing.app(), 'rag', 'ask', { gatewayNamespace: 'Asya System' }))
      .toThrow('rag: gatewayNamespace ("Asya System") must be a DNS-1123 label');
  });

  // PIP-2: deliveryhero/asya src/asya-gateway/internal/config/loader.go `MergeConfigs` @ v0.1.1 refuses a tool
  // or route template name repeated across the files of the config directory: the gateway exits at start.
  test('two pipelines for one gateway may not share a route or tool name (PIP-2)', () => {
    const app = Testing.app();
    withCrew(app);
    pipeline(app, 'rag', 'ask', { gatewayNamespace: 'asya-system' }, 'ask');
    pipeline(app, 'docs', 'ask', { gatewayNamespace: 'asya-system' }, 'ask');
    expect(() => app.synth()).toThrow(/docs: route "ask" is also a route of pipeline rag for the gateway in asya-system: the gateway refuses duplicate route names across its config files/);
    expect(() => app.synth()).toThrow(/docs: tool "ask" is also a tool of pipeline rag for the gateway in asya-system: the gateway refuses duplicate tool names/);
  });

  test('distinct names, or different gateways, pass', () => {
    const app = Testing.app();
    withCrew(app);
    pipeline(app, 'rag', 'ask', { gatewayNamespace: 'asya-system' });
    pipeline(app, 'docs', 'lookup', { gatewayNamespace: 'asya-system' });
    pipeline(app, 'other', 'ask', { gatewayNamespace: 'gw-b' });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('monitor labels (MON-3)', () => {
  // prometheus-operator/prometheus-operator pkg/apis/monitoring/v1/prometheus_types.go @ v0.93.0: a Prometheus
  // selects monitors by label; kube-prometheus-stack's default selector is `release: <release>`.
  test('monitorLabels land on every monitor of the pipeline', () => {
    const app = Testing.app();
    withCrew(app);
    const p = pipeline(app, 'rag', 'ask', { podMonitor: true, monitoringNamespace: 'monitoring', monitorLabels: { release: 'kube-prometheus-stack' } });
    const manifests = synthValid(p);
    for (const m of manifests.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor')) {
      expect(m.metadata.labels).toEqual({ 'release': 'kube-prometheus-stack', 'asya.sh/pipeline': 'rag' });
    }
    expect(manifests.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor').length).toBeGreaterThanOrEqual(2);
  });

  test('monitorLabels are checked', () => {
    expect(() => pipeline(Testing.app(), 'rag', 'ask', { monitorLabels: { 'bad key!': 'x' } })).toThrow('rag: monitorLabels ("bad key!") is not a valid label key');
    expect(() => pipeline(Testing.app(), 'rag', 'ask', { monitorLabels: { release: 'a b' } })).toThrow('rag: monitorLabels["release"] ("a b") is not a valid label value');
    expect(() => pipeline(Testing.app(), 'rag', 'ask', { monitorLabels: { 'asya.sh/pipeline': 'x' } })).toThrow('rag: monitorLabels ("asya.sh/pipeline") is set by the pipeline');
  });
});
