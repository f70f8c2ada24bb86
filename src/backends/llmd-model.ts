import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import { ModelSource } from './model-source';
import { OpenAIModel, OpenAIServer } from './openai-model';
import { ModelServerOptions, serverSelector } from './server-workload';
import { Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { k8s } from '../core/k8s';
import { checkDns1035Label, checkDnsLabel } from '../core/names';
import { renderPodSpec } from '../core/pod';
import { checkLabelMap, listProp, objectProp } from '../core/props';
import { ResourceRequirements } from '../core/resources';
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
   * The Endpoint Picker (EPP) image, pinned by tag or digest. Since gateway-api-inference-extension
   * v1.6.0 the EPP lives in `llm-d/llm-d-router`; no default is invented.
   * @see https://github.com/kubernetes-sigs/gateway-api-inference-extension
   */
  readonly eppImage: string;
  /**
   * Extra EPP flags, appended after `--pool-name`, `--pool-namespace`, `--grpc-port` and `--grpc-health-port`.
   * @default - none
   */
  readonly eppArgs?: string[];
  /**
   * Resources of the EPP container.
   * @default - requests 100m CPU / 256Mi, limits 1 CPU / 1Gi
   */
  readonly eppResources?: ResourceRequirements;
  /**
   * Replicas of the EPP Deployment.
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
   * Labels that select the Gateway's data-plane pods. Required: the bridge calls the Gateway, not the
   * vLLM pods, so its egress rule (and the binding's NetworkPolicy) must name the Gateway's pods, whose
   * labels depend on the implementation.
   */
  readonly gatewayPodSelector: { [key: string]: string };
  /**
   * The port the Gateway's pods listen on for this listener (the container port behind `gatewayUrl`,
   * which may differ from the Service port, e.g. 80 in front of 10080).
   */
  readonly gatewayPort: number;
}

const POOL_PORT = 8000;
const EPP_GRPC_PORT = 9002;
const EPP_HEALTH_PORT = 9003;
const EPP_RESERVED_ARGS = ['--pool-name', '--pool-namespace', '--grpc-port', '--grpc-health-port'];
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
 * `appProtocol: http2`, ServiceAccount, and a Role/RoleBinding with get/list/watch on `pods` and
 * `inferencepools` only), and an HTTPRoute `NAME` attaching the pool to your Gateway.
 *
 * As a backend, the model is reached through the Gateway: `endpoint` is `gatewayUrl`, `podSelector` and
 * `podPort` are the Gateway's pods, and the scale target is the vLLM Deployment (scale to zero works: the
 * Gateway answers 5xx while the pool is empty and the bridge retries).
 *
 * The Gateway must run in the model's namespace: `IModelBackend.namespace` is both where the binding puts
 * the ScaledObject (next to the vLLM Deployment) and where the bridge's egress rule looks for
 * `gatewayPodSelector`. The binding's model-ingress NetworkPolicy then guards the Gateway's pods; if the
 * Gateway serves other clients, allow them (`allowModelIngressFromNamespaces`) or set `networkPolicy: false`.
 *
 * @see https://gateway-api-inference-extension.sigs.k8s.io/
 */
export class LlmdModel extends Construct implements IModelBackend {
  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string = '/v1/chat/completions';
  public readonly protocol: ModelProtocol = ModelProtocol.OPENAI_CHAT;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  /**
   * Undefined: vLLM's metrics are on the vLLM pods (`server.metrics`), while this backend's podSelector
   * names the Gateway's pods.
   */
  public readonly metrics?: MetricsEndpoint;
  /** The vLLM server (Deployment and Service). */
  public readonly server: OpenAIModel;
  /** The InferencePool. */
  public readonly inferencePool: ApiObject;
  /** The HTTPRoute. */
  public readonly httpRoute: ApiObject;
  /** The Endpoint Picker's Deployment. */
  public readonly eppDeployment: ApiObject;
  /** The Endpoint Picker's Service. */
  public readonly eppService: ApiObject;

  constructor(scope: Construct, id: string, props: LlmdModelProps) {
    super(scope, id);
    const name = props.name ?? id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 59,
      'the Endpoint Picker objects are named <name>-epp');
    const namespace = Chart.of(this).namespace ?? 'default';
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    checkImage(this, 'eppImage', props.eppImage);
    const eppArgs = listProp(this, 'eppArgs', props.eppArgs);
    eppArgs.forEach((a, i) => check(typeof a === 'string' && !EPP_RESERVED_ARGS.includes(a.split('=')[0]), this, `eppArgs[${i}]`, a,
      'is set by the construct (pool name and namespace, gRPC ports): remove it'));
    const eppReplicas = props.eppReplicas ?? 1;
    check(Number.isInteger(eppReplicas) && eppReplicas >= 1, this, 'eppReplicas', props.eppReplicas, 'must be a whole number of at least 1');
    if (props.eppFailureMode !== undefined) {
      check(FAILURE_MODES.includes(props.eppFailureMode), this, 'eppFailureMode', props.eppFailureMode, 'must be FailClose or FailOpen');
    }

