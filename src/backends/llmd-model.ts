import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic } from './model-backend';
import { ModelSource } from './model-source';
import { OpenAIModel, OpenAIServer } from './openai-model';
import { ModelServerOptions, serverSelector } from './server-workload';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { k8s } from '../core/k8s';
import { checkDnsLabel } from '../core/names';
import { renderPodSpec } from '../core/pod';
import { checkLabelMap, durationSeconds, listProp, objectProp } from '../core/props';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { isCidr } from '../core/traffic';
import { InferencePool } from '../imports/gaie-inferencepool-inference.networking.k8s.io';
import { HttpRoute } from '../imports/gateway-httproute-gateway.networking.k8s.io';

/**
 * The Gateway (gateway.networking.k8s.io) the HTTPRoute attaches the InferencePool to.
 */
export interface LlmdGatewayRef {
  /** The Gateway's name. */
  readonly name: string;
  /**
   * The Gateway's namespace. It must be the model's namespace (see `LlmdModel`).
   * @default - the model's namespace
   */
  readonly namespace?: string;
}

/**
 * The Gateway implementation in front of the InferencePool, as the upstream chart's `provider.name`
 * (llm-d/llm-d-inference-scheduler config/charts/inferencepool/values.yaml @ 520af478): it decides
 * whether the HTTPRoute carries `timeouts.request` and how the Gateway talks to the Endpoint Picker.
 */
export class LlmdProvider {
  /**
   * The chart's default (`none`): the EPP serves gRPC over TLS (its `--secure-serving` default) and the
   * HTTPRoute has `timeouts.request`. For Gateways that connect to the EPP over TLS.
   */
  public static readonly NONE = new LlmdProvider('none', true, undefined);
  /**
   * GKE Gateway: as NONE, but the HTTPRoute has no `timeouts` (the chart omits them for GKE, which
   * does not support them; set the backend timeout with a GCPBackendPolicy).
   */
  public static readonly GKE = new LlmdProvider('gke', false, undefined);
  /**
   * Istio: the chart adds a DestinationRule (TLS SIMPLE, insecureSkipVerify) towards the EPP. This
   * library pins no Istio schema, so instead the EPP serves plaintext gRPC (`--secure-serving=false`),
   * which is what Istio's gateway sends to an `appProtocol: http2` port without that rule.
   */
  public static readonly ISTIO = new LlmdProvider('istio', true, false);
  /**
   * A Gateway that speaks plaintext h2 to the EPP (e.g. agentgateway; the chart turns secure serving off
   * for it): `--secure-serving=false`.
   */
  public static readonly PLAINTEXT = new LlmdProvider('plaintext', true, false);

  private constructor(
    /** none, gke, istio or plaintext. */
    public readonly name: string,
    /** Whether the HTTPRoute carries `timeouts.request`. */
    public readonly routeTimeouts: boolean,
    /** The EPP's `--secure-serving`, when the provider sets it. */
    public readonly secureServing?: boolean,
  ) {}
}

/**
 * Props of an LlmdModel.
 */
