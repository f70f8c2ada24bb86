import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../core/errors';
import { checkDns1035Label } from '../core/names';
import { checkLabelMap, intProp, listProp, namespaceProp } from '../core/props';
import { requireAppChecks } from '../core/registry';
import { IServedModel, MetricsEndpoint, ModelProtocol } from '../core/served-model';
import { checkFlow, isCidr, TrafficFlow, TrafficPort } from '../core/traffic';

// The serving vocabulary lives in core (actors and pipelines use it too); backends re-export it.
export { IServedModel, MetricsEndpoint, ModelProtocol };

/**
 * A workload an autoscaler can scale (it has a `scale` subresource or is a Deployment/StatefulSet).
 */
export interface ScaleTarget {
  /** e.g. `apps/v1` or `kaito.sh/v1beta1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment` or `InferenceSet`. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /** Whether the backend keeps working at zero replicas (the queue holds the messages). */
  readonly supportsScaleToZero: boolean;
  /**
   * The fewest replicas the backend itself declares (e.g. KServe `minReplicas`): the default of the
   * scaler's minReplicaCount.
   * @default - 0 when supportsScaleToZero, else 1
   */
  readonly minReplicas?: number;
  /**
   * The most replicas the backend itself declares (e.g. KServe `maxReplicas`, KAITO `replicas`): the
   * default of the scaler's maxReplicaCount.
   * @default - the scaler's own default (1)
   */
  readonly maxReplicas?: number;
  /**
   * Seconds the backend may take from zero replicas to serving (node provisioning, image pull, weights
   * load): a bridge keeps retrying connection errors and 503s this long when the model scales to zero.
   * @default 1200
   */
  readonly coldStartSeconds?: number;
}


/**
 * A served model as a binding sees it. Every backend construct implements it; bindings and pipelines
 * know backends only through it.
 */
export interface IModelBackend extends IServedModel {
  /** The model name requests must carry (OpenAI `model`, or the name in `/v2/models/<name>`). */
  readonly modelName: string;
  /** The in-cluster base URL, e.g. `http://llm.ai.svc.cluster.local:80`, without a trailing slash. */
  readonly endpoint: string;
  /** The path requests are posted to, e.g. `/v1/chat/completions`. */
  readonly requestPath: string;
  /** The port on those pods that receives the traffic. */
  readonly podPort: number;
  /** Extra HTTP headers requests must carry (e.g. Seldon's `Seldon-Model`). */
  readonly requestHeaders: { [key: string]: string };
  /** The workload a queue-driven autoscaler may scale, if any. */
  readonly scaleTarget?: ScaleTarget;
  /** Why there is no scale target (set exactly when scaleTarget is not). */
  readonly noScaleTargetReason?: string;
  /**
   * The flows the model's pods need besides the bridge (traffic model, see `ModelTraffic`).
   * @default - none: only bindings reach the serving pods, and nothing scrapes them
   */
  readonly traffic?: ModelTraffic;
}

/**
 * Options of the `ModelBackend` base: the one naming rule of every backend.
 */
export interface ModelBackendOptions {
  /**
   * The Kubernetes name of the backend's objects (its main object, its Service or the prefix of both).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The longest name the backend accepts, when the objects it derives from the name need room for a
   * suffix (e.g. KServe's `<name>-predictor`, llm-d's `<name>-epp`).
   * @default 63
   */
  readonly maxNameLength?: number;
  /**
   * Why the name is limited to `maxNameLength` (shown in the error).
   * @default "it names the Service"
   */
  readonly nameLengthReason?: string;
}

/**
 * How a binding reaches a backend: what a `ModelBackend` subclass declares once, in its constructor,
 * through `serve()`.
 */
