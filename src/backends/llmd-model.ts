import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic } from './model-backend';
import { ModelSource } from './model-source';
import { OpenAIModel, OpenAIServer } from './openai-model';
import { ModelServerOptions, serverSelector } from './server-workload';
import { Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { k8s } from '../core/k8s';
import { checkDnsLabel } from '../core/names';
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
export class LlmdModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * The binding guards the Gateway's pods (this backend's podSelector): only the bridge reaches them.
   * The Gateway -> EPP (gRPC 9002), Gateway -> vLLM (8000) and EPP -> vLLM metrics flows
   * (kubernetes-sigs/gateway-api-inference-extension conformance/resources/base.yaml @ v1.6.0) are
   * egress of the Gateway and EPP and ingress of pods no generated policy selects, so nothing blocks them.
   */
  public get traffic(): ModelTraffic {
    return { ingress: [], metricsPorts: [] };
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

  constructor(scope: Construct, id: string, props: LlmdModelProps) {
    super(scope, id, { name: props.name, maxNameLength: 59, nameLengthReason: 'the Endpoint Picker objects are named <name>-epp' });
    const name = this.name;
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    const eppArgs = this.checkEpp(props);
    const gateway = this.checkGateway(props);
    const gatewayPods = objectProp(this, 'gatewayPodSelector', props.gatewayPodSelector);

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
    const namespace = this.namespace;
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
    const deployment = new ApiObject(this, 'EppDeployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: eppName, labels: eppLabels },
      spec: {
        replicas: props.eppReplicas ?? 1,
        selector: { matchLabels: { ...eppSelector } },
        template: { metadata: { labels: { ...eppSelector } }, spec: eppPodSpec },
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
        }],
      },
    });
  }

  private checkEpp(props: LlmdModelProps): string[] {
    checkImage(this, 'eppImage', props.eppImage);
    const eppArgs = listProp(this, 'eppArgs', props.eppArgs);
    eppArgs.forEach((a, i) => check(typeof a === 'string' && !EPP_RESERVED_ARGS.includes(a.split('=')[0]), this, `eppArgs[${i}]`, a,
      'is set by the construct (pool name and namespace, gRPC ports): remove it'));
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
    const gatewayPods = objectProp(this, 'gatewayPodSelector', props.gatewayPodSelector);
    check(Object.keys(gatewayPods).length > 0, this, 'gatewayPodSelector', props.gatewayPodSelector,
      'must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them)');
    checkLabelMap(this, 'gatewayPodSelector', gatewayPods);
    check(Number.isInteger(props.gatewayPort) && props.gatewayPort >= 1 && props.gatewayPort <= 65535, this, 'gatewayPort', props.gatewayPort,
      'must be a port number from 1 to 65535');
    return gateway;
  }
}
