import { ApiObject, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic } from './model-backend';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkDnsLabel } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';
import { boolProp, checkLabelMap, listProp, namespaceProp, objectProp } from '../core/props';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { NetworkPeer, TrafficPort } from '../core/traffic';
import { Volume } from '../core/volume';
import { RayService } from '../imports/kuberay-rayservice-ray.io';

/**
 * Serve autoscaling of one deployment (`autoscaling_config`).
 */
export interface RayServeAutoscaling {
  /** `min_replicas` (0 allowed). */
  readonly minReplicas: number;
  /** `max_replicas`. */
  readonly maxReplicas: number;
  /**
   * `target_ongoing_requests` per replica.
   * @default - Ray's (2)
   */
  readonly targetOngoingRequests?: number;
  /**
   * `initial_replicas`: replicas at deployment, between min and max.
   * @default - Ray's (minReplicas)
   */
  readonly initialReplicas?: number;
  /**
   * `upscale_delay_s`: how long the load must stay high before Serve adds replicas.
   * @default - Ray's (30)
   */
  readonly upscaleDelaySeconds?: number;
  /**
   * `downscale_delay_s`: how long the load must stay low before Serve removes replicas (and, from one
   * replica, scales to zero).
   * @default - Ray's (600)
   */
  readonly downscaleDelaySeconds?: number;
}

/**
 * One deployment of a Serve application (`deployments[]`).
 */
export interface RayServeDeployment {
  /** The deployment name (the class or function name in the application). */
  readonly name: string;
  /**
   * A fixed replica count (`num_replicas`); exclusive with autoscaling.
   * @default - the application's
   */
  readonly numReplicas?: number;
  /**
   * Serve autoscaling; exclusive with numReplicas.
   * @default - none
   */
  readonly autoscaling?: RayServeAutoscaling;
  /**
   * GPUs per replica (`ray_actor_options.num_gpus`, may be fractional).
   * @default - none
   */
  readonly numGpus?: number;
  /**
   * CPUs per replica (`ray_actor_options.num_cpus`).
   * @default - Ray's
   */
  readonly numCpus?: number;
  /**
   * `max_ongoing_requests`: requests one replica handles at once (the autoscaler's unit of load).
   * @default - Ray's (5)
   */
  readonly maxOngoingRequests?: number;
  /**
   * `max_queued_requests`: requests a caller may queue for the deployment before Serve answers 503.
   * @default - Ray's (unlimited)
   */
  readonly maxQueuedRequests?: number;
}

/**
 * A Serve application of `serveConfigV2`.
 */
export interface RayServeApplication {
  /** The application name. */
  readonly name: string;
  /** `module:attribute`, e.g. `ray.serve.llm:build_openai_app`. */
  readonly importPath: string;
  /**
   * The HTTP route prefix.
   * @default "/"
   */
  readonly routePrefix?: string;
  /**
   * Arguments of the application builder (any JSON-able map), e.g. `{ llm_configs: [...] }` for Ray Serve LLM.
   * @default - none
   */
  readonly args?: { [key: string]: any };
  /**
   * The runtime environment (`runtime_env`, e.g. `{ pip: [...] }`, `{ working_dir: "https://..." }`).
   * @default - none
   */
  readonly runtimeEnv?: { [key: string]: any };
  /**
   * Deployment overrides.
   * @default - none
   */
  readonly deployments?: RayServeDeployment[];
}

/**
 * The Ray head group.
 */
