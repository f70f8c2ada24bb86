import { App, Chart, Testing } from 'cdk8s';
import {
  AsyaCrew, AsyncActor, AsyncActorProps, AsyncPipeline, AwsCredentialEndpoints, ClusterDns, JobLauncher, NetworkPeer, ResultStorage,
  Transport, TrafficPort, VolcanoTrainingJob,
} from '../../src';
import { one, SMALL_RESOURCES, synthValid, testChart } from '../util';

const IMAGE = 'ghcr.io/acme/steps:1.0.0';
const NS = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const KUBE_DNS = {
  to: [{ ...NS('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};
const NODE_LOCAL_DNS = { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };

function actor(chart: Chart, props: Partial<AsyncActorProps> = {}): AsyncActor {
  return new AsyncActor(chart, 'step', { transport: Transport.rabbitmq(), handler: 'steps.run', image: IMAGE, resources: SMALL_RESOURCES, ...props });
}

function policy(chart: Chart, name: string = 'step-network'): any {
  return one(synthValid(chart), 'NetworkPolicy', name).spec;
}

describe('actor flows', () => {
  test('defaults: DNS (kube-system + NodeLocal DNSCache), the AMQP broker, nothing in but what is declared', () => {
    const chart = testChart('ai');
    actor(chart);
    const spec = policy(chart);
    expect(spec).toMatchSnapshot();
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress).toEqual([]);
    // Asya builds only amqp:// URLs (deliveryhero/asya src/asya-sidecar/internal/config/config.go:164-175 @ v0.1.1);
    // with no broker namespace the rule names no peer: an ipBlock 0.0.0.0/0 would not match an in-cluster broker on Cilium.
    expect(spec.egress).toEqual([KUBE_DNS, NODE_LOCAL_DNS, { ports: [{ protocol: 'TCP', port: 5672 }] }]);
  });

  test('NET-9: broker peers narrow 5672: namespace + labels, labels in any namespace, or CIDRs outside the cluster', () => {
    const egressOf = (t: Transport) => { const c = testChart('ai'); actor(c, { transport: t }); return policy(c).egress[2]; };
    expect(egressOf(Transport.rabbitmq({ brokerNamespace: 'mq', brokerPodSelector: { app: 'rabbitmq' } }))).toEqual({
      to: [{ ...NS('mq'), podSelector: { matchLabels: { app: 'rabbitmq' } } }], ports: [{ protocol: 'TCP', port: 5672 }],
    });
    expect(egressOf(Transport.rabbitmq({ brokerPodSelector: { app: 'rabbitmq' } }))).toEqual({
      to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'rabbitmq' } } }], ports: [{ protocol: 'TCP', port: 5672 }],
    });
    expect(egressOf(Transport.rabbitmq({ port: 5671, brokerCidrs: ['10.8.0.0/24'] }))).toEqual({
      to: [{ ipBlock: { cidr: '10.8.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5671 }],
    });
  });

  test('NET-9: SQS on 443 (covers STS for IRSA), narrowed by endpointCidrs to a VPC endpoint; NET-8: credential endpoints opt-in', () => {
    const sqs = (extra: any = {}) => Transport.sqs({ region: 'eu-central-1', accountId: '123456789012', ...extra });
    const c1 = testChart('ai');
    actor(c1, { transport: sqs() });
    expect(policy(c1).egress.slice(2)).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    const c2 = testChart('ai');
    actor(c2, { transport: sqs({ endpointCidrs: ['10.0.1.0/24', '10.0.2.0/24'], credentialEndpoints: [AwsCredentialEndpoints.eksPodIdentity()] }) });
    expect(policy(c2).egress.slice(2)).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.1.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.0.2.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      // EKS Pod Identity agent (AWS EKS user guide "pod-id-how-it-works": 169.254.170.23:80).
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });

  // NET-6: every sidecar reports progress to the gateway synchronously, three reports per message
  // (deliveryhero/asya src/asya-sidecar/internal/router/router.go:232,283,309 @ v0.1.1), 5 tries x 5 s each
  // (internal/progress/reporter.go:35,71): the gateway's pods (asya-gateway chart selector
  // app.kubernetes.io/name, container port 8080 from config.port, deploy/helm-charts/asya-gateway/values.yaml @ v0.1.1).
  test('NET-6: a gateway declared on the transport opens egress to it from every actor', () => {
    const chart = testChart('ai');
    actor(chart, { transport: Transport.rabbitmq({ brokerNamespace: 'mq', gateway: { namespace: 'asya-system' } }) });
    expect(policy(chart).egress).toContainEqual({
      to: [{ ...NS('asya-system'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'asya-gateway' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
    const c2 = testChart('ai');
    actor(c2, { transport: Transport.rabbitmq({ gateway: { namespace: 'gw', podSelector: { app: 'gw' }, port: 9090 } }) });
    expect(policy(c2).egress).toContainEqual({ to: [{ ...NS('gw'), podSelector: { matchLabels: { app: 'gw' } } }], ports: [{ protocol: 'TCP', port: 9090 }] });
  });

  test('user flows: EgressRule kept working (mapped onto the model), egressFlows/ingressFlows, allowEgress/allowIngress, scrapes', () => {
    const chart = testChart('ai');
    const a = actor(chart, {
      egress: [{ ipBlock: '10.0.0.0/8', ports: [6333] }, { podSelector: { app: 'qdrant' }, ports: [6333] }, { namespace: 'db', ports: [5432] }],
      egressFlows: [{ peer: NetworkPeer.cidr('52.0.0.0/8'), ports: [TrafficPort.tcp(443)], description: 'cloud API' }],
      ingressFlows: [{ peer: NetworkPeer.pods('ai', { app: 'debug' }), ports: [TrafficPort.tcp(9000)] }],
      metricsScrapeNamespaces: ['monitoring'],
    });
    a.allowEgress({ peer: NetworkPeer.pods('cache', { app: 'redis' }), ports: [TrafficPort.tcp(6379)] });
    a.allowIngress({ peer: NetworkPeer.namespace('probe') });
    const spec = policy(chart);
    expect(spec.egress.slice(3)).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 6333 }] },
      { to: [{ ...NS('ai'), podSelector: { matchLabels: { app: 'qdrant' } } }], ports: [{ protocol: 'TCP', port: 6333 }] },
      { to: [NS('db')], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '52.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ...NS('cache'), podSelector: { matchLabels: { app: 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]);
    expect(spec.ingress).toEqual([
      { from: [{ ...NS('ai'), podSelector: { matchLabels: { app: 'debug' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      // The sidecar's metrics on :8080 (ASYA_METRICS_ADDR, deliveryhero/asya src/asya-sidecar/internal/config/config.go @ v0.1.1).
      { from: [NS('monitoring')], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [NS('probe')] },
    ]);
    expect(a.traffic.describe()).toContain('out: 52.0.0.0/8 on TCP 443 (cloud API)');
  });

  test('NET-7: ClusterDns.use on the app switches every actor (OpenShift 5353); a per-actor dns wins', () => {
    const app = Testing.app();
    ClusterDns.use(app, ClusterDns.openShift());
    const chart = new Chart(app, 'c', { namespace: 'ai' });
    actor(chart);
    new AsyncActor(chart, 'other', { transport: Transport.rabbitmq(), handler: 'steps.run', image: IMAGE, resources: SMALL_RESOURCES, dns: ClusterDns.kubeDns({ nodeLocalCache: false }) });
    const manifests = synthValid(chart);
    expect(one(manifests, 'NetworkPolicy', 'step-network').spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }]);
    expect(one(manifests, 'NetworkPolicy', 'other-network').spec.egress.slice(0, 2)).toEqual([KUBE_DNS, { ports: [{ protocol: 'TCP', port: 5672 }] }]);
  });

  test('networkPolicy: false emits none (and the traffic is still declared)', () => {
    const chart = testChart('ai');
    const a = actor(chart, { networkPolicy: false });
    expect(synthValid(chart).filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
    expect(a.traffic.egress.length).toBeGreaterThan(0);
  });
});

describe('crew flows (NET-5)', () => {
  // happy-end uploads results and swallows upload errors (deliveryhero/asya src/asya-crew/handlers/end_handlers.py:126-190
  // @ v0.1.1): a blocked store loses results silently. End sidecars POST /envelopes/{id}/final to the gateway
  // (src/asya-sidecar/internal/progress/reporter.go:209).
  test('MinIO: egress to the storage namespace on the endpoint port; gatewayUrl: the gateway chart pods on 8080', () => {
    const chart = testChart('asya-system');
    new AsyaCrew(chart, 'crew', {
      transport: Transport.rabbitmq({ brokerNamespace: 'asya-system' }),
      storage: ResultStorage.minio({ bucket: 'r', endpoint: 'http://minio.storage.svc.cluster.local:9000', credentialsSecret: 'minio' }),
      gatewayUrl: 'http://asya-gateway.asya-system.svc.cluster.local:80',
    });
    const manifests = synthValid(chart);
    for (const name of ['happy-end', 'error-end']) {
      const spec = one(manifests, 'NetworkPolicy', `${name}-network`).spec;
      expect(spec.egress.slice(3)).toEqual([
        { to: [NS('storage')], ports: [{ protocol: 'TCP', port: 9000 }] },
        { to: [{ ...NS('asya-system'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'asya-gateway' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
    }
    expect(one(manifests, 'NetworkPolicy', 'happy-end-network').spec).toMatchSnapshot();
  });

  test('MinIO endpoint forms: a one-label host is the crew namespace, an IP its /32, an explicit peer and podPort win', () => {
    const storageEgress = (storage: ResultStorage) => {
      const chart = testChart('asya-system');
      new AsyaCrew(chart, 'crew', { transport: Transport.rabbitmq({ brokerNamespace: 'mq' }), storage });
      return policy(chart, 'happy-end-network').egress[3];
    };
    expect(storageEgress(ResultStorage.minio({ bucket: 'r', endpoint: 'http://minio:9000', credentialsSecret: 's' })))
      .toEqual({ to: [NS('asya-system')], ports: [{ protocol: 'TCP', port: 9000 }] });
    expect(storageEgress(ResultStorage.minio({ bucket: 'r', endpoint: 'https://10.1.2.3', credentialsSecret: 's' })))
      .toEqual({ to: [{ ipBlock: { cidr: '10.1.2.3/32' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(storageEgress(ResultStorage.minio({
      bucket: 'r', endpoint: 'http://minio.storage:80', credentialsSecret: 's', peer: NetworkPeer.pods('storage', { app: 'minio' }), podPort: 9000,
    }))).toEqual({ to: [{ ...NS('storage'), podSelector: { matchLabels: { app: 'minio' } } }], ports: [{ protocol: 'TCP', port: 9000 }] });
  });

  test('S3: 443 anywhere (S3 and STS have no fixed addresses) or the VPC endpoint CIDRs; IRSA via serviceAccountName; extra egress and scrapes', () => {
    const chart = testChart('asya-system');
    new AsyaCrew(chart, 'crew', {
      transport: Transport.rabbitmq({ brokerNamespace: 'mq' }),
      storage: ResultStorage.s3({ bucket: 'r', region: 'eu-west-1', endpointCidrs: ['10.0.9.0/24'] }),
      serviceAccountName: 'asya-crew',
      egress: [{ namespace: 'audit', ports: [8443] }],
      egressFlows: [AwsCredentialEndpoints.eksPodIdentity()],
      metricsScrapeNamespaces: ['monitoring'],
    });
    const manifests = synthValid(chart);
    const spec = one(manifests, 'NetworkPolicy', 'error-end-network').spec;
    expect(spec.egress.slice(3)).toEqual([
      { to: [NS('audit')], ports: [{ protocol: 'TCP', port: 8443 }] },
      { to: [{ ipBlock: { cidr: '10.0.9.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
    expect(spec.ingress).toEqual([{ from: [NS('monitoring')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(one(manifests, 'AsyncActor', 'happy-end').spec.workload.template.spec.serviceAccountName).toBe('asya-crew');
    const c2 = testChart('asya-system');
    new AsyaCrew(c2, 'crew', { transport: Transport.rabbitmq({ brokerNamespace: 'mq' }), storage: ResultStorage.s3({ bucket: 'r' }) });
    expect(policy(c2, 'happy-end-network').egress[3]).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('a gateway declared on the transport is the one the crew reaches (gatewayUrl adds no second rule); none: no storage rule', () => {
    const chart = testChart('asya-system');
    new AsyaCrew(chart, 'crew', {
      transport: Transport.rabbitmq({ brokerNamespace: 'mq', gateway: { namespace: 'gw', podSelector: { app: 'gw' } } }),
      storage: ResultStorage.none(),
      gatewayUrl: 'https://gateway.example.com',
      networkPolicy: true,
    });
    expect(policy(chart, 'happy-end-network').egress.slice(3)).toEqual([
      { to: [{ ...NS('gw'), podSelector: { matchLabels: { app: 'gw' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });
});

describe('JobLauncher flows (JL-3)', () => {
  function launcher(extra: any = {}) {
    const chart = testChart('ml');
    const job = new VolcanoTrainingJob(chart, 'finetune', { tasks: [{ name: 'worker', image: IMAGE, replicas: 1, resources: SMALL_RESOURCES }] });
    new JobLauncher(chart, 'launch', { job, transport: Transport.rabbitmq({ brokerNamespace: 'mq' }), ...extra });
    return policy(chart, 'launch-network');
  }
  // The API server is reached on 443/6443; on Cilium < 1.15 an ipBlock never matches an API server on the
  // nodes (cilium/cilium#14724), so the address can be narrowed and the doc names the Cilium switch.
  test('API server egress: 0.0.0.0/0 on 443 and 6443 by default, narrowed by apiServerCidrs', () => {
    expect(launcher().egress.slice(3)).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
    expect(launcher({ apiServerCidrs: ['172.16.0.0/28'] }).egress.slice(3))
      .toEqual([{ to: [{ ipBlock: { cidr: '172.16.0.0/28' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
  });

  test('apiServerCidrs errors', () => {
    expect(() => launcher({ apiServerCidrs: [] })).toThrow('test/launch: apiServerCidrs ([]) must list at least one CIDR block (the API server must be reachable)');
    expect(() => launcher({ apiServerCidrs: ['kubernetes.default'] })).toThrow('test/launch: apiServerCidrs[0] ("kubernetes.default") must be a CIDR block such as 10.0.0.0/16');
  });
});

describe('MON-2: podMonitor needs monitoringNamespace', () => {
  test('refused with the reason', () => {
    expect(() => new AsyncPipeline(new App(), 'rag', { namespace: 'rag', podMonitor: true })).toThrow(
      'rag: podMonitor (true) needs monitoringNamespace (the namespace Prometheus runs in): every actor\'s NetworkPolicy admits metrics scrapes only from named namespaces');
  });
});

describe('flow errors', () => {
  test.each<[string, () => unknown, string]>([
    ['brokerCidrs with a namespace', () => Transport.rabbitmq({ brokerCidrs: ['10.0.0.0/8'], brokerNamespace: 'mq' }),
      'Transport.rabbitmq: brokerCidrs (["10.0.0.0/8"]) cannot be combined with brokerNamespace or brokerPodSelector: a broker is either outside the cluster or in it'],
    ['empty brokerCidrs', () => Transport.rabbitmq({ brokerCidrs: [] }), 'Transport.rabbitmq: brokerCidrs ([]) must list at least one CIDR block'],
    ['bad endpointCidrs', () => Transport.sqs({ region: 'eu-central-1', accountId: '123456789012', endpointCidrs: ['vpce-1'] }),
      'Transport.sqs: endpointCidrs[0] ("vpce-1") must be a CIDR block such as 10.0.0.0/16'],
    ['bad credential endpoint', () => Transport.sqs({ region: 'eu-central-1', accountId: '123456789012', credentialEndpoints: [{ peer: '169.254.170.23' as any }] }),
      'Transport.sqs: credentialEndpoints[0].peer ("169.254.170.23") must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)'],
    ['gateway without namespace', () => Transport.rabbitmq({ gateway: { namespace: '' } }), 'Transport.rabbitmq: gateway.namespace ("") must name the gateway\'s namespace'],
    ['gateway port', () => Transport.rabbitmq({ gateway: { namespace: 'gw', port: 0 } }), 'Transport.rabbitmq: gateway.port (0) must be a whole number from 1 to 65535'],
    ['gateway empty selector', () => Transport.rabbitmq({ gateway: { namespace: 'gw', podSelector: {} } }),
      'Transport.rabbitmq: gateway.podSelector ({}) must name at least one label of the gateway\'s pods'],
    ['egress ipBlock not a CIDR', () => actor(testChart(), { egress: [{ ipBlock: '10.0.0.1', ports: [1] }] }),
      'test/step: egress[0].ipBlock ("10.0.0.1") must be a CIDR block such as 10.0.0.0/16'],
    ['egressFlows without a peer', () => actor(testChart(), { egressFlows: [{ ports: [TrafficPort.tcp(1)] } as any] }),
      'test/step: egressFlows[0].peer (unset) must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)'],
    ['ingressFlows with number ports', () => actor(testChart(), { ingressFlows: [{ peer: NetworkPeer.namespace('x'), ports: [80 as any] }] }),
      'test/step: ingressFlows[0].ports ([80]) must be a list of TrafficPort (TrafficPort.tcp(443), ...), or unset for every port'],
    ['allowEgress with a string', () => actor(testChart()).allowEgress({ peer: 'x' as any }),
      'test/step: allowEgress(flow).peer ("x") must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)'],
    ['dns not a ClusterDns', () => actor(testChart(), { dns: 'coredns' as any }), 'test/step: dns ("coredns") must be ClusterDns.kubeDns(), .openShift() or .custom()'],
    ['empty scrape namespace', () => actor(testChart(), { metricsScrapeNamespaces: [''] }), 'test/step: metricsScrapeNamespaces ("") must name a namespace'],
    ['MinIO outside the cluster without a peer', () => new AsyaCrew(testChart('asya-system'), 'crew', {
      transport: Transport.rabbitmq(), storage: ResultStorage.minio({ bucket: 'r', endpoint: 'https://minio.example.com', credentialsSecret: 's' }),
    }), 'test/crew: storage ("https://minio.example.com") names a host outside the cluster: give ResultStorage.minio({ peer: NetworkPeer.cidr(...) }) so the crew\'s NetworkPolicy can allow it'],
    ['gatewayUrl outside the cluster without a transport gateway', () => new AsyaCrew(testChart('asya-system'), 'crew', {
      transport: Transport.rabbitmq(), storage: ResultStorage.none(), gatewayUrl: 'https://gateway.example.com',
    }), 'test/crew: gatewayUrl ("https://gateway.example.com") names a host outside the cluster: declare the gateway on the transport'],
    ['S3 endpointCidrs', () => ResultStorage.s3({ bucket: 'r', endpointCidrs: ['s3'] }), 'ResultStorage.s3: endpointCidrs[0] ("s3") must be a CIDR block such as 10.0.0.0/16'],
    ['MinIO peer not a NetworkPeer', () => ResultStorage.minio({ bucket: 'r', endpoint: 'http://m:9000', credentialsSecret: 's', peer: 'm' as any }),
      'ResultStorage.minio: peer ("m") must be a NetworkPeer'],
    ['MinIO podPort', () => ResultStorage.minio({ bucket: 'r', endpoint: 'http://m:9000', credentialsSecret: 's', podPort: 0 }),
      'ResultStorage.minio: podPort (0) must be a whole number from 1 to 65535'],
  ])('%s', (_n, f, message) => {
    expect(f).toThrow(message);
  });
});
