import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressRule, IAsyncStep } from './async-step';
import { AsyaImages } from './images';
import { ResolvedScaling, resolveScaling, ScalingOptions } from './scaling';
import { Transport } from './transport';
import { ContainerOptions, ContainerPort } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { checkDns1035Label } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';
import { boolProp, checkAnnotationMap, checkLabelMap, durationSeconds, INT32_MAX, intProp, listProp, objectProp, stringProp } from '../core/props';
import { ACTORS } from '../core/registry';
import { renderResources, requireLimits, ResourceRequirements } from '../core/resources';
import { checkFlow, ClusterDns, isCidr, NetworkPeer, PodTraffic, renderNetworkPolicy, TrafficFlow, TrafficPort } from '../core/traffic';
import { AsyncActor as AsyncActorL1 } from '../imports/asya-asyncactor-asya.sh';

/**
 * How the runtime calls the handler.
 */
export enum HandlerMode {
  /** `handler(payload) -> result`: the runtime advances the route (the default). */
  PAYLOAD = 'payload',
  /** `handler(envelope) -> envelope(s)`: the handler manages the route and may extend it at run time. */
  ENVELOPE = 'envelope',
}

/**
 * Settings of the sidecar the operator injects (`spec.sidecar`).
 */
export interface SidecarOptions {
  /**
   * The sidecar image. Always pinned: without it the operator falls back to `asya-sidecar:latest`.
   * @default AsyaImages.SIDECAR
   */
  readonly image?: string;
  /**
   * Accept an untagged or `:latest` sidecar image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * Always, IfNotPresent or Never.
   * @default - the operator's (IfNotPresent)
   */
  readonly imagePullPolicy?: string;
  /**
   * Resources of the injected `asya-sidecar` container (`spec.sidecar.resources`). The operator copies
   * them verbatim and applies no default of its own (deliveryhero/asya
   * src/asya-operator/internal/controller/asya_controller.go:686 @ v0.1.1; the operator chart's
   * `sidecar.defaultResources`, deploy/helm-charts/asya-operator/values.yaml:78-84, is read by no
   * template), so without them the sidecar runs unbounded.
   *
   * The default is that chart value, which fits the sidecar's own needs: it handles one message at a
   * time (RabbitMQ prefetch 1, SQS `MaxNumberOfMessages` 1: src/asya-sidecar/internal/config/config.go,
   * internal/transport/sqs.go) and holds a handful of copies of it while it runs (the delivery, the parsed envelope's payload, the
   * runtime's reply and its parsed payload, the re-encoded envelope it sends on:
   * src/asya-sidecar/internal/router/router.go, internal/runtime/client.go). For a 16 MiB RabbitMQ message
   * (the broker's default `max_message_size`) that is about 100 MiB live, about 200 MiB with Go's GC
   * headroom (GOGC 100, no GOMEMLIMIT in the image), under the 256Mi limit; SQS messages (at most 1 MiB)
   * need far less. Raise `memory.limit` with a broker `maxMessageBytes` above 16 MiB (about 64 MiB
   * plus 12 times the largest message). CPU is JSON encoding and broker I/O: 100m requested, 500m at most.
   *
   * Given resources replace the default as a whole and must set `cpu.limit` and `memory.limit`, or
   * `allowNoLimits: true` (policy ASYA-RES-001 then reports the actor unless it is suppressed).
   * @default { cpu: { request: "100m", limit: "500m" }, memory: { request: "64Mi", limit: "256Mi" } }
   */
  readonly resources?: ResourceRequirements;
  /**
   * Extra sidecar env, appended after the operator's own. Operator variables (ASYA_ACTOR_NAME,
   * ASYA_TRANSPORT, ASYA_RABBITMQ_*, ...) are refused: an entry of the same name would silently override them.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
}

/**
 * Props of an AsyncActor: the runtime container (`asya-runtime`), its pod, its queue and scaling.
 */
export interface AsyncActorProps extends ContainerOptions, PodOptions {
  /**
   * The actor name: the AsyncActor, its Deployment, its queue suffix (`asya-<name>`) and the
   * `asya.sh/asya` pod label. Queue names are not namespaced upstream, so it must be unique per
   * transport across the cluster. A DNS-1035 label of at most 63 characters (54 with scaling).
   * @default - the construct id
   */
  readonly name?: string;
  /** The transport the actor consumes from. */
  readonly transport: Transport;
  /**
   * The handler, `module.function` or `module.Class.method`.
   * @default - read from `env.ASYA_HANDLER`, which must then reference a ConfigMap or Secret key
   *   (`EnvValue.fromConfigMap(...)`); the runtime validates its format at start
   */
  readonly handler?: string;
  /**
   * How the runtime calls the handler.
   * @default HandlerMode.PAYLOAD
   */
  readonly handlerMode?: HandlerMode;
  /**
   * Python interpreter the operator runs the runtime with (Python >= 3.10 is required).
   * @default "python3"
   */
  readonly pythonExecutable?: string;
  /**
   * Socket read chunk size of the runtime, in bytes.
   * @default - the runtime's (65536)
   */
  readonly chunkSize?: number;
  /**
   * Longest time one message may take. Always emitted (without it the sidecar's 5 minutes apply silently).
   * @default Duration.minutes(5)
   */
  readonly processingTimeout?: Duration;
  /**
   * Time the pod gets to finish work on shutdown (terminationGracePeriodSeconds). Always emitted.
   * @default Duration.seconds(30)
   */
  readonly gracefulShutdownTimeout?: Duration;
  /**
   * The injected sidecar.
   * @default - pinned AsyaImages.SIDECAR, no resources, no extra env
   */
  readonly sidecar?: SidecarOptions;
  /**
   * Queue-driven scaling. On by default with minReplicas 0: an idle actor costs nothing.
   * @default - enabled, 0..50 replicas, 5 messages per replica
   */
  readonly scaling?: ScalingOptions;
  /**
   * Replicas when scaling is disabled (ignored by the operator when it is enabled).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Declare the sidecar's metrics port (`asya-metrics`, 8080, `/metrics`) on the runtime container, so a
   * PodMonitor can scrape it (the operator declares no port on the sidecar; pods share one network).
   * @default true
   */
  readonly declareMetricsPort?: boolean;
  /**
   * Traffic the actor sends besides DNS and the broker (e.g. an external API), for the pipeline's
   * NetworkPolicies.
   * @default - none
   */
  readonly egress?: EgressRule[];
  /**
   * Traffic the actor sends besides DNS, the broker and the gateway, in the traffic model's terms (any
   * peer: pods, a namespace, a CIDR block), e.g. `{ peer: NetworkPeer.cidr('10.20.0.0/16'), ports: [TrafficPort.tcp(5432)] }`.
   * @default - none
   */
  readonly egressFlows?: TrafficFlow[];
  /**
   * Traffic the actor's pods accept besides metrics scrapes (actors serve nothing else by default).
   * @default - none
   */
  readonly ingressFlows?: TrafficFlow[];
  /**
   * The cluster DNS the actor's pods resolve names with.
   * @default - ClusterDns.of(this): the nearest ClusterDns.use(), else kube-dns in kube-system plus NodeLocal DNSCache
   */
  readonly dns?: ClusterDns;
  /**
   * Create the actor's NetworkPolicy: its pods may send only DNS, broker traffic, gateway reports and
   * the declared `egress`/`egressFlows`, and receive only metrics scrapes from `metricsScrapeNamespaces`
   * and the declared `ingressFlows`.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Namespaces allowed to scrape the sidecar's metrics port (8080), e.g. `monitoring`.
   * @default - none
   */
  readonly metricsScrapeNamespaces?: string[];
  /**
   * Extra labels on the AsyncActor object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** Volumes the operator injects: users may not declare them. */
const RESERVED_VOLUMES = ['socket-dir', 'tmp', 'asya-runtime'];
/** Paths the operator mounts into asya-runtime. */
const RESERVED_MOUNTS = ['/var/run/asya', '/tmp', '/opt/asya/asya_runtime.py'];
/** Runtime env the operator sets (its values silently win) or we set from props. */
const RESERVED_RUNTIME_ENV = ['ASYA_SOCKET_DIR', 'ASYA_ENABLE_VALIDATION', 'ASYA_HANDLER', 'ASYA_HANDLER_MODE', 'ASYA_CHUNK_SIZE'];
/** The container the operator injects from `spec.sidecar`. */
const SIDECAR_CONTAINER = 'asya-sidecar';

/**
 * Default `spec.sidecar.resources`: deliveryhero/asya deploy/helm-charts/asya-operator/values.yaml
 * `sidecar.defaultResources` @ v0.1.1 (documented there, applied by nothing). Sizing: see SidecarOptions.resources.
 */
const SIDECAR_DEFAULT_RESOURCES: ResourceRequirements = {
  cpu: { request: '100m', limit: '500m' },
  memory: { request: '64Mi', limit: '256Mi' },
};

/** Sidecar env the operator sets; an entry of the same name appended later overrides it. */
const RESERVED_SIDECAR_ENV = [
  'ASYA_SOCKET_DIR', 'ASYA_ACTOR_NAME', 'ASYA_TRANSPORT', 'ASYA_ACTOR_HAPPY_END', 'ASYA_ACTOR_ERROR_END', 'ASYA_IS_END_ACTOR',
  'ASYA_RUNTIME_TIMEOUT', 'ASYA_GATEWAY_URL', 'ASYA_QUEUE_AUTO_CREATE', 'ASYA_AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
];
const RESERVED_SIDECAR_ENV_PREFIXES = ['ASYA_RABBITMQ_', 'ASYA_SQS_'];
/** Pod labels the operator sets; the same key with another value breaks the Deployment selector. */
const OPERATOR_LABELS = ['app', 'asya.sh/asya', 'asya.sh/workload'];
/** Actor names of the crew (AsyaCrew). */
export const CREW_ACTOR_NAMES = ['happy-end', 'error-end'];
/** Scopes allowed to create crew actors. */
export const CREW_SCOPES = new WeakSet<Construct>();

const HANDLER = /^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$/;
const METRICS_PORT = 8080;

/**
 * An Asya actor (asya.sh/v1alpha1 AsyncActor): a queue-fed Deployment whose operator injects a sidecar,
 * creates the queue `asya-<name>` and, with scaling on, a KEDA ScaledObject.
 *
 * Every rule the operator, Kubernetes, KEDA or the runtime would apply after `kubectl apply` is checked
 * here, at synth, with a message naming the field to change.
 *
 * Pod security: the pod and the `asya-runtime` container meet Pod Security Standard `restricted`. The
 * injected `asya-sidecar` container's own securityContext belongs to the operator (v0.1.x sets none): the
 * pod-level runAsNonRoot and seccomp profile cover it, but its allowPrivilegeEscalation and capabilities
 * cannot be set from here, so a namespace enforcing `restricted` rejects actor pods; enforce `baseline`
 * and warn/audit `restricted` (AsyaNamespace does).
 *
 * @see https://github.com/deliveryhero/asya
 */
export class AsyncActor extends Construct implements IAsyncStep {
  public readonly actorName: string;
  public readonly namespace: string;
  public readonly transport: Transport;
  public readonly queueName: string;
  public readonly rewritesRoute: boolean;
  /** The resolved scaling settings. */
  public readonly scalingEnabled: boolean;
  /** Pod labels that select this actor's pods (the operator's `asya.sh/asya`). */
  public readonly podSelector: { [key: string]: string };
  public readonly egress: EgressRule[];
  /** The AsyncActor object. */
  public readonly resource: ApiObject;
  /** The actor's NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: ApiObject;
  /** The flows of the actor's pods, in and out: its NetworkPolicy is rendered from them. */
  public readonly traffic: PodTraffic;
  private readonly scaling: ResolvedScaling;
  private readonly scrapeNamespaces: string[] = [];

