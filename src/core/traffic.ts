import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { check } from './errors';

/**
 * A port (or port range) of a traffic flow, as a NetworkPolicy rule names it.
 */
export class TrafficPort {
  /** One TCP port. */
  public static tcp(port: number): TrafficPort {
    checkPort('TrafficPort.tcp', port);
    return new TrafficPort('TCP', port, undefined);
  }

  /** One UDP port. */
  public static udp(port: number): TrafficPort {
    checkPort('TrafficPort.udp', port);
    return new TrafficPort('UDP', port, undefined);
  }

  /** A range of TCP ports, both ends included (NetworkPolicy `endPort`, Kubernetes >= 1.25). */
  public static tcpRange(from: number, to: number): TrafficPort {
    checkPort('TrafficPort.tcpRange', from);
    checkPort('TrafficPort.tcpRange', to);
    check(from < to, 'TrafficPort.tcpRange', 'to', to, `must be greater than from (${from})`);
    return new TrafficPort('TCP', from, to);
  }

  private constructor(
    /** `TCP` or `UDP`. */
    public readonly protocol: string,
    /** The port (the first of a range). */
    public readonly port: number,
    /** The last port of a range. */
    public readonly endPort: number | undefined,
  ) {}

  /** e.g. `TCP 443` or `TCP 8000-8100`. */
  public toString(): string {
    return `${this.protocol} ${this.port}${this.endPort !== undefined ? `-${this.endPort}` : ''}`;
  }

  /** @internal */
  public _toJson(): any {
    return { protocol: this.protocol, port: this.port, ...(this.endPort !== undefined ? { endPort: this.endPort } : {}) };
  }
}

function checkPort(where: string, port: number): void {
  check(Number.isInteger(port) && port >= 1 && port <= 65535, where, 'port', port, 'must be a whole number from 1 to 65535');
}

const NS_LABEL = 'kubernetes.io/metadata.name';
const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const CIDR6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/\d{1,3}$/;

/** True for an IPv4 or IPv6 CIDR block such as `10.0.0.0/8`. */
export function isCidr(block: unknown): boolean {
  if (typeof block !== 'string') return false;
  const m = CIDR4.exec(block);
  if (m) return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  if (CIDR6.test(block)) return Number(block.split('/')[1]) <= 128;
  return false;
}

/**
 * The other end of a traffic flow: pods (by namespace and labels) or an IP block. Namespaces are always
 * pinned by their `kubernetes.io/metadata.name` label (set by the API server, so no other namespace can
 * claim it), except for `podsInAnyNamespace`.
 */
export class NetworkPeer {
  /**
   * Pods of one namespace with these labels (no labels: every pod of the namespace).
   */
  public static pods(namespace: string, labels: { [key: string]: string }): NetworkPeer {
    check(typeof namespace === 'string' && namespace.length > 0, 'NetworkPeer.pods', 'namespace', namespace, 'must be a namespace name');
    check(!!labels && typeof labels === 'object' && !Array.isArray(labels), 'NetworkPeer.pods', 'labels', labels, 'must be a map of pod labels');
    const l = sortedLabels(labels);
    const desc = Object.keys(l).length ? `pods ${labelText(l)} in namespace ${namespace}` : `every pod of namespace ${namespace}`;
    return new NetworkPeer(desc, {
      namespaceSelector: { matchLabels: { [NS_LABEL]: namespace } },
      ...(Object.keys(l).length ? { podSelector: { matchLabels: l } } : {}),
    });
  }

  /** Every pod of a namespace. */
  public static namespace(name: string): NetworkPeer {
    return NetworkPeer.pods(name, {});
  }

  /**
   * Pods with these labels in any namespace. Any namespace can run a pod with these labels: prefer
   * `pods(namespace, labels)` when the namespace is known.
   */
  public static podsInAnyNamespace(labels: { [key: string]: string }): NetworkPeer {
    check(!!labels && typeof labels === 'object' && Object.keys(labels).length > 0, 'NetworkPeer.podsInAnyNamespace', 'labels', labels,
      'must name at least one pod label');
    const l = sortedLabels(labels);
    return new NetworkPeer(`pods ${labelText(l)} in any namespace`, { namespaceSelector: {}, podSelector: { matchLabels: l } });
  }