export interface RayHeadGroup extends PodOptions {
  /**
   * Resources of the head container. Required, with cpu and memory limits (policy ASYA-RES-001), or
   * `allowNoLimits: true` to opt out explicitly: no defaults are invented.
   */
  readonly resources: ResourceRequirements;
  /**
   * `ray start` parameters.
   * @default - none
   */
  readonly rayStartParams?: { [key: string]: string };
  /**
   * Extra environment of the Ray container.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
}

/**
 * A Ray worker group.
 */
export interface RayWorkerGroup extends RayHeadGroup {
  /** The group name (a DNS-1123 label, unique in the cluster). */
  readonly groupName: string;
  /**
   * Initial workers.
   * @default minReplicas
   */
  readonly replicas?: number;
  /**
   * Fewest workers.
   * @default 0
   */
  readonly minReplicas?: number;
  /**
   * Most workers.
   * @default - replicas or minReplicas, at least 1
   */
  readonly maxReplicas?: number;
}

/**
 * Props of a RayServeModel.
 */
export interface RayServeModelProps {
  /**
   * The RayService name (Services `NAME-serve-svc` and `NAME-head-svc`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The Ray image of every node, pinned; its Ray version must match `rayVersion`. Ray Serve LLM
   * (`ray.serve.llm:build_openai_app`) needs `ray[llm]` (vLLM), which the plain `rayproject/ray` images
   * lack: the default is then the `ray-llm` image of KubeRay's LLM sample, and a plain `rayproject/ray`
   * image is refused.
   * @default - "rayproject/ray:2.46.0"; "rayproject/ray-llm:2.52.0-py311-cu128" when an application is Ray Serve LLM
   */
  readonly image?: string;
  /**
   * Accept an untagged or `:latest` image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * The Ray version of the image (`rayClusterConfig.rayVersion`).
   * @default - "2.46.0"; "2.52.0" with the default Ray Serve LLM image
   */
  readonly rayVersion?: string;
  /**
   * Serve's end-to-end HTTP request timeout (`http_options.request_timeout_s`). Ray waits without limit
   * by default, also while a deployment scales up from zero; set it a little below the binding's
   * `requestTimeout` (120 s by default) so Serve gives up on a request no later than the bridge does.
   * @default - none (Ray's: no timeout)
   */
  readonly requestTimeoutSeconds?: number;
  /** The Serve applications (at least one). */
  readonly applications: RayServeApplication[];
  /**
   * The application the bridge calls.
   * @default - the first application
   */
  readonly servedApplication?: string;
  /** The head group. */
  readonly head: RayHeadGroup;
  /**
   * Worker groups.
   * @default - none (Serve runs on the head)
   */
  readonly workerGroups?: RayWorkerGroup[];
  /**
   * Run the Ray autoscaler, which changes worker-group replicas within min/max.
   * @default - true when a worker group has maxReplicas above minReplicas
   */
  readonly enableInTreeAutoscaling?: boolean;
  /**
   * Size of the memory-backed `/dev/shm` of each node (Ray's object store lives there).
   * @default "2Gi"
   */
  readonly sharedMemorySize?: string;
  /**
   * Extra labels on the RayService.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Namespace of the KubeRay operator, which must reach the head's dashboard (8265).
   * @default - the operator's pods (`app.kubernetes.io/name: kuberay-operator`) in any namespace
   */
  readonly kubeRayOperatorNamespace?: string;
}

const LLM_APP = 'ray.serve.llm:build_openai_app';
/** The image and Ray version of KubeRay's Ray Serve LLM sample (ray-project/kuberay ray-operator/config/samples/ray-service.llm-serve.yaml @ v1.7.0). */
const LLM_IMAGE = 'rayproject/ray-llm:2.52.0-py311-cu128';
const LLM_RAY_VERSION = '2.52.0';
const RAY_IMAGE = 'rayproject/ray:2.46.0';
const RAY_VERSION = '2.46.0';
/** The plain Ray images, without `ray[llm]`. */
const PLAIN_RAY_IMAGE = /^(docker\.io\/)?rayproject\/ray[:@]/;
const IMPORT_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const SERVE_PORT = 8000;
/** Ports of the head: declaring any disables KubeRay's defaults, so all are declared (metrics 8080 is always added by KubeRay). */
const HEAD_PORTS = [
  { name: 'gcs-server', containerPort: 6379 },
  { name: 'dashboard', containerPort: 8265 },
  { name: 'client', containerPort: 10001 },
  { name: 'serve', containerPort: SERVE_PORT },
];

/**
 * A Ray Serve model on KubeRay (ray.io/v1 RayService): `serveConfigV2` from typed applications, a head
 * group and worker groups. KubeRay creates the RayCluster `NAME-xxxxx` (bare pods) and the Service
 * `NAME-serve-svc` on the head's port `serve` (8000), which follows the active cluster across upgrades.
 *
 * Ray scales itself (Serve autoscaling and the in-tree autoscaler); there is no scale target for KEDA.
 *
 * Pod security: `restricted` by default, running as uid 1000, the `ray` user of the rayproject images,
 * whose HOME (/home/ray) and /tmp (Ray's session directory) stay writable; `/dev/shm` is a memory emptyDir.
 *
 * @see https://docs.ray.io/en/latest/cluster/kubernetes/getting-started/rayservice-quick-start.html
 */
export class RayServeModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * KubeRay's operator submits `serveConfigV2` and polls Serve status through the head's dashboard port
   * 8265 (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go @ v1.7.0,
   * utils/constant.go DefaultDashboardPort); head and workers talk among themselves on GCS 6379 and
   * Ray's other (partly random) ports, so every port is open between pods of this RayService (both
   * RayClusters during an upgrade carry its labels). KubeRay adds the `metrics` port 8080 to Ray
   * containers.
   */
  public override get traffic(): ModelTraffic | undefined {
    const operator = this.kubeRayOperatorNamespace
      ? NetworkPeer.pods(this.kubeRayOperatorNamespace, { 'app.kubernetes.io/name': 'kuberay-operator' })
      : NetworkPeer.podsInAnyNamespace({ 'app.kubernetes.io/name': 'kuberay-operator' });
    return {
      ingress: [
        // The operator submits the serve config through the dashboard (8265, rayservice_controller.go:2014) and
        // probes GET <headPodIP>:8000/-/healthz before it labels the head ray.io/serve=true, which the serve
        // Service selects (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go:2074-2115,
        // common/service.go:203-205 @ v1.7.0): without 8000 the head never joins NAME-serve-svc.
        { peer: operator, ports: [TrafficPort.tcp(8265), TrafficPort.tcp(8000)], description: 'KubeRay operator -> Ray dashboard (serve config, status) and Serve proxy health (/-/healthz)' },
        { peer: NetworkPeer.pods(this.namespace, this.podSelector), description: 'Ray head and workers: GCS 6379, object manager, raylets, workers' },
      ],
      metricsPorts: [TrafficPort.tcp(8080)],
    };
  }
  private readonly kubeRayOperatorNamespace?: string;
  // ---- end of traffic ----

  /** The RayService. */
  public readonly resource: ApiObject;
  /** Labels on every Ray pod of this model (head and workers), stable across RayCluster upgrades. */
  private readonly selector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: RayServeModelProps) {
    super(scope, id, { name: props.name, maxNameLength: 53, nameLengthReason: 'KubeRay names the Services NAME-serve-svc and NAME-head-svc, at most 63' });
    this.kubeRayOperatorNamespace = namespaceProp(this, 'kubeRayOperatorNamespace', props.kubeRayOperatorNamespace); // traffic (issue 14)
    this.selector = { 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/component': 'ray-serve' };
    listProp(this, 'applications', props.applications);
    const image = this.image(props);
    const rayVersion = props.rayVersion ?? (props.image === undefined && isLlm(props) ? LLM_RAY_VERSION : RAY_VERSION);
    check(/^\d+\.\d+\.\d+/.test(rayVersion), this, 'rayVersion', rayVersion, 'must be a Ray version such as 2.46.0');
    const applications = this.applications(props);
    const served = this.servedApplication(props);
    check(props.head !== undefined, this, 'head', props.head, 'must be set');
    objectProp(this, 'head', props.head);
    check(props.head !== null, this, 'head', props.head, 'must be set');
    listProp(this, 'workerGroups', props.workerGroups).forEach((w, i) => objectProp(this, `workerGroups[${i}]`, w));
    boolProp(this, 'enableInTreeAutoscaling', props.enableInTreeAutoscaling);
    checkLabelMap(this, 'labels', props.labels);
    const workerGroupSpecs = (props.workerGroups ?? []).map((w, i) => this.workerGroup(props, image, w, i));
    const anyElastic = workerGroupSpecs.some((w) => w.maxReplicas > w.minReplicas);
    this.resource = new ApiObject(this, 'Resource', {
      ...RayService.GVK,
      metadata: { name: this.name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) } },
      spec: {
        serveConfigV2: Yaml.stringify({ ...this.httpOptions(props), applications }),
        rayClusterConfig: {
          rayVersion,
          enableInTreeAutoscaling: props.enableInTreeAutoscaling ?? anyElastic,
          headGroupSpec: this.headGroup(props, image),
          ...(workerGroupSpecs.length ? { workerGroupSpecs } : {}),
        },
      },
    });
    this.serve({
      ...this.api(served),
      endpoint: this.serviceUrl(`${this.name}-serve-svc`, SERVE_PORT),
      podSelector: { ...this.selector },
      podPort: SERVE_PORT,
      // KubeRay always adds the container port `metrics` (8080) to Ray containers.
      metrics: { portName: 'metrics', path: '/metrics' },
      noScaleTargetReason: 'Ray autoscales itself (Serve autoscaling_config sets deployment replicas, the in-tree autoscaler '
        + 'sets worker-group replicas), and RayService/RayCluster have no scale subresource, so there is nothing for KEDA to target.',
    });
  }

  /** RAY-1: Ray Serve LLM imports ray.serve.llm, which needs ray[llm] (vLLM): not in rayproject/ray. */
  private image(props: RayServeModelProps): string {
    const llm = isLlm(props);
    const image = props.image ?? (llm ? LLM_IMAGE : RAY_IMAGE);
    check(!(llm && PLAIN_RAY_IMAGE.test(image)), this, 'image', image,
      `cannot run ${LLM_APP}: the plain rayproject/ray images lack ray[llm] (vLLM); use a rayproject/ray-llm image `
      + `(e.g. ${LLM_IMAGE}, KubeRay's LLM sample) or your own image with ray[llm]`);
    return image;
  }

  /** The `applications` of serveConfigV2. */
  private applications(props: RayServeModelProps): any[] {
    const apps = props.applications ?? [];
    check(apps.length > 0, this, 'applications', apps, 'must list at least one Serve application');
    const appNames = new Set<string>();
    const prefixes = new Set<string>();
    return apps.map((a, i) => {
      const f = `applications[${i}]`;
      check(typeof a.name === 'string' && /^[A-Za-z0-9_-]+$/.test(a.name), this, `${f}.name`, a.name, 'must be letters, digits, "_" or "-"');
      check(!appNames.has(a.name), this, `${f}.name`, a.name, 'is used by another application');
      appNames.add(a.name);
      check(typeof a.importPath === 'string' && IMPORT_PATH.test(a.importPath), this, `${f}.importPath`, a.importPath,
        'must be module:attribute, e.g. ray.serve.llm:build_openai_app');
      const prefix = a.routePrefix ?? '/';
      check(prefix.startsWith('/'), this, `${f}.routePrefix`, prefix, 'must start with "/"');
      check(!prefixes.has(prefix), this, `${f}.routePrefix`, prefix, 'is used by another application');
      prefixes.add(prefix);
      const depNames = new Set<string>();
      const deployments = (a.deployments ?? []).map((d, j) => {
        const df = `${f}.deployments[${j}]`;
        check(typeof d.name === 'string' && d.name.length > 0 && !depNames.has(d.name), this, `${df}.name`, d.name, 'must be a non-empty name unique in the application');
        depNames.add(d.name);
        return this.deployment(d, df);
      });
      if (a.args !== undefined) {
        check(a.args !== null && typeof a.args === 'object' && !Array.isArray(a.args) && JSON.stringify(a.args) !== undefined, this, `${f}.args`, a.args,
          'must be a JSON-able map');
      }
      return {
        name: a.name,
        import_path: a.importPath,
        route_prefix: prefix,
        ...(a.runtimeEnv ? { runtime_env: JSON.parse(JSON.stringify(a.runtimeEnv)) } : {}),
        ...(a.args ? { args: JSON.parse(JSON.stringify(a.args)) } : {}),
        ...(deployments.length ? { deployments } : {}),
      };
    });
  }

  /** One deployment override (Serve's DeploymentSchema and AutoscalingConfig field names). */
  private deployment(d: RayServeDeployment, df: string): any {
    check(!(d.numReplicas !== undefined && d.autoscaling !== undefined), this, `${df}.numReplicas`, d.numReplicas,
      'cannot be set together with autoscaling: choose a fixed count or Serve autoscaling');
    if (d.numReplicas !== undefined) {
      check(Number.isInteger(d.numReplicas) && d.numReplicas >= 1, this, `${df}.numReplicas`, d.numReplicas, 'must be a whole number of at least 1');
    }
    const s = d.autoscaling;
    if (s) {
      check(Number.isInteger(s.minReplicas) && s.minReplicas >= 0, this, `${df}.autoscaling.minReplicas`, s.minReplicas, 'must be a whole number of at least 0');
      check(Number.isInteger(s.maxReplicas) && s.maxReplicas >= Math.max(1, s.minReplicas), this, `${df}.autoscaling.maxReplicas`, s.maxReplicas,
        `must be a whole number of at least 1 and at least minReplicas (${s.minReplicas})`);
      if (s.initialReplicas !== undefined) {
        check(Number.isInteger(s.initialReplicas) && s.initialReplicas >= s.minReplicas && s.initialReplicas <= s.maxReplicas, this,
          `${df}.autoscaling.initialReplicas`, s.initialReplicas, `must be a whole number between minReplicas (${s.minReplicas}) and maxReplicas (${s.maxReplicas})`);
      }
      for (const k of ['upscaleDelaySeconds', 'downscaleDelaySeconds'] as const) {
        if (s[k] !== undefined) check(typeof s[k] === 'number' && s[k]! >= 0, this, `${df}.autoscaling.${k}`, s[k], 'must be at least 0');
      }
    }
    for (const k of ['maxOngoingRequests', 'maxQueuedRequests'] as const) {
      if (d[k] !== undefined) check(Number.isInteger(d[k]) && d[k]! >= 1, this, `${df}.${k}`, d[k], 'must be a whole number of at least 1');
    }
    if (d.numGpus !== undefined) check(d.numGpus >= 0, this, `${df}.numGpus`, d.numGpus, 'must be at least 0');
    if (d.numCpus !== undefined) check(d.numCpus >= 0, this, `${df}.numCpus`, d.numCpus, 'must be at least 0');
    const actor = { ...(d.numGpus !== undefined ? { num_gpus: d.numGpus } : {}), ...(d.numCpus !== undefined ? { num_cpus: d.numCpus } : {}) };
    return {
      name: d.name,
      ...(d.numReplicas !== undefined ? { num_replicas: d.numReplicas } : {}),
      ...(s ? {
        autoscaling_config: {
          min_replicas: s.minReplicas,
          max_replicas: s.maxReplicas,
          ...(s.targetOngoingRequests !== undefined ? { target_ongoing_requests: s.targetOngoingRequests } : {}),
          ...(s.initialReplicas !== undefined ? { initial_replicas: s.initialReplicas } : {}),
          ...(s.upscaleDelaySeconds !== undefined ? { upscale_delay_s: s.upscaleDelaySeconds } : {}),
          ...(s.downscaleDelaySeconds !== undefined ? { downscale_delay_s: s.downscaleDelaySeconds } : {}),
        },
      } : {}),
      ...(d.maxOngoingRequests !== undefined ? { max_ongoing_requests: d.maxOngoingRequests } : {}),
      ...(d.maxQueuedRequests !== undefined ? { max_queued_requests: d.maxQueuedRequests } : {}),
      ...(Object.keys(actor).length ? { ray_actor_options: actor } : {}),
    };
  }

  private servedApplication(props: RayServeModelProps): RayServeApplication {
    const apps = props.applications;
    const served = props.servedApplication === undefined ? apps[0] : apps.find((a) => a.name === props.servedApplication);
    check(served !== undefined, this, 'servedApplication', props.servedApplication, `names no application (declared: ${apps.map((a) => a.name).join(', ')})`);
    return served!;
  }

  /** The pod template of a Ray node group: the construct's selector labels, `/dev/shm` as a memory emptyDir. */
  private template(props: RayServeModelProps, image: string, field: string, containerName: string, g: RayHeadGroup,
    ports: { name: string; containerPort: number }[]): any {
    const selector = this.selector;
    requireLimits(this, `${field}.resources`, g.resources, containerName);
    (g.volumes ?? []).forEach((v, i) => check(v.name !== 'dshm', this, `${field}.volumes[${i}].name`, v.name, 'is reserved: the construct declares dshm'));
    for (const [k, v] of Object.entries(g.podLabels ?? {})) {
      if (k in selector) check(v === selector[k], this, `${field}.podLabels["${k}"]`, v, `must be "${selector[k]}" or unset: it selects the model's pods`);
    }
    const spec = renderPodSpec(this, {
      name: containerName,
      field,
      options: {
        image,
        allowUnpinnedImage: props.allowUnpinnedImage,
        env: g.env,
        resources: g.resources,
        ports,
        volumeMounts: [{ volume: 'dshm', mountPath: '/dev/shm' }],
      },
    }, { ...g, volumes: [Volume.emptyDir('dshm', { memory: true, sizeLimit: props.sharedMemorySize ?? '2Gi' }), ...(g.volumes ?? [])] });
    return {
      metadata: {
        labels: { ...(g.podLabels ?? {}), ...selector },
        ...(g.podAnnotations && Object.keys(g.podAnnotations).length ? { annotations: { ...g.podAnnotations } } : {}),
      },
      spec,
    };
  }

  /**
   * The head group. RAY-2: with workers, the head advertises no CPUs so Serve replicas land on workers, as
   * KubeRay's samples do (ray-project/kuberay ray-operator/config/samples/ray-service.llm-serve.yaml @ v1.7.0).
   */
  private headGroup(props: RayServeModelProps, image: string): any {
    const params = props.head.rayStartParams ?? {};
    return {
      rayStartParams: (props.workerGroups ?? []).length > 0 ? { 'num-cpus': '0', ...params } : { ...params },
      template: this.template(props, image, 'head', 'ray-head', props.head, HEAD_PORTS),
    };
  }

  private workerGroup(props: RayServeModelProps, image: string, w: RayWorkerGroup, i: number): any {
    const f = `workerGroups[${i}]`;
    checkDnsLabel(this, `${f}.groupName`, w.groupName);
    const others = (props.workerGroups ?? []).slice(0, i).map((g) => g.groupName);
    check(!others.includes(w.groupName), this, `${f}.groupName`, w.groupName, 'is used by another worker group');
    const min = w.minReplicas ?? 0;
    const replicas = w.replicas ?? min;
    const max = w.maxReplicas ?? Math.max(replicas, 1);
    check(Number.isInteger(min) && min >= 0, this, `${f}.minReplicas`, w.minReplicas, 'must be a whole number of at least 0');
    check(Number.isInteger(max) && max >= 1, this, `${f}.maxReplicas`, w.maxReplicas, 'must be a whole number of at least 1');
    check(min <= max, this, `${f}.minReplicas`, min, `must not exceed maxReplicas (${max})`);
    check(Number.isInteger(replicas) && replicas >= min && replicas <= max, this, `${f}.replicas`, replicas, `must be between minReplicas (${min}) and maxReplicas (${max})`);
    return {
      groupName: w.groupName,
      replicas,
      minReplicas: min,
      maxReplicas: max,
      rayStartParams: { ...(w.rayStartParams ?? {}) },
      template: this.template(props, image, f, 'ray-worker', w, []),
    };
  }

  /** What the bridge calls: Ray Serve LLM's OpenAI API (model = `model_id`), else the application's route as Ray Serve HTTP. */
  private api(served: RayServeApplication): { modelName: string; requestPath: string; protocol: ModelProtocol } {
    const base = (served.routePrefix ?? '/').replace(/\/+$/, '');
    if (served.importPath === LLM_APP) {
      const modelId = served.args?.llm_configs?.[0]?.model_loading_config?.model_id;
      check(typeof modelId === 'string' && modelId.length > 0, this, 'applications.args.llm_configs[0].model_loading_config.model_id', modelId,
        'must be set for Ray Serve LLM: it is the model name requests carry');
      return { modelName: modelId, requestPath: `${base}/v1/chat/completions`, protocol: ModelProtocol.OPENAI_CHAT };
    }
    return { modelName: served.name, requestPath: base || '/', protocol: ModelProtocol.RAY_SERVE_HTTP };
  }

  /** RAY-3: Serve's request timeout (`http_options.request_timeout_s` of serveConfigV2). */
  private httpOptions(props: RayServeModelProps): { http_options?: { request_timeout_s: number } } {
    if (props.requestTimeoutSeconds === undefined) return {};
    check(typeof props.requestTimeoutSeconds === 'number' && props.requestTimeoutSeconds > 0, this, 'requestTimeoutSeconds', props.requestTimeoutSeconds,
      'must be a number of seconds above 0');
    return { http_options: { request_timeout_s: props.requestTimeoutSeconds } };
  }
}

function isLlm(props: RayServeModelProps): boolean {
  return (props.applications ?? []).some((a) => a?.importPath === LLM_APP);
}