  constructor(scope: Construct, id: string, props: AsyncActorProps) {
    super(scope, id);
    const name = props.name ?? id;
    const nameField = props.name === undefined ? 'name (from the construct id)' : 'name';
    check(props.transport instanceof Transport, this, 'transport', props.transport, 'must be Transport.rabbitmq() or Transport.sqs({...})');
    this.scaling = resolveScaling(this, 'scaling', props.scaling);
    this.checkName(scope, nameField, name, props.transport);

    this.actorName = name;
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.transport = props.transport;
    this.queueName = props.transport.queueName(name);
    this.rewritesRoute = props.handlerMode === HandlerMode.ENVELOPE;
    this.scalingEnabled = this.scaling.enabled;
    this.podSelector = { 'asya.sh/asya': name };
    this.egress = [...listProp(this, 'egress', props.egress)];
    checkLabelMap(this, 'labels', props.labels);
    checkAnnotationMap(this, 'podAnnotations', props.podAnnotations);
    ACTORS.add(this);

    this.checkRuntimeStart(props);
    this.checkPodRules(props, name);
    const timeout = this.resolveTimeouts(props);
    if (props.replicas !== undefined) {
      check(Number.isInteger(props.replicas) && props.replicas >= 0, this, 'replicas', props.replicas, 'must be a whole number of at least 0');
      check(!this.scaling.enabled, this, 'replicas', props.replicas, 'is ignored while scaling is enabled: set scaling.enabled to false, or use scaling.minReplicas');
    }
    const sidecar = this.renderSidecar(objectProp(this, 'sidecar', props.sidecar));
    const template = this.renderTemplate(props, timeout.gracefulShutdown);
    this.resource = this.renderResource(props, name, { template, timeout, sidecar });

    this.traffic = this.declareTraffic(props);
    boolProp(this, 'networkPolicy', props.networkPolicy);
    if (props.networkPolicy ?? true) {
      this.networkPolicy = renderNetworkPolicy(this, 'NetworkPolicy', this.traffic, {
        name: `${name}-network`,
        labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'cdk8s-asya' },
        ingress: true,
        egress: true,
      });
    }
  }