export interface ModelServing {
  /** The model name requests must carry. */
  readonly modelName: string;
  /** The in-cluster base URL, without a trailing slash (see `ModelBackend.serviceUrl`). */
  readonly endpoint: string;
  /** The path requests are posted to. */
  readonly requestPath: string;
  /** The protocol the model speaks. */
  readonly protocol: ModelProtocol;
  /** Labels that select exactly the pods that receive the traffic. */
  readonly podSelector: { [key: string]: string };
  /** The port on those pods that receives the traffic. */
  readonly podPort: number;
  /**
   * Extra HTTP headers requests must carry.
   * @default - none
   */
  readonly requestHeaders?: { [key: string]: string };
  /**
   * The workload a queue-driven autoscaler may scale. Set exactly one of `scaleTarget` and
   * `noScaleTargetReason`.
   * @default - none: then `noScaleTargetReason` is required
   */
  readonly scaleTarget?: ScaleTarget;
  /**
   * Why there is no scale target.
   * @default - none: then `scaleTarget` is required
   */
  readonly noScaleTargetReason?: string;
  /**
   * Where the model server exposes Prometheus metrics.
   * @default - no metrics endpoint
   */
  readonly metrics?: MetricsEndpoint;
}

/**
 * The base of every served model (KaitoModel, KServeModel, TritonModel, ...): it owns what a binding
 * reads through `IModelBackend`, so a backend states only what differs.
 *
 * What the base owns:
 * - the naming rule, the same for every backend: the name (the `name` option or the construct id) is a
 *   DNS-1035 label (lowercase letters, digits and "-", starting with a letter) of at most
 *   `maxNameLength` characters, because every backend's name ends up naming a Service (Kubernetes
 *   validates Service names as DNS-1035 labels), and is checked at once in the constructor;
 * - the namespace (the chart's, else `default`);
 * - the serving facts (model name, endpoint, request path, protocol, pod selector and port, headers,
 *   scale target or the reason there is none, metrics), declared once through `serve()`.
 *
 * A subclass (one file per backend): call `super(scope, id, { name, maxNameLength })`, check its own
 * props, create its objects (the main one with id `Resource`), then call
 * `this.serve({ ... endpoint: this.serviceUrl(service, port) ... })`. Deployment+Service servers extend
 * `ModelServer` instead, which does most of that.
 */
export abstract class ModelBackend extends Construct implements IModelBackend {
  /** The backend's Kubernetes name (checked by the naming rule). */
  public readonly name: string;
  /** The namespace the model runs in (the chart's, else `default`). */
  public readonly namespace: string;
  private _serving?: ModelServing;

  /**
   * The flows the model's pods need besides the bridge (operator and intra-model traffic, metrics
   * ports): a backend overrides it with its upstream facts.
   */
  public get traffic(): ModelTraffic | undefined {
    return undefined;
  }

  protected constructor(scope: Construct, id: string, options: ModelBackendOptions = {}) {
    super(scope, id);
    this.name = options.name ?? id;
    checkDns1035Label(this, options.name === undefined ? 'name (from the construct id)' : 'name', this.name,
      options.maxNameLength ?? 63, options.nameLengthReason ?? 'it names the Service');
    this.namespace = Chart.of(this).namespace ?? 'default';
    // Two backends named alike in one namespace collide even in an app without a pipeline or an actor.
    requireAppChecks(this);
  }

  public get modelName(): string { return this.serving.modelName; }
  public get endpoint(): string { return this.serving.endpoint; }
  public get requestPath(): string { return this.serving.requestPath; }
  public get protocol(): ModelProtocol { return this.serving.protocol; }
  public get podSelector(): { [key: string]: string } { return { ...this.serving.podSelector }; }
  public get podPort(): number { return this.serving.podPort; }
  public get requestHeaders(): { [key: string]: string } { return { ...(this.serving.requestHeaders ?? {}) }; }
  public get scaleTarget(): ScaleTarget | undefined { return this.serving.scaleTarget; }
  public get noScaleTargetReason(): string | undefined { return this.serving.noScaleTargetReason; }
  public get metrics(): MetricsEndpoint | undefined { return this.serving.metrics; }

  /**
   * Declares how bindings reach this backend. Call it exactly once, at the end of the constructor.
   */
  protected serve(serving: ModelServing): void {
    if (this._serving !== undefined) {
      throw new Error(`${this.node.path}: serve() was already called: a backend declares its serving facts once`);
    }
    check((serving.scaleTarget === undefined) !== (serving.noScaleTargetReason === undefined), this, 'scaleTarget',
      serving.scaleTarget, 'or noScaleTargetReason must be set, exactly one of them');
    this._serving = { ...serving, podSelector: { ...serving.podSelector }, requestHeaders: { ...(serving.requestHeaders ?? {}) } };
  }