  /**
   * An IP block, e.g. `10.0.0.0/16` or `169.254.20.10/32`, optionally minus sub-blocks.
   */
  public static cidr(block: string, except?: string[]): NetworkPeer {
    check(isCidr(block), 'NetworkPeer.cidr', 'block', block, 'must be a CIDR block such as 10.0.0.0/16');
    (except ?? []).forEach((e, i) => check(isCidr(e), 'NetworkPeer.cidr', `except[${i}]`, e, 'must be a CIDR block inside block'));
    return new NetworkPeer(`${block}${except?.length ? ` except ${except.join(', ')}` : ''}`,
      { ipBlock: { cidr: block, ...(except?.length ? { except: [...except] } : {}) } });
  }

  /**
   * Any peer at all: pods of every namespace and any address (the rule names no peer). Use it only
   * where the peer cannot be known; an ipBlock such as `0.0.0.0/0` may not match pods (on Cilium it
   * matches only addresses outside the cluster).
   */
  public static any(): NetworkPeer {
    return new NetworkPeer('any peer', undefined);
  }

  /** Any IPv4 address (`0.0.0.0/0`): addresses outside the cluster (whether it matches pods depends on the CNI). */
  public static anywhere(): NetworkPeer {
    return NetworkPeer.cidr('0.0.0.0/0');
  }

  /** The peer's JSON as text, the identity of the peer in a rule (computed once). */
  private key?: string;

  private constructor(
    /** A short human description (`pods app=x in namespace y`), used in docs and errors. */
    public readonly description: string,
    private readonly peer: any,
  ) {}

  /** @internal */
  public _toJson(): any {
    return this.peer === undefined ? undefined : copyJson(this.peer);
  }

  /** @internal The peer's JSON as text: two peers with the same key render the same rule peer. */
  public _key(): string {
    return (this.key ??= this.peer === undefined ? '' : JSON.stringify(this.peer));
  }
}

/** A deep copy of plain JSON data (maps, lists and scalars). */
function copyJson(v: any): any {
  if (Array.isArray(v)) return v.map(copyJson);
  if (v === null || typeof v !== 'object') return v;
  const out: any = {};
  for (const k of Object.keys(v)) out[k] = copyJson(v[k]);
  return out;
}

function sortedLabels(labels: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

function labelText(labels: { [key: string]: string }): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * One flow a construct's pods need: a peer and the ports on the side that receives the connection (for
 * ingress, ports on our pods; for egress, ports on the peer's pods, after Service DNAT: the pod port, not
 * the Service port).
 */
export interface TrafficFlow {
  /** The other end. */
  readonly peer: NetworkPeer;
  /**
   * The ports.
   * @default - every port and protocol
   */
  readonly ports?: TrafficPort[];
  /**
   * Why the flow exists (and, for upstream facts, where they are stated). Shown by `describe()`.
   * @default - none
   */
  readonly description?: string;
}

/** Checks a user-supplied flow (types, for callers without TypeScript). */
export function checkFlow(scope: IConstruct | string, field: string, flow: TrafficFlow): void {
  check(!!flow && flow.peer instanceof NetworkPeer, scope, `${field}.peer`, flow?.peer,
    'must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)');
  if (flow.ports !== undefined) {
    check(Array.isArray(flow.ports) && flow.ports.every((p) => p instanceof TrafficPort), scope, `${field}.ports`, flow.ports,
      'must be a list of TrafficPort (TrafficPort.tcp(443), ...), or unset for every port');
  }
}

/** A flow as text: `pods app=x in namespace y on TCP 8000 (why)`. */
export function describeFlow(flow: TrafficFlow): string {
  const ports = flow.ports?.length ? flow.ports.map((p) => p.toString()).join(', ') : 'every port';
  return `${flow.peer.description} on ${ports}${flow.description ? ` (${flow.description})` : ''}`;
}

/**
 * Options of the cluster DNS peer for `ClusterDns.kubeDns()`.
 */