  /** The actor name: a DNS-1035 label, short enough for KEDA's HPA name, not the crew's, unique per transport. */
  private checkName(scope: Construct, nameField: string, name: string, transport: Transport): void {
    checkDns1035Label(this, nameField, name, 63, 'the actor name is a label value on its Deployment');
    if (this.scaling.enabled) {
      check(name.length <= 54, this, nameField, name,
        `must be at most 54 characters with scaling enabled (KEDA names the HPA keda-hpa-<name>, at most 63), it has ${name.length}`);
    }
    if (CREW_ACTOR_NAMES.includes(name)) {
      check(CREW_SCOPES.has(scope), this, nameField, name, 'is reserved for the crew (AsyaCrew): choose another actor name');
    }
    transport._checkActorName(this, nameField, name);
  }

  /** The runtime's start rules (handler, mode, chunk size, command, python, reserved env). */
  private checkRuntimeStart(props: AsyncActorProps): void {
    // The operator accepts a handler read from a ConfigMap or Secret (asya_runtime.py reads ASYA_HANDLER at start).
    const handlerRef = (props.env as any)?.ASYA_HANDLER;
    const handlerFromRef = props.handler === undefined && handlerRef instanceof EnvValue
      && /"(configMapKeyRef|secretKeyRef)"/.test(JSON.stringify(handlerRef._toJson('ASYA_HANDLER')));
    if (!handlerFromRef) {
      check(typeof props.handler === 'string' && HANDLER.test(props.handler), this, 'handler', props.handler,
        'must be module.function or module.Class.method (Python identifiers separated by dots), or unset with env.ASYA_HANDLER referencing a ConfigMap or Secret key');
    }
    if (props.handlerMode !== undefined) {
      check(Object.values(HandlerMode).includes(props.handlerMode), this, 'handlerMode', props.handlerMode, 'must be HandlerMode.PAYLOAD or HandlerMode.ENVELOPE');
    }
    if (props.chunkSize !== undefined) {
      check(Number.isInteger(props.chunkSize) && props.chunkSize > 0, this, 'chunkSize', props.chunkSize, 'must be a whole number of bytes greater than 0');
      intProp(this, 'chunkSize', props.chunkSize, 1, INT32_MAX);
    }
    // asya-operator v0.1.1 asya_controller.go validateAsyncActorSpec refuses len(command) > 0 only.
    check(props.command === undefined || (Array.isArray(props.command) && props.command.length === 0), this, 'command', props.command,
      'cannot be set: the operator runs [pythonExecutable, /opt/asya/asya_runtime.py] in asya-runtime (use args, or pythonExecutable)');
    if (stringProp(this, 'pythonExecutable', props.pythonExecutable) !== undefined) {
      check(/^\S+$/.test(props.pythonExecutable!), this, 'pythonExecutable', props.pythonExecutable, 'must be one executable name or path without spaces');
    }
    for (const key of Object.keys(objectProp(this, 'env', props.env))) {
      check(!RESERVED_RUNTIME_ENV.includes(key) || (key === 'ASYA_HANDLER' && handlerFromRef), this, 'env', key,
        `is reserved: ${key === 'ASYA_HANDLER' || key === 'ASYA_HANDLER_MODE' || key === 'ASYA_CHUNK_SIZE' ? 'set it through the handler, handlerMode or chunkSize prop' : 'the operator sets it and its value silently wins'}`);
    }
  }

