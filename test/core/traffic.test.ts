import { Chart, Testing } from 'cdk8s';
import { AwsCredentialEndpoints, ClusterDns, NetworkPeer, PodTraffic, TrafficPort } from '../../src';
import { renderNetworkPolicy, renderRules } from '../../src/core/traffic';
import { one, synthValid } from '../util';

describe('traffic model: vocabulary', () => {
  test('peers render as NetworkPolicy peers, namespaces pinned by kubernetes.io/metadata.name', () => {
    expect(NetworkPeer.pods('ai', { b: '2', a: '1' })._toJson()).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai' } },
      podSelector: { matchLabels: { a: '1', b: '2' } },
    });
    expect(NetworkPeer.namespace('monitoring')._toJson()).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } });
    expect(NetworkPeer.podsInAnyNamespace({ app: 'x' })._toJson()).toEqual({ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } });
    expect(NetworkPeer.cidr('10.0.0.0/8', ['10.1.0.0/16'])._toJson()).toEqual({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } });
    expect(NetworkPeer.anywhere()._toJson()).toEqual({ ipBlock: { cidr: '0.0.0.0/0' } });
    expect(NetworkPeer.any()._toJson()).toBeUndefined();
    expect(NetworkPeer.pods('ai', { app: 'x' }).description).toBe('pods app=x in namespace ai');
  });

  test('ports: TCP, UDP, ranges (endPort)', () => {
    expect(TrafficPort.tcp(443)._toJson()).toEqual({ protocol: 'TCP', port: 443 });
    expect(TrafficPort.udp(53)._toJson()).toEqual({ protocol: 'UDP', port: 53 });
    expect(TrafficPort.tcpRange(8000, 8100)._toJson()).toEqual({ protocol: 'TCP', port: 8000, endPort: 8100 });
    expect(TrafficPort.tcpRange(8000, 8100).toString()).toBe('TCP 8000-8100');
    expect(renderRules([{ peer: NetworkPeer.namespace('m'), ports: [TrafficPort.tcp(8000), TrafficPort.tcp(8000), TrafficPort.udp(8000)] }], 'from')[0].ports)
      .toEqual([{ protocol: 'TCP', port: 8000 }, { protocol: 'UDP', port: 8000 }]);
  });

  test('rules: one per distinct flow, order kept, no ports means every port, any() names no peer', () => {
    const a = { peer: NetworkPeer.namespace('x'), ports: [TrafficPort.tcp(1)] };
    expect(renderRules([a, { ...a, description: 'same rule' }, { peer: NetworkPeer.namespace('y') }, { peer: NetworkPeer.any(), ports: [TrafficPort.tcp(5672)] }], 'to')).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }], ports: [{ protocol: 'TCP', port: 1 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] },
      { ports: [{ protocol: 'TCP', port: 5672 }] },
    ]);
  });

  test('one renderer: a NetworkPolicy from a PodTraffic, flows added later still land', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ai' });
    const t = new PodTraffic('ai', { app: 'x' });
    renderNetworkPolicy(chart, 'np', t, { name: 'x', ingress: true, egress: false });
    t.allowIngress({ peer: NetworkPeer.namespace('monitoring'), ports: [TrafficPort.tcp(9090)], description: 'scrapes' });
    const np = one(synthValid(chart), 'NetworkPolicy', 'x');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { app: 'x' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }],
    });
    expect(t.describe()).toEqual(['in:  every pod of namespace monitoring on TCP 9090 (scrapes)']);
  });
});