export interface KubeDnsOptions {
  /**
   * Namespace of the DNS pods.
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Labels of the DNS pods (CoreDNS keeps the kube-dns label on kubeadm, EKS, GKE and AKS).
   * @default {"k8s-app": "kube-dns"}
   */
  readonly podSelector?: { [key: string]: string };
  /**
   * Also allow NodeLocal DNSCache, which answers on a link-local address from hostNetwork pods (so no
   * pod selector matches it).
   * @default true
   */
  readonly nodeLocalCache?: boolean;
  /**
   * The addresses NodeLocal DNSCache listens on. In its iptables mode without a link-local address, add
   * the kube-dns Service ClusterIP here (e.g. `10.96.0.10/32`).
   * @default ["169.254.20.10/32"] (the nodelocaldns manifest's __PILLAR__LOCAL__DNS__)
   */
  readonly nodeLocalAddresses?: string[];
  /**
   * DNS ports on the DNS pods.
   * @default - UDP and TCP 53
   */
  readonly ports?: TrafficPort[];
}

/**
 * Where pods resolve names: the DNS egress every generated NetworkPolicy allows. Set it once for a
 * scope (usually the App) with `ClusterDns.use(app, ClusterDns.openShift())`; constructs below pick the
 * nearest one.
 */
export class ClusterDns {
  /**
   * kube-dns/CoreDNS in `kube-system` (pinned by namespace name, so no other namespace can impersonate
   * it) plus NodeLocal DNSCache on 169.254.20.10, on port 53.
   */
  public static kubeDns(options: KubeDnsOptions = {}): ClusterDns {
    const ports = options.ports ?? [TrafficPort.udp(53), TrafficPort.tcp(53)];
    const flows: TrafficFlow[] = [{
      peer: NetworkPeer.pods(options.namespace ?? 'kube-system', options.podSelector ?? { 'k8s-app': 'kube-dns' }),
      ports,
      description: 'cluster DNS',
    }];
    if (options.nodeLocalCache ?? true) {
      for (const a of options.nodeLocalAddresses ?? ['169.254.20.10/32']) {
        flows.push({ peer: NetworkPeer.cidr(a), ports, description: 'NodeLocal DNSCache' });
      }
    }
    return new ClusterDns(flows);
  }

  /**
   * OpenShift: the DNS operator's pods in `openshift-dns` (label `dns.operator.openshift.io/daemonset-dns:
   * default`), which listen on 5353 behind the dns-default Service's port 53.
   */
  public static openShift(): ClusterDns {
    return new ClusterDns([{
      peer: NetworkPeer.pods('openshift-dns', { 'dns.operator.openshift.io/daemonset-dns': 'default' }),
      ports: [TrafficPort.udp(5353), TrafficPort.tcp(5353)],
      description: 'OpenShift cluster DNS',
    }]);
  }

  /** Any other distribution: the DNS flows as given. */
  public static custom(flows: TrafficFlow[]): ClusterDns {
    check(Array.isArray(flows) && flows.length > 0, 'ClusterDns.custom', 'flows', flows, 'must list at least one DNS flow');
    flows.forEach((f, i) => checkFlow('ClusterDns.custom', `flows[${i}]`, f));
    return new ClusterDns([...flows]);
  }

  /**
   * Uses `dns` for every construct under `scope` (nearest wins).
   */
  public static use(scope: IConstruct, dns: ClusterDns): void {
    check(dns instanceof ClusterDns, scope, 'dns', dns, 'must be ClusterDns.kubeDns(), .openShift() or .custom()');
    DNS_BY_SCOPE.set(scope, dns);
  }

  /**
   * The DNS in effect at `scope`: the nearest `ClusterDns.use`, else `ClusterDns.kubeDns()`.
   */
  public static of(scope: IConstruct): ClusterDns {
    for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
      const d = DNS_BY_SCOPE.get(c);
      if (d) return d;
    }
    return DEFAULT_DNS;
  }

  private constructor(
    /** The DNS egress flows. */
    public readonly flows: TrafficFlow[],
  ) {}
}

const DNS_BY_SCOPE = new WeakMap<IConstruct, ClusterDns>();
const DEFAULT_DNS = ClusterDns.kubeDns();

/**
 * Link-local endpoints AWS SDKs fetch credentials from. Not allowed by default: IRSA and static keys
 * need none of them.
 */