  /** What the operator injects or selects by: containers, volumes, mounts, labels, ServiceAccount, the metrics port. */
  private checkPodRules(props: AsyncActorProps, name: string): void {
    listProp(this, 'sidecars', props.sidecars).forEach((c, i) => check(c.name !== 'asya-sidecar' && c.name !== 'asya-runtime', this, `sidecars[${i}].name`, c.name,
      c.name === 'asya-sidecar' ? 'is reserved for the sidecar the operator injects' : 'is the runtime container, which the actor defines itself'));
    listProp(this, 'initContainers', props.initContainers).forEach((c, i) => check(c.name !== 'asya-sidecar', this, `initContainers[${i}].name`, c.name,
      'is reserved for operator use'));
    listProp(this, 'volumes', props.volumes).forEach((v, i) => check(!RESERVED_VOLUMES.includes(v.name), this, `volumes[${i}].name`, v.name,
      `is reserved: the operator injects the volumes ${RESERVED_VOLUMES.join(', ')}`));
    listProp(this, 'volumeMounts', props.volumeMounts).forEach((m, i) => {
      const p = (m.mountPath ?? '').replace(/\/+$/, '');
      check(!RESERVED_MOUNTS.includes(p) && !p.startsWith('/var/run/asya/'), this, `volumeMounts[${i}].mountPath`, m.mountPath,
        `is reserved in asya-runtime: the operator mounts ${RESERVED_MOUNTS.join(', ')}`);
    });
    for (const [k, v] of Object.entries(objectProp(this, 'podLabels', props.podLabels))) {
      if (!OPERATOR_LABELS.includes(k)) continue;
      const expected = k === 'asya.sh/workload' ? 'deployment' : name;
      check(v === expected, this, `podLabels["${k}"]`, v, `must be "${expected}" or unset: the operator selects the actor's pods by it`);
    }
    if (props.transport.usesIrsa) {
      check(props.serviceAccountName === undefined, this, 'serviceAccountName', props.serviceAccountName,
        'cannot be set with SQS and IRSA: the operator runs the actor as its own ServiceAccount asya-<actor> (remove serviceAccountName, or disable IRSA in the operator)');
    }
    listProp(this, 'ports', props.ports).forEach((p, i) => check(p.containerPort !== METRICS_PORT, this, `ports[${i}].containerPort`, p.containerPort,
      'is the sidecar\'s metrics port (ASYA_METRICS_ADDR :8080): the runtime must listen elsewhere'));
  }