export interface LlmdModelProps extends ModelServerOptions {
  /** Where the vLLM server loads the weights from. */
  readonly model: ModelSource;
  /**
   * The model name requests carry (vLLM `--served-model-name`).
   * @default - the Hugging Face id, or the last segment of the model's path
   */
  readonly servedModelName?: string;
  /**
   * Extra vLLM flags, appended after the ones this construct sets (model, name, host, port).
   * @default - none
   */
  readonly serverArgs?: string[];
  /**
   * The Hugging Face token for gated models, as a Secret reference (`EnvValue.fromSecret(name, key)`).
   * @default - no token
   */
  readonly huggingFaceToken?: EnvValue;
  /**
   * Size limit of the vLLM pods' emptyDir at `/cache`.
   * @default - no limit
   */
  readonly cacheSizeLimit?: string;
  /**
   * Resources of the init container that copies an `ociImage` model.
   * @default - 500m/2 CPU, 512Mi/2Gi memory
   */
  readonly loaderResources?: ResourceRequirements;
  /**
   * vLLM tensor parallelism (`--tensor-parallel-size`) over the pod's GPUs (see `OpenAIModelProps`).
   * @default - vLLM's default (1)
   */
  readonly tensorParallelSize?: number;
  /**
   * The Endpoint Picker (EPP) image, pinned by tag or digest. Since gateway-api-inference-extension
   * v1.6.0 the EPP lives in `llm-d/llm-d-router`; no default is invented.
   * @see https://github.com/kubernetes-sigs/gateway-api-inference-extension
   */
  readonly eppImage: string;
  /**
   * Extra EPP flags, appended after `--pool-name`, `--pool-namespace`, `--grpc-port` and `--grpc-health-port`.
   * The construct passes `--tracing=false` (the EPP traces by default; the chart turns it off) unless
   * these set `--tracing`.
   * @default - none
   */
  readonly eppArgs?: string[];
  /**
   * Resources of the EPP container.
   * @default - requests 100m CPU / 256Mi, limits 1 CPU / 1Gi
   */
  readonly eppResources?: ResourceRequirements;
  /**
   * Replicas of the EPP Deployment. With more than one, the replicas elect a leader
   * (`--ha-enable-leader-election`, a Role on `coordination.k8s.io` leases and `events`), as the upstream
   * chart; only the leader is Ready. The Deployment's strategy is `Recreate` in every case.
   * @default 1
   */
  readonly eppReplicas?: number;
  /**
   * What the Gateway does when the EPP does not answer: `FailClose` or `FailOpen`.
   * @default "FailClose" (the InferencePool's default)
   */
  readonly eppFailureMode?: string;
  /** The Gateway the HTTPRoute attaches to. You deploy the Gateway (its class picks the implementation). */
  readonly gateway: LlmdGatewayRef;
  /**
   * The Gateway's in-cluster base URL, without a trailing slash, e.g.
   * `http://inference-gateway.ai.svc.cluster.local:80`. Required: the Service a Gateway implementation
   * creates for a Gateway is named by the implementation, not by Gateway API.
   */
  readonly gatewayUrl: string;
  /**
   * Labels that select the Gateway's data-plane pods. Required unless `gatewayCidr`: the bridge calls the
   * Gateway, not the vLLM pods, so its egress rule (and the binding's NetworkPolicy) must name the
   * Gateway's pods, whose labels depend on the implementation.
   * @default - none: then `gatewayCidr` is required
   */
  readonly gatewayPodSelector?: { [key: string]: string };
  /**
   * The namespace the Gateway's data-plane pods run in, when it is not the model's: e.g.
   * `envoy-gateway-system` for Envoy Gateway's default (controller-namespace) deployment mode. The
   * bridge's egress names the pods there and the binding's model-ingress NetworkPolicy is rendered there
   * (it then guards the Gateway's pods in that namespace: allow the Gateway's other clients, or set the
   * binding's `networkPolicy: false`).
   * @default - the model's namespace (e.g. Istio, or Envoy Gateway in namespaced mode)
   */
  readonly gatewayPodNamespace?: string;
  /**
   * For a Gateway without in-cluster data-plane pods (the GKE Gateway, `LlmdProvider.GKE`: a Google
   * load balancer): the address block of the Gateway's address (e.g. the internal load balancer's subnet).
   * The bridge's egress names this block instead of pods, and the binding renders no model-ingress
   * NetworkPolicy (there are no Gateway pods to guard). Exclusive with `gatewayPodSelector` and
   * `gatewayPodNamespace`.
   * @default - the Gateway has in-cluster pods (`gatewayPodSelector`)
   */
  readonly gatewayCidr?: string;
  /**
   * The port the Gateway's pods listen on for this listener (the container port behind `gatewayUrl`,
   * which may differ from the Service port, e.g. 80 in front of 10080).
   */
  readonly gatewayPort: number;
  /**
   * The Gateway implementation (see `LlmdProvider`).
   * @default LlmdProvider.NONE
   */
  readonly provider?: LlmdProvider;
  /**
   * The HTTPRoute's `timeouts.request`: how long the Gateway waits for a whole LLM answer. Envoy-based
   * Gateways otherwise cut requests at 15 s. Keep it at least the binding's `requestTimeout`. Not
   * rendered for `LlmdProvider.GKE`.
   * @default Duration.seconds(300) (the upstream chart's `experimentalHttpRoute.requestTimeout`)
   */
  readonly routeTimeout?: Duration;
}