describe('traffic model: DNS (NET-7)', () => {
  // NodeLocal DNSCache answers on 169.254.20.10 from hostNetwork pods (kubernetes/kubernetes
  // cluster/addons/dns/nodelocaldns/README.md, __PILLAR__LOCAL__DNS__), which no pod selector matches.
  test('default: kube-dns pinned to kube-system (not any namespace: spoofable) plus NodeLocal DNSCache', () => {
    const rules = renderRules(ClusterDns.kubeDns().flows, 'to');
    expect(rules).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
      { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
    ]);
    expect(ClusterDns.kubeDns({ nodeLocalCache: false }).flows).toHaveLength(1);
    expect(renderRules(ClusterDns.kubeDns({ nodeLocalAddresses: ['10.96.0.10/32'] }).flows, 'to')[1].to).toEqual([{ ipBlock: { cidr: '10.96.0.10/32' } }]);
  });

  // OpenShift's DNS operator runs CoreDNS as the daemonset dns-default in openshift-dns, listening on 5353
  // behind the Service's port 53 (openshift/cluster-dns-operator assets/dns/daemonset.yaml).
  test('OpenShift: openshift-dns on 5353', () => {
    expect(renderRules(ClusterDns.openShift().flows, 'to')).toEqual([{
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
        podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
      }],
      ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }],
    }]);
  });

  test('nearest ClusterDns.use wins; default kubeDns', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    expect(ClusterDns.of(chart).flows).toEqual(ClusterDns.kubeDns().flows);
    const os = ClusterDns.openShift();
    ClusterDns.use(app, os);
    expect(ClusterDns.of(chart)).toBe(os);
  });
});

describe('traffic model: link-local credential endpoints are opt-in (NET-8)', () => {
  // EKS Pod Identity agent 169.254.170.23:80 and IMDS 169.254.169.254:80 (AWS EKS user guide, pod-id-how-it-works).
  test('EKS Pod Identity and IMDS', () => {
    expect(renderRules([AwsCredentialEndpoints.eksPodIdentity(), AwsCredentialEndpoints.instanceMetadata()], 'to')).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });
});

describe('traffic model: errors', () => {
  test.each<[string, () => unknown, string]>([
    ['tcp port 0', () => TrafficPort.tcp(0), 'TrafficPort.tcp: port (0) must be a whole number from 1 to 65535'],
    ['udp port 70000', () => TrafficPort.udp(70000), 'TrafficPort.udp: port (70000) must be a whole number from 1 to 65535'],
    ['range backwards', () => TrafficPort.tcpRange(9000, 8000), 'TrafficPort.tcpRange: to (8000) must be greater than from (9000)'],
    ['bad CIDR', () => NetworkPeer.cidr('10.0.0.0'), 'NetworkPeer.cidr: block ("10.0.0.0") must be a CIDR block such as 10.0.0.0/16'],
    ['bad octet', () => NetworkPeer.cidr('10.0.0.300/8'), 'NetworkPeer.cidr: block ("10.0.0.300/8") must be a CIDR block such as 10.0.0.0/16'],
    ['bad except', () => NetworkPeer.cidr('10.0.0.0/8', ['x']), 'NetworkPeer.cidr: except[0] ("x") must be a CIDR block inside block'],
    ['empty namespace', () => NetworkPeer.pods('', {}), 'NetworkPeer.pods: namespace ("") must be a namespace name'],
    ['labels not a map', () => NetworkPeer.pods('a', [] as any), 'NetworkPeer.pods: labels ([]) must be a map of pod labels'],
    ['any namespace without labels', () => NetworkPeer.podsInAnyNamespace({}), 'NetworkPeer.podsInAnyNamespace: labels ({}) must name at least one pod label'],
    ['empty custom DNS', () => ClusterDns.custom([]), 'ClusterDns.custom: flows ([]) must list at least one DNS flow'],
    ['custom DNS without a peer', () => ClusterDns.custom([{ peer: 'kube-dns' as any }]), 'ClusterDns.custom: flows[0].peer ("kube-dns") must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)'],
    ['custom DNS with number ports', () => ClusterDns.custom([{ peer: NetworkPeer.namespace('dns'), ports: [53 as any] }]),
      'ClusterDns.custom: flows[0].ports ([53]) must be a list of TrafficPort (TrafficPort.tcp(443), ...), or unset for every port'],
    ['use with a bad value', () => ClusterDns.use(Testing.app(), 'openshift' as any), '<root>: dns ("openshift") must be ClusterDns.kubeDns(), .openShift() or .custom()'],
  ])('%s', (_n, f, message) => {
    expect(f).toThrow(message);
  });
});