  /** Timeouts: always explicit (CRD defaults apply only inside blocks that are present). */
  private resolveTimeouts(props: AsyncActorProps): { processing: number; gracefulShutdown: number } {
    const processing = durationSeconds(this, 'processingTimeout', props.processingTimeout, Duration.minutes(5));
    const graceful = durationSeconds(this, 'gracefulShutdownTimeout', props.gracefulShutdownTimeout, Duration.seconds(30));
    check(Number.isInteger(processing) && processing >= 1, this, 'processingTimeout', `${processing}s`,
      'must be a whole number of seconds of at least 1 (0 does not mean "no timeout": the sidecar falls back to 5 minutes)');
    check(Number.isInteger(graceful) && graceful >= 1, this, 'gracefulShutdownTimeout', `${graceful}s`,
      'must be a whole number of seconds of at least 1 (0 falls back to 30 s)');
    return { processing, gracefulShutdown: graceful };
  }

  /** The workload's pod template: the asya-runtime container with its runtime env, the pod options, labels and annotations. */
  private renderTemplate(props: AsyncActorProps, graceful: number): any {
    const declareMetrics = props.declareMetricsPort ?? true;
    const ports: ContainerPort[] = [...(props.ports ?? []), ...(declareMetrics ? [{ name: 'asya-metrics', containerPort: METRICS_PORT }] : [])];
    const runtimeEnv: { [name: string]: EnvValue } = {
      ...(props.handler !== undefined ? { ASYA_HANDLER: EnvValue.fromValue(props.handler) } : {}),
      ASYA_HANDLER_MODE: EnvValue.fromValue(props.handlerMode ?? HandlerMode.PAYLOAD),
      ...(props.chunkSize !== undefined ? { ASYA_CHUNK_SIZE: EnvValue.fromValue(String(props.chunkSize)) } : {}),
      ...(props.env ?? {}),
    };
    const podSpec = renderPodSpec(this, { name: 'asya-runtime', field: '', options: { ...props, ports, env: runtimeEnv } }, props);
    podSpec.terminationGracePeriodSeconds = graceful;

    const podLabels = { ...(props.podLabels ?? {}) };
    const template: any = {
      metadata: {
        ...(Object.keys(podLabels).length ? { labels: podLabels } : {}),
        ...(props.podAnnotations && Object.keys(props.podAnnotations).length ? { annotations: { ...props.podAnnotations } } : {}),
      },
      spec: podSpec,
    };
    if (Object.keys(template.metadata).length === 0) delete template.metadata;
    return template;
  }