  /**
   * The in-cluster URL of a Service of this backend's namespace: `http://<service>.<namespace>.svc.cluster.local[:<port>]`.
   * @param service the Service's name
   * @param port the Service port
   * @default - no port in the URL (80)
   */
  protected serviceUrl(service: string, port?: number): string {
    return `http://${service}.${this.namespace}.svc.cluster.local${port === undefined ? '' : `:${port}`}`;
  }

  private get serving(): ModelServing {
    if (this._serving === undefined) {
      throw new Error(`${this.node.path}: the backend has not declared how it is served yet (a ModelBackend subclass calls this.serve(...) in its constructor)`);
    }
    return this._serving;
  }
}

// ------------------------------------------------------------------------------------------------
// Traffic declarations (issue 14): what a backend's pods need besides the bridge. Each backend states
// its upstream facts in a `traffic` getter of its own file; bindings render them into the model's
// NetworkPolicy (ingress only: model egress, such as weight downloads, stays free).
// ------------------------------------------------------------------------------------------------

/**
 * The flows a served model's pods (those `podSelector` selects) need, besides the bridge's requests.
 */
export interface ModelTraffic {
  /**
   * Ingress the upstream operator and the model's own pods need (e.g. KubeRay's operator on the
   * dashboard port, Ray workers to GCS, KAITO multi-node instances, Seldon's gateways to Envoy).
   */
  readonly ingress: TrafficFlow[];
  /**
   * The ports on the model's pods that serve Prometheus metrics (opened to scraping namespaces).
   */
  readonly metricsPorts: TrafficPort[];
  /**
   * The namespace of the pods that receive the traffic (`podSelector`) when it is not the backend's
   * namespace (e.g. a Gateway's data plane in its controller's namespace): the bridge's egress names the
   * pods there and the binding's model-ingress NetworkPolicy is rendered there.
   * @default - the backend's namespace
   */
  readonly podNamespace?: string;
  /**
   * The address block (CIDR) the traffic goes to when no in-cluster pods receive it (e.g. a GKE
   * Gateway's load balancer): the bridge's egress names this block instead of pods, and the binding
   * renders no model-ingress NetworkPolicy (there are no pods of the model to guard).
   * @default - in-cluster pods (`podSelector`)
   */
  readonly ipBlock?: string;
}

const PROTOCOLS: ModelProtocol[] = [ModelProtocol.OPENAI_CHAT, ModelProtocol.OPENAI_COMPLETIONS, ModelProtocol.OPENAI_EMBEDDINGS,
  ModelProtocol.KSERVE_V1, ModelProtocol.OPEN_INFERENCE, ModelProtocol.RAY_SERVE_HTTP, ModelProtocol.HTTP_JSON];

/**
 * Checks every member of a model backend structurally (no `instanceof`): a backend may be one of the
 * library's, a user's own class implementing `IModelBackend` (in TypeScript, or in Python through jsii),
 * or a wrong value from an untyped caller. Each wrong member fails with the library's error naming it.
 * @internal
 */