    const gateway = objectProp(this, 'gateway', props.gateway);
    checkDnsLabel(this, 'gateway.name', gateway.name);
    if (gateway.namespace !== undefined) {
      checkDnsLabel(this, 'gateway.namespace', gateway.namespace);
      check(gateway.namespace === namespace, this, 'gateway.namespace', gateway.namespace,
        `must be the model's namespace "${namespace}": the binding's ScaledObject and the bridge's egress rule share the backend namespace`);
    }
    check(typeof props.gatewayUrl === 'string' && GATEWAY_URL.test(props.gatewayUrl), this, 'gatewayUrl', props.gatewayUrl,
      'must be an http(s) base URL of a host and an optional port, without a path or trailing slash (e.g. http://inference-gateway.ai.svc.cluster.local:80)');
    const gatewayPods = objectProp(this, 'gatewayPodSelector', props.gatewayPodSelector);
    check(Object.keys(gatewayPods).length > 0, this, 'gatewayPodSelector', props.gatewayPodSelector,
      'must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them)');
    checkLabelMap(this, 'gatewayPodSelector', gatewayPods);
    check(Number.isInteger(props.gatewayPort) && props.gatewayPort >= 1 && props.gatewayPort <= 65535, this, 'gatewayPort', props.gatewayPort,
      'must be a port number from 1 to 65535');

    // The vLLM server: OpenAIModel renders and validates it.
    this.server = new OpenAIModel(this, 'Server', {
      ...props,
      name,
      server: OpenAIServer.VLLM,
      protocol: ModelProtocol.OPENAI_CHAT,
    });
    const poolSelector = serverSelector(name);

    // The Endpoint Picker: least privilege, its own ServiceAccount.
    const eppName = `${name}-epp`;
    const eppSelector = { 'app.kubernetes.io/name': 'llm-d-epp', 'app.kubernetes.io/instance': name };
    const eppLabels = { ...(props.labels ?? {}), ...eppSelector, 'app.kubernetes.io/managed-by': 'cdk8s-asya' };
    new k8s.KubeServiceAccount(this, 'EppServiceAccount', { metadata: { name: eppName, labels: eppLabels } });
    new k8s.KubeRole(this, 'EppRole', {
      metadata: { name: eppName, labels: eppLabels },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [InferencePool.GVK.apiVersion.split('/')[0]], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'EppRoleBinding', {
      metadata: { name: eppName, labels: eppLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: eppName },
      subjects: [{ kind: 'ServiceAccount', name: eppName }],
    });
    const eppPodSpec = renderPodSpec(this, {
      name: 'epp',
      field: 'epp',
      options: {
        image: props.eppImage,
        args: ['--pool-name', name, '--pool-namespace', namespace, '--grpc-port', String(EPP_GRPC_PORT),
          '--grpc-health-port', String(EPP_HEALTH_PORT), ...eppArgs],
        resources: props.eppResources ?? DEFAULT_EPP_RESOURCES,
        ports: [{ name: 'grpc', containerPort: EPP_GRPC_PORT }, { name: 'grpc-health', containerPort: EPP_HEALTH_PORT }],
        // The EPP serves gRPC health on 9003; Probe has no gRPC kind, so the probes check the port opens.
        readinessProbe: Probe.tcpSocket(EPP_HEALTH_PORT, { periodSeconds: 5, failureThreshold: 3 }),
        livenessProbe: Probe.tcpSocket(EPP_HEALTH_PORT, { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
      },
    }, { serviceAccountName: eppName });
    this.eppDeployment = new ApiObject(this, 'EppDeployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: eppName, labels: eppLabels },
      spec: {
        replicas: eppReplicas,
        selector: { matchLabels: { ...eppSelector } },
        template: { metadata: { labels: { ...eppSelector } }, spec: eppPodSpec },
      },
    });
    this.eppService = new ApiObject(this, 'EppService', {
      ...k8s.KubeService.GVK,
      metadata: { name: eppName, labels: eppLabels },
      spec: {
        type: 'ClusterIP',
        selector: { ...eppSelector },
        ports: [{ name: 'grpc-ext-proc', port: EPP_GRPC_PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'http2' }],
      },
    });

    // The pool (the main object) and the route.
    this.inferencePool = new ApiObject(this, 'Resource', {
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
    this.httpRoute = new ApiObject(this, 'HTTPRoute', {
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
        }],
      },
    });

    this.namespace = namespace;
    this.modelName = this.server.modelName;
    this.endpoint = props.gatewayUrl;
    this.podSelector = { ...gatewayPods };
    this.podPort = props.gatewayPort;
    this.scaleTarget = this.server.scaleTarget;
  }
}