  /** The AsyncActor object itself. */
  private renderResource(props: AsyncActorProps, name: string, parts: { template: any; timeout: object; sidecar: any }): ApiObject {
    const s = this.scaling;
    return new ApiObject(this, 'Resource', {
      ...AsyncActorL1.GVK,
      metadata: {
        name,
        labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) },
      },
      spec: {
        transport: props.transport.name,
        workload: {
          kind: 'Deployment',
          // PIP-3/GIT-5: the operator writes the Deployment's replicas only when scaling is disabled; with
          // scaling on, KEDA's HPA owns them (deliveryhero/asya src/asya-operator/internal/controller/
          // asya_controller.go:1033-1041 @ v0.1.1), so the field is left out.
          ...(s.enabled ? {} : { replicas: props.replicas ?? 1 }),
          ...(props.pythonExecutable ? { pythonExecutable: props.pythonExecutable } : {}),
          template: parts.template,
        },
        scaling: {
          enabled: s.enabled,
          minReplicas: s.minReplicas,
          maxReplicas: s.maxReplicas,
          queueLength: s.queueLength,
          pollingInterval: s.pollingInterval,
          cooldownPeriod: s.cooldownPeriod,
          ...(s.advanced ? { advanced: { ...s.advanced } } : {}),
        },
        timeout: parts.timeout,
        sidecar: parts.sidecar,
      },
    });
  }

  /**
   * The actor's flows: DNS, the transport's (broker, gateway, credential endpoints), the declared
   * egress, and metrics scrapes.
   */
  private declareTraffic(props: AsyncActorProps): PodTraffic {
    const t = new PodTraffic(this.namespace, this.podSelector);
    const dns = props.dns ?? ClusterDns.of(this);
    check(dns instanceof ClusterDns, this, 'dns', dns, 'must be ClusterDns.kubeDns(), .openShift() or .custom()');
    dns.flows.forEach((f) => t.allowEgress(f));
    this.transport._egressFlows().forEach((f) => t.allowEgress(f));
    this.egress.forEach((e, i) => {
      check(Array.isArray(e.ports) && e.ports.length > 0 && e.ports.every((x) => Number.isInteger(x) && x >= 1 && x <= 65535), this, `egress[${i}].ports`, e.ports,
        'must list TCP port numbers from 1 to 65535');
      check(!(e.ipBlock && e.podSelector), this, `egress[${i}]`, e, 'takes either ipBlock or podSelector/namespace, not both');
      if (e.ipBlock !== undefined) check(isCidr(e.ipBlock), this, `egress[${i}].ipBlock`, e.ipBlock, 'must be a CIDR block such as 10.0.0.0/16');
      const peer = e.ipBlock ? NetworkPeer.cidr(e.ipBlock) : NetworkPeer.pods(e.namespace ?? this.namespace, e.podSelector ?? {});
      t.allowEgress({ peer, ports: e.ports.map((p) => TrafficPort.tcp(p)) });
    });
    listProp(this, 'egressFlows', props.egressFlows).forEach((f, i) => { checkFlow(this, `egressFlows[${i}]`, f); t.allowEgress(f); });
    listProp(this, 'ingressFlows', props.ingressFlows).forEach((f, i) => { checkFlow(this, `ingressFlows[${i}]`, f); t.allowIngress(f); });
    listProp(this, 'metricsScrapeNamespaces', props.metricsScrapeNamespaces).forEach((ns) => this.addScrapeNamespace(ns, t));
    return t;
  }

  /** Adds an egress flow to the actor's NetworkPolicy (e.g. a database, a cloud API). */
  public allowEgress(flow: TrafficFlow): void {
    checkFlow(this, 'allowEgress(flow)', flow);
    this.traffic.allowEgress(flow);
  }

  /** Adds an ingress flow to the actor's NetworkPolicy. */
  public allowIngress(flow: TrafficFlow): void {
    checkFlow(this, 'allowIngress(flow)', flow);
    this.traffic.allowIngress(flow);
  }

  /**
   * Lets pods of a namespace scrape the actor's metrics port (adds to the NetworkPolicy's ingress).
   */
  public allowMetricsScrapingFrom(namespace: string): void {
    this.addScrapeNamespace(namespace, this.traffic);
  }

  private addScrapeNamespace(namespace: string, traffic: PodTraffic): void {
    check(typeof namespace === 'string' && namespace.length > 0, this, 'metricsScrapeNamespaces', namespace, 'must name a namespace');
    if (this.scrapeNamespaces.includes(namespace)) return;
    this.scrapeNamespaces.push(namespace);
    traffic.allowIngress({
      peer: NetworkPeer.namespace(namespace),
      ports: [TrafficPort.tcp(METRICS_PORT)],
      description: 'metrics scrapes of the sidecar (ASYA_METRICS_ADDR :8080)',
    });
  }

  /** Minimum and maximum replicas, for cross-step checks. */
  public get replicaRange(): number[] {
    return [this.scaling.minReplicas, this.scaling.maxReplicas];
  }

  private renderSidecar(s: SidecarOptions): any {
    const image = s.image ?? AsyaImages.SIDECAR;
    checkImage(this, 'sidecar.image', image, s.allowUnpinnedImage);
    if (s.imagePullPolicy !== undefined) {
      check(['Always', 'IfNotPresent', 'Never'].includes(s.imagePullPolicy), this, 'sidecar.imagePullPolicy', s.imagePullPolicy, 'must be Always, IfNotPresent or Never');
    }
    const env = Object.entries(objectProp(this, 'sidecar.env', s.env)).map(([k, v]) => {
      check(!RESERVED_SIDECAR_ENV.includes(k) && !RESERVED_SIDECAR_ENV_PREFIXES.some((p) => k.startsWith(p)), this, 'sidecar.env', k,
        'is set by the operator: an entry of the same name is appended after it and silently overrides it');
      if (k === 'ASYA_CUSTOM_METRICS' && v.value !== undefined) {
        let ok = false;
        try { ok = Array.isArray(JSON.parse(v.value)); } catch { ok = false; }
        check(ok, this, 'sidecar.env.ASYA_CUSTOM_METRICS', v.value, 'must be a JSON array (the sidecar exits at start otherwise)');
      }
      return v._toJson(k);
    });
    if (s.resources !== undefined) requireLimits(this, 'sidecar.resources', s.resources, SIDECAR_CONTAINER);
    const resources = renderResources(this, 'sidecar.resources', s.resources ?? SIDECAR_DEFAULT_RESOURCES);
    return {
      image,
      ...(s.imagePullPolicy ? { imagePullPolicy: s.imagePullPolicy } : {}),
      ...(resources ? { resources } : {}),
      ...(env.length ? { env } : {}),
    };
  }
}