export function checkModelBackend(scope: Construct, field: string, b: IModelBackend): void {
  const isConstruct = !!b && typeof b === 'object' && Construct.isConstruct(b);
  check(isConstruct, scope, field, b, 'must be a model backend construct (KaitoModel, KServeModel, OpenAIModel, ..., or your own construct implementing IModelBackend)');
  const at = (m: string) => `${field}.${m}`;
  check(PROTOCOLS.includes(b.protocol), scope, at('protocol'), b.protocol, 'must be a ModelProtocol (ModelProtocol.OPENAI_CHAT, .OPEN_INFERENCE, ...)');
  check(typeof b.namespace === 'string', scope, at('namespace'), b.namespace, 'must be the namespace the model runs in');
  namespaceProp(scope, at('namespace'), b.namespace);
  const outsideCluster = b.traffic?.ipBlock !== undefined;
  check(!!b.podSelector && typeof b.podSelector === 'object' && (outsideCluster || Object.keys(b.podSelector).length > 0), scope, at('podSelector'), b.podSelector,
    'must be a non-empty map of labels selecting exactly the model\'s serving pods (empty only with traffic.ipBlock)');
  checkLabelMap(scope, at('podSelector'), b.podSelector);
  if (b.metrics !== undefined) {
    check(!!b.metrics && typeof b.metrics.portName === 'string' && b.metrics.portName.length > 0, scope, at('metrics.portName'), b.metrics?.portName,
      'must name the container port that serves metrics');
    check(b.metrics.path === undefined || (typeof b.metrics.path === 'string' && b.metrics.path.startsWith('/')), scope, at('metrics.path'), b.metrics.path,
      'must be an HTTP path starting with "/"');
  }
  check(typeof b.modelName === 'string' && b.modelName.length > 0, scope, at('modelName'), b.modelName, 'must be the model name requests carry (a non-empty string)');
  check(typeof b.endpoint === 'string' && /^https?:\/\/[^\s/]+(\/\S*[^\s/])?$/.test(b.endpoint), scope, at('endpoint'), b.endpoint,
    'must be the base URL of the model\'s service (http or https, host[:port], no trailing "/"; requestPath is appended), e.g. http://llm.ai.svc.cluster.local:8000');
  check(typeof b.requestPath === 'string' && b.requestPath.startsWith('/') && !/\s/.test(b.requestPath), scope, at('requestPath'), b.requestPath,
    'must be an HTTP path starting with "/"');
  intProp(scope, at('podPort'), b.podPort, 1, 65535);
  check(typeof b.podPort === 'number', scope, at('podPort'), b.podPort, 'must be the port the model\'s pods serve on, from 1 to 65535');
  check(!!b.requestHeaders && typeof b.requestHeaders === 'object' && !Array.isArray(b.requestHeaders)
    && Object.values(b.requestHeaders).every((v) => typeof v === 'string'), scope, at('requestHeaders'), b.requestHeaders,
  'must be a map of header names to string values ({} for none)');
  check((b.scaleTarget === undefined) !== (b.noScaleTargetReason === undefined), scope, at('scaleTarget'), b.scaleTarget,
    'must be set exactly when noScaleTargetReason is not (a backend either has a scale target or says why not)');
  if (b.noScaleTargetReason !== undefined) {
    check(typeof b.noScaleTargetReason === 'string' && b.noScaleTargetReason.length > 0, scope, at('noScaleTargetReason'), b.noScaleTargetReason,
      'must be a sentence saying why the model cannot be scaled on the queue');
  }
  const t = b.scaleTarget;
  if (t !== undefined) {
    check(!!t && typeof t.apiVersion === 'string' && typeof t.kind === 'string' && typeof t.name === 'string' && typeof t.supportsScaleToZero === 'boolean',
      scope, at('scaleTarget'), t, 'must be a ScaleTarget ({ apiVersion, kind, name, supportsScaleToZero, ... })');
    check(t.name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(t.name), scope, at('scaleTarget.name'), t.name,
      'must be the name of the object KEDA scales (a DNS-1123 subdomain)');
    intProp(scope, at('scaleTarget.minReplicas'), t.minReplicas, 0);
    intProp(scope, at('scaleTarget.maxReplicas'), t.maxReplicas, 1);
    intProp(scope, at('scaleTarget.coldStartSeconds'), t.coldStartSeconds, 1);
  }
  const traffic = b.traffic;
  if (traffic !== undefined) {
    check(!!traffic && typeof traffic === 'object', scope, at('traffic'), traffic, 'must be a ModelTraffic ({ ingress, metricsPorts, ... })');
    listProp(scope, at('traffic.ingress'), traffic.ingress).forEach((f, i) => checkFlow(scope, at(`traffic.ingress[${i}]`), f));
    check(listProp(scope, at('traffic.metricsPorts'), traffic.metricsPorts).every((p) => p instanceof TrafficPort), scope, at('traffic.metricsPorts'),
      traffic.metricsPorts, 'must be a list of TrafficPort');
    namespaceProp(scope, at('traffic.podNamespace'), traffic.podNamespace);
    if (traffic.ipBlock !== undefined) check(isCidr(traffic.ipBlock), scope, at('traffic.ipBlock'), traffic.ipBlock, 'must be a CIDR block such as 10.0.0.0/16');
  }
}