const POOL_PORT = 8000;
const EPP_GRPC_PORT = 9002;
const EPP_HEALTH_PORT = 9003;
const EPP_RESERVED_ARGS = ['--pool-name', '--pool-namespace', '--grpc-port', '--grpc-health-port', '--metrics-endpoint-auth', '--ha-enable-leader-election'];
/** The EPP's termination grace (the chart's: the longest grace of the pool's pods). */
const EPP_GRACE_SECONDS = 130;
const FAILURE_MODES = ['FailClose', 'FailOpen'];
const GATEWAY_URL = /^https?:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$/;
const DEFAULT_EPP_RESOURCES: ResourceRequirements = {
  cpu: { request: '100m', limit: '1' },
  memory: { request: '256Mi', limit: '1Gi' },
};

/**
 * A vLLM model behind the Gateway API Inference Extension (llm-d): the vLLM Deployment and Service
 * (an `OpenAIModel` child with id `Server`), an InferencePool `NAME` (id `Resource`) selecting exactly the
 * vLLM pods on port 8000, the Endpoint Picker `NAME-epp` (Deployment, Service on gRPC 9002 with
 * `appProtocol: http2`, gRPC health probes and a 130 s grace as upstream's chart, ServiceAccount, and a
 * Role/RoleBinding with get/list/watch on `pods`, `inferencepools`, `inferenceobjectives` and
 * `inferencemodelrewrites` only, plus leases and events for leader election with several EPP replicas; the
 * metrics endpoint's auth is off, which needs no ClusterRole; `strategy: Recreate`, `--tracing=false`), and an
 * HTTPRoute `NAME` attaching the pool to your Gateway with `timeouts.request` (except on GKE).
 *
 * As a backend, the model is reached through the Gateway: `endpoint` is `gatewayUrl`, `podSelector` and
 * `podPort` are the Gateway's pods, and the scale target is the vLLM Deployment (scale to zero works: the
 * Gateway answers 5xx while the pool is empty and the bridge retries).
 *
 * The Gateway resource is in the model's namespace (where the binding puts the ScaledObject, next to the
 * vLLM Deployment). Its data-plane pods may run elsewhere: the bridge's egress rule and the binding's
 * model-ingress NetworkPolicy look for `gatewayPodSelector` in `gatewayPodNamespace` (default the model's
 * namespace; `envoy-gateway-system` for Envoy Gateway's default controller-namespace mode). The policy
 * then guards the Gateway's pods; if the Gateway serves other clients, allow them
 * (`allowModelIngressFromNamespaces`) or set `networkPolicy: false`. A Gateway without in-cluster pods
 * (GKE) is reached at `gatewayCidr`: the bridge's egress names that block and no model-ingress policy is
 * rendered.
 *
 * @see https://gateway-api-inference-extension.sigs.k8s.io/
 */