export class AwsCredentialEndpoints {
  /** The EKS Pod Identity agent (169.254.170.23:80). */
  public static eksPodIdentity(): TrafficFlow {
    return { peer: NetworkPeer.cidr('169.254.170.23/32'), ports: [TrafficPort.tcp(80)], description: 'EKS Pod Identity agent' };
  }

  /** The EC2 instance metadata service (169.254.169.254:80): node role credentials. */
  public static instanceMetadata(): TrafficFlow {
    return { peer: NetworkPeer.cidr('169.254.169.254/32'), ports: [TrafficPort.tcp(80)], description: 'EC2 instance metadata (IMDS)' };
  }

  private constructor() {}
}

/**
 * The flows of one group of pods, in and out. NetworkPolicies are rendered from it, and only from it, by
 * `renderNetworkPolicy`.
 */
export class PodTraffic {
  private readonly ingressFlows: TrafficFlow[] = [];
  private readonly egressFlows: TrafficFlow[] = [];

  constructor(
    /** The namespace of the pods. */
    public readonly namespace: string,
    /** Labels selecting the pods. */
    public readonly podSelector: { [key: string]: string },
  ) {}

  /** Adds an ingress flow (a peer that may connect to these pods). */
  public allowIngress(flow: TrafficFlow): void {
    this.ingressFlows.push(flow);
  }

  /** Adds an egress flow (a peer these pods may connect to). */
  public allowEgress(flow: TrafficFlow): void {
    this.egressFlows.push(flow);
  }

  /** The ingress flows, in the order added. */
  public get ingress(): TrafficFlow[] {
    return [...this.ingressFlows];
  }

  /** The egress flows, in the order added. */
  public get egress(): TrafficFlow[] {
    return [...this.egressFlows];
  }

  /** The flows as text lines (`in: ...` / `out: ...`), for docs and reviews. */
  public describe(): string[] {
    return [...this.ingressFlows.map((f) => `in:  ${describeFlow(f)}`), ...this.egressFlows.map((f) => `out: ${describeFlow(f)}`)];
  }
}

/** Options of `renderNetworkPolicy`. */
export interface NetworkPolicyOptions {
  /** The NetworkPolicy's name. */
  readonly name: string;
  /** Its namespace (default: the chart's). */
  readonly namespace?: string;
  /** Its labels. */
  readonly labels?: { [key: string]: string };
  /** Enforce ingress (only the traffic's ingress flows are admitted). */
  readonly ingress: boolean;
  /** Enforce egress (only the traffic's egress flows are allowed). */
  readonly egress: boolean;
}

/**
 * The one place NetworkPolicies are rendered: from a PodTraffic, late (flows added after the
 * constructor still land), one rule per distinct flow, in the order declared.
 */
export function renderNetworkPolicy(scope: Construct, id: string, traffic: PodTraffic, options: NetworkPolicyOptions): ApiObject {
  const policyTypes = [...(options.ingress ? ['Ingress'] : []), ...(options.egress ? ['Egress'] : [])];
  return new ApiObject(scope, id, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: options.name,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.labels ? { labels: { ...options.labels } } : {}),
    },
    spec: {
      podSelector: { matchLabels: sortedLabels(traffic.podSelector) },
      policyTypes,
      ...(options.ingress ? { ingress: Lazy.any({ produce: () => renderRules(traffic.ingress, 'from') }) } : {}),
      ...(options.egress ? { egress: Lazy.any({ produce: () => renderRules(traffic.egress, 'to') }) } : {}),
    },
  });
}

/** NetworkPolicy rules of flows: one per distinct flow, duplicates dropped, order kept. */
export function renderRules(flows: TrafficFlow[], direction: 'from' | 'to'): any[] {
  const seen = new Set<string>();
  const rules: any[] = [];
  for (const f of flows) {
    // A rule is its peer and its distinct ports, in order: the key names both without rendering the rule.
    const ports = new Map<string, TrafficPort>();
    for (const p of f.ports ?? []) ports.set(p.toString(), p);
    const key = `${f.peer._key()} ${[...ports.keys()].join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const peer = f.peer._toJson();
    const rule: any = peer === undefined ? {} : { [direction]: [peer] };
    if (ports.size) rule.ports = [...ports.values()].map((p) => p._toJson());
    rules.push(rule);
  }
  return rules;
}