export class LlmdModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * The binding guards the Gateway's pods (this backend's podSelector): only the bridge reaches them.
   * The Gateway -> EPP (gRPC 9002), Gateway -> vLLM (8000) and EPP -> vLLM metrics flows
   * (kubernetes-sigs/gateway-api-inference-extension conformance/resources/base.yaml @ v1.6.0) are
   * egress of the Gateway and EPP and ingress of pods no generated policy selects, so nothing blocks them.
   */
  public override get traffic(): ModelTraffic | undefined {
    return {
      ingress: [],
      metricsPorts: [],
      ...(this.gatewayPodNamespace !== undefined ? { podNamespace: this.gatewayPodNamespace } : {}),
      ...(this.gatewayCidr !== undefined ? { ipBlock: this.gatewayCidr } : {}),
    };
  }
  // ---- end of traffic ----

  /** The vLLM server (Deployment and Service). vLLM's metrics are on its pods (`server.metrics`). */
  public readonly server: OpenAIModel;
  /** The InferencePool (the main object, id `Resource`). */
  public readonly resource: ApiObject;
  /**
   * The InferencePool.
   * @deprecated use `resource`
   */
  public readonly inferencePool: ApiObject;
  /** The HTTPRoute. */
  public readonly httpRoute: ApiObject;
  /** The Endpoint Picker's Deployment. */
  public readonly eppDeployment: ApiObject;
  /** The Endpoint Picker's Service. */
  public readonly eppService: ApiObject;
  /** The Gateway implementation. */
  public readonly provider: LlmdProvider;
  private readonly gatewayPodNamespace?: string;
  private readonly gatewayCidr?: string;

  constructor(scope: Construct, id: string, props: LlmdModelProps) {
    super(scope, id, { name: props.name, maxNameLength: 59, nameLengthReason: 'the Endpoint Picker objects are named <name>-epp' });
    const name = this.name;
    requireLimits(this, 'resources', props.resources, 'server');
    if (props.loaderResources !== undefined) requireLimits(this, 'loaderResources', props.loaderResources, 'model-loader');
    this.provider = props.provider ?? LlmdProvider.NONE;
    check(this.provider instanceof LlmdProvider, this, 'provider', props.provider, 'must be LlmdProvider.NONE, GKE, ISTIO or PLAINTEXT');
    if (props.routeTimeout !== undefined) durationSeconds(this, 'routeTimeout', props.routeTimeout, Duration.seconds(300));
    check(this.provider.routeTimeouts || props.routeTimeout === undefined, this, 'routeTimeout', `${(props.routeTimeout?.toMilliseconds() ?? 0) / 1000}s`,
      `is not rendered for provider ${this.provider.name} (its Gateway does not support HTTPRoute timeouts)`);
    const eppArgs = this.checkEpp(props);
    const gateway = this.checkGateway(props);
    const gatewayPods = objectProp(this, 'gatewayPodSelector', props.gatewayPodSelector);
    this.gatewayPodNamespace = props.gatewayPodNamespace;
    this.gatewayCidr = props.gatewayCidr;

    // The vLLM server: OpenAIModel renders and validates it.
    this.server = new OpenAIModel(this, 'Server', {
      ...props,
      name,
      server: OpenAIServer.VLLM,
      protocol: ModelProtocol.OPENAI_CHAT,
    });

    const epp = this.addEndpointPicker(props, eppArgs);
    this.eppDeployment = epp.deployment;
    this.eppService = epp.service;
    this.resource = this.addPool(props);
    this.inferencePool = this.resource;
    this.httpRoute = this.addRoute(props, gateway);

    // Undefined metrics: vLLM's are on the vLLM pods (`server.metrics`), while podSelector names the Gateway's pods.
    this.serve({
      modelName: this.server.modelName,
      endpoint: props.gatewayUrl,
      requestPath: '/v1/chat/completions',
      protocol: ModelProtocol.OPENAI_CHAT,
      podSelector: gatewayPods,
      podPort: props.gatewayPort,
      scaleTarget: this.server.scaleTarget,
    });
  }

  /** The Endpoint Picker: least privilege, its own ServiceAccount, Role and RoleBinding. */
  private addEndpointPicker(props: LlmdModelProps, eppArgs: string[]): { deployment: ApiObject; service: ApiObject } {
    const name = this.name;
    const provider = this.provider;
    const namespace = this.namespace;
    const eppName = `${name}-epp`;
    const eppSelector = { 'app.kubernetes.io/name': 'llm-d-epp', 'app.kubernetes.io/instance': name };
    const eppLabels = { ...(props.labels ?? {}), ...eppSelector, 'app.kubernetes.io/managed-by': 'cdk8s-asya' };
    new ApiObject(this, 'EppServiceAccount', { ...k8s.KubeServiceAccount.GVK, metadata: { name: eppName, labels: eppLabels } });
    new ApiObject(this, 'EppRole', {
      ...k8s.KubeRole.GVK,
      metadata: { name: eppName, labels: eppLabels },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [InferencePool.GVK.apiVersion.split('/')[0]], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
        // Watched when their CRDs exist (pkg/epp/server/controller_config.go); without them the cache never syncs.
        { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new ApiObject(this, 'EppRoleBinding', {
      ...k8s.KubeRoleBinding.GVK,
      metadata: { name: eppName, labels: eppLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: eppName },
      subjects: [{ kind: 'ServiceAccount', name: eppName }],
    });
    const replicas = props.eppReplicas ?? 1;
    if (replicas > 1) {
      // Leader election's leases and events (config/charts/epplib/templates/_leader-election-rbac.yaml @ 520af478).
      const leName = `${eppName}-leader-election`;
      new ApiObject(this, 'EppLeaderElectionRole', {
        ...k8s.KubeRole.GVK,
        metadata: { name: leName, labels: eppLabels },
        rules: [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
          { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        ],
      });
      new ApiObject(this, 'EppLeaderElectionRoleBinding', {
        ...k8s.KubeRoleBinding.GVK,
        metadata: { name: leName, labels: eppLabels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leName },
        subjects: [{ kind: 'ServiceAccount', name: eppName }],
      });
    }
    const eppPodSpec = renderPodSpec(this, {
      name: 'epp',
      field: 'epp',
      options: {
        image: props.eppImage,
        args: ['--pool-name', name, '--pool-namespace', namespace, '--grpc-port', String(EPP_GRPC_PORT),
          '--grpc-health-port', String(EPP_HEALTH_PORT),
          // The metrics endpoint's token and access reviews need a ClusterRole (tokenreviews,
          // subjectaccessreviews); the chart turns the check off when its Prometheus auth is off, as here.
          '--metrics-endpoint-auth=false',
          ...(provider.secureServing !== undefined ? [`--secure-serving=${provider.secureServing}`] : []),
          // Several replicas elect a leader, as the chart (config/charts/epplib/templates/_deployment.yaml:154 @ 520af478).
          ...(replicas > 1 ? ['--ha-enable-leader-election'] : []),
          // The EPP traces by default (pkg/epp/server/options.go:127); the chart turns it off unless enabled (_deployment.yaml:164).
          ...(eppArgs.some((a) => a.split('=')[0] === '--tracing') ? [] : ['--tracing=false']),
          ...eppArgs],
        resources: props.eppResources ?? DEFAULT_EPP_RESOURCES,
        ports: [{ name: 'grpc', containerPort: EPP_GRPC_PORT }, { name: 'grpc-health', containerPort: EPP_HEALTH_PORT }],
      },
    }, { serviceAccountName: eppName });
    this.addGrpcProbes(eppPodSpec, replicas);
    const deployment = new ApiObject(this, 'EppDeployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: eppName, labels: eppLabels },
      spec: {
        replicas,
        // One active replica; the old one goes at once so a new leader takes over (the chart's
        // config/charts/epplib/templates/_deployment.yaml:19 @ 520af478).
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...eppSelector } },
        template: { metadata: { labels: { ...eppSelector } }, spec: { ...eppPodSpec, terminationGracePeriodSeconds: EPP_GRACE_SECONDS } },
      },
    });
    const service = new ApiObject(this, 'EppService', {
      ...k8s.KubeService.GVK,
      metadata: { name: eppName, labels: eppLabels },
      spec: {
        type: 'ClusterIP',
        selector: { ...eppSelector },
        ports: [{ name: 'grpc-ext-proc', port: EPP_GRPC_PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'http2' }],
      },
    });
    return { deployment, service };
  }

  /** The InferencePool (the main object): exactly the vLLM pods, on the vLLM port, picked by the EPP. */
  private addPool(props: LlmdModelProps): ApiObject {
    const name = this.name;
    const eppName = `${name}-epp`;
    const poolSelector = serverSelector(name);
    return new ApiObject(this, 'Resource', {
      ...InferencePool.GVK,
      metadata: { name, labels: { ...(props.labels ?? {}), ...poolSelector, 'app.kubernetes.io/managed-by': 'cdk8s-asya' } },
      spec: {
        selector: { matchLabels: { ...poolSelector } },
        targetPorts: [{ number: POOL_PORT }],
        endpointPickerRef: {
          kind: 'Service',
          name: eppName,
          port: { number: EPP_GRPC_PORT },
          ...(props.eppFailureMode ? { failureMode: props.eppFailureMode } : {}),
        },
      },
    });
  }

  /** The HTTPRoute attaching the pool to the Gateway. */
  private addRoute(props: LlmdModelProps, gateway: LlmdGatewayRef): ApiObject {
    const name = this.name;
    return new ApiObject(this, 'HTTPRoute', {
      ...HttpRoute.GVK,
      metadata: { name, labels: { ...(props.labels ?? {}), 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'cdk8s-asya' } },
      spec: {
        parentRefs: [{
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          ...(gateway.namespace ? { namespace: gateway.namespace } : {}),
        }],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: InferencePool.GVK.apiVersion.split('/')[0], kind: 'InferencePool', name }],
          ...(this.provider.routeTimeouts ? { timeouts: { request: `${this.routeTimeoutSeconds(props)}s` } } : {}),
        }],
      },
    });
  }

  /**
   * The EPP's gRPC health probes, as the chart's (config/charts/epplib/templates/_deployment.yaml @ 520af478):
   * the `inference-extension` service (Ready after the pool cache syncs), or `liveness`/`readiness` with
   * several replicas (leader election). Probe has no gRPC factory, so they are set on the rendered spec.
   */
  private addGrpcProbes(podSpec: any, replicas: number): void {
    const grpc = (service: string) => ({ port: EPP_HEALTH_PORT, service: replicas > 1 ? service : 'inference-extension' });
    podSpec.containers[0].livenessProbe = { grpc: grpc('liveness'), initialDelaySeconds: 5, periodSeconds: 10 };
    podSpec.containers[0].readinessProbe = { grpc: grpc('readiness'), periodSeconds: 2 };
  }

  private routeTimeoutSeconds(props: LlmdModelProps): number {
    const d = props.routeTimeout ?? Duration.seconds(300);
    check(d instanceof Duration, this, 'routeTimeout', d, 'must be a Duration (e.g. Duration.minutes(5))');
    const s = d.toMilliseconds() / 1000;
    check(Number.isInteger(s) && s >= 1, this, 'routeTimeout', `${s}s`, 'must be a whole number of seconds of at least 1');
    return s;
  }

  private checkEpp(props: LlmdModelProps): string[] {
    checkImage(this, 'eppImage', props.eppImage);
    if (props.eppResources !== undefined) requireLimits(this, 'eppResources', props.eppResources, 'epp');
    const eppArgs = listProp(this, 'eppArgs', props.eppArgs);
    eppArgs.forEach((a, i) => check(typeof a === 'string' && !EPP_RESERVED_ARGS.includes(a.split('=')[0]), this, `eppArgs[${i}]`, a,
      'is set by the construct (pool name and namespace, gRPC ports, metrics endpoint auth, leader election from eppReplicas): remove it'));
    if (this.provider.secureServing !== undefined) {
      eppArgs.forEach((a, i) => check(a.split('=')[0] !== '--secure-serving', this, `eppArgs[${i}]`, a,
        `is set by the construct for provider ${this.provider.name}: remove it`));
    }
    const eppReplicas = props.eppReplicas ?? 1;
    check(Number.isInteger(eppReplicas) && eppReplicas >= 1, this, 'eppReplicas', props.eppReplicas, 'must be a whole number of at least 1');
    if (props.eppFailureMode !== undefined) {
      check(FAILURE_MODES.includes(props.eppFailureMode), this, 'eppFailureMode', props.eppFailureMode, 'must be FailClose or FailOpen');
    }
    return eppArgs;
  }

  private checkGateway(props: LlmdModelProps): LlmdGatewayRef {
    const gateway = objectProp(this, 'gateway', props.gateway);
    checkDnsLabel(this, 'gateway.name', gateway.name);
    if (gateway.namespace !== undefined) {
      checkDnsLabel(this, 'gateway.namespace', gateway.namespace);
      check(gateway.namespace === this.namespace, this, 'gateway.namespace', gateway.namespace,
        `must be the model's namespace "${this.namespace}": the binding's ScaledObject and the bridge's egress rule share the backend namespace`);
    }
    check(typeof props.gatewayUrl === 'string' && GATEWAY_URL.test(props.gatewayUrl), this, 'gatewayUrl', props.gatewayUrl,
      'must be an http(s) base URL of a host and an optional port, without a path or trailing slash (e.g. http://inference-gateway.ai.svc.cluster.local:80)');
    check(Number.isInteger(props.gatewayPort) && props.gatewayPort >= 1 && props.gatewayPort <= 65535, this, 'gatewayPort', props.gatewayPort,
      'must be a port number from 1 to 65535');
    if (props.gatewayCidr !== undefined) {
      check(isCidr(props.gatewayCidr), this, 'gatewayCidr', props.gatewayCidr, 'must be a CIDR block such as 10.128.0.0/20');
      check(props.gatewayPodSelector === undefined && props.gatewayPodNamespace === undefined, this, 'gatewayCidr', props.gatewayCidr,
        'cannot be set with gatewayPodSelector or gatewayPodNamespace: a Gateway is reached either at its in-cluster pods or at an address block');
      return gateway;
    }
    if (props.gatewayPodNamespace !== undefined) checkDnsLabel(this, 'gatewayPodNamespace', props.gatewayPodNamespace);
    const gatewayPods = objectProp(this, 'gatewayPodSelector', props.gatewayPodSelector);
    check(Object.keys(gatewayPods).length > 0, this, 'gatewayPodSelector', props.gatewayPodSelector,
      'must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them), or set gatewayCidr for a Gateway without in-cluster pods (GKE)');
    checkLabelMap(this, 'gatewayPodSelector', gatewayPods);
    return gateway;
  }
}
