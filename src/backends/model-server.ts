import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { MetricsEndpoint, ModelBackend, ModelProtocol, ScaleTarget } from './model-backend';
import { checkPodLabels, checkReplicas, serverSelector, startupFailureThreshold } from './server-workload';
import { ContainerOptions, NamedContainer, Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { k8s } from '../core/k8s';
import { PodOptions, renderPodSpec } from '../core/pod';
import { checkLabelMap, listProp, objectProp } from '../core/props';
import { requireLimits } from '../core/resources';
import { Volume, VolumeMount } from '../core/volume';

/** The writable emptyDir every server gets at `/tmp` (see `ModelServer`). */
const TMP_VOLUME = 'tmp';
const TMP_PATH = '/tmp';

/**
 * What a `ModelServer` subclass hands to the base constructor: the naming rule, the labels and the
 * replica and startup settings of the user, and the names and paths the subclass reserves.
 */
export interface ModelServerBaseProps {
  /**
   * The name of the Deployment, the Service and the `app.kubernetes.io/instance` pod label.
   * @default - the construct id
   */
  readonly name?: string;
  /** The `app.kubernetes.io/component` label of the Deployment and the Service, e.g. `triton`. */
  readonly component: string;
  /**
   * Extra labels on the Deployment and the Service.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Replicas of the Deployment when nothing scales it.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How long the server may take to start before the startup probe gives up.
   * @default Duration.minutes(20)
   */
  readonly startupTimeout?: Duration;
  /**
   * The user's pod options (only checked here: pod labels against the selector, volumes, mounts and
   * init containers against the reserved names).
   * @default - none
   */
  readonly pod?: PodOptions;
  /**
   * The user's mounts of the server container (checked against `reservedMountPaths`).
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];
  /**
   * The user's env of the server container (checked against `reservedEnv`).
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Volume names the subclass declares itself.
   * @default - none
   */
  readonly reservedVolumes?: string[];
  /**
   * Mount paths the subclass mounts itself.
   * @default - none
   */
  readonly reservedMountPaths?: string[];
  /**
   * Init container names the subclass adds itself, with the rule shown when a user's has one.
   * @default - none
   */
  readonly reservedInitContainers?: { [name: string]: string };
  /**
   * Env variables the subclass sets itself, with the rule shown when a user sets one.
   * @default - none
   */
  readonly reservedEnv?: { [name: string]: string };
}

/**
 * The server container of a `ModelServer` and what it adds to the user's pod.
 */
export interface ServerContainer {
  /** The server container (named `server`); its named ports become the Service's ports. */
  readonly container: ContainerOptions;
  /**
   * Volumes the subclass declares, before the user's.
   * @default - none
   */
  readonly volumes?: Volume[];
  /**
   * Init containers the subclass adds, before the user's.
   * @default - none
   */
  readonly initContainers?: NamedContainer[];
}

/**
 * The probes of a server container.
 */
export interface ServerProbes {
  /** The startup probe. */
  readonly startupProbe: Probe;
  /** The readiness probe. */
  readonly readinessProbe: Probe;
  /** The liveness probe. */
  readonly livenessProbe: Probe;
}

/**
 * How a `ModelServer` is served through its Service (see `ModelServer.serveThroughService`).
 */
export interface ServedThroughService {
  /** The model name requests must carry. */
  readonly modelName: string;
  /** The path requests are posted to. */
  readonly requestPath: string;
  /** The protocol. */
  readonly protocol: ModelProtocol;
  /** The Service port (and container port, by the same name) that receives the traffic. */
  readonly port: number;
  /**
   * Where the server exposes Prometheus metrics.
   * @default - none
   */
  readonly metrics?: MetricsEndpoint;
}

/**
 * The base of the model servers this library runs as its own Deployment (id `Resource`) and ClusterIP
 * Service (id `Service`) of the same name (TritonModel, OpenAIModel, MosecModel).
 *
 * The base creates both objects in its constructor and fills their specs when the subclass calls
 * `runServer()`. It owns the pod selector (`app.kubernetes.io/name: model-server`,
 * `app.kubernetes.io/instance: NAME`), the replica and startup-timeout checks, the reserved volume, path,
 * init-container and env checks, the probes' thresholds and the serving facts (the Deployment is the scale
 * target; scale to zero works).
 *
 * Every server container gets a writable emptyDir at `/tmp` (volume `tmp`, reserved), so that
 * `security.readOnlyRootFilesystem` works: vLLM puts its IPC paths under Python's `tempfile.gettempdir()`,
 * TGI's launcher its shard sockets at `/tmp/text-generation-server` (huggingface/text-generation-inference
 * launcher/src/main.rs:782 @ v3.3.5), Mosec its IPC sockets under `/tmp`, and Triton and PyTorch write
 * temporary files there.
 *
 * A subclass: `super(scope, id, { name, component, labels, replicas, startupTimeout, pod, ...reserved })`,
 * check its own props, then `this.runServer({ container, volumes, initContainers }, props)` and
 * `this.serveThroughService({ modelName, requestPath, protocol, port })`.
 */
export abstract class ModelServer extends ModelBackend {
  /** The Deployment (the main object, id `Resource`). */
  public readonly deployment: ApiObject;
  /** The ClusterIP Service. */
  public readonly service: ApiObject;
  /** Labels selecting the server's pods. */
  protected readonly selector: { [key: string]: string };
  /** The replicas of the Deployment. */
  protected readonly replicas: number;
  /** The startup probe's failure threshold at its 10 s period. */
  protected readonly startupThreshold: number;
  private podSpec?: any;
  private podMeta?: { labels: { [key: string]: string }; annotations?: { [key: string]: string } };
  private ports: Array<{ name: string; port: number }> = [];

  protected constructor(scope: Construct, id: string, props: ModelServerBaseProps) {
    super(scope, id, { name: props.name });
    this.selector = serverSelector(this.name);
    const pod = props.pod ?? {};
    checkPodLabels(this, pod.podLabels, this.selector);
    this.replicas = checkReplicas(this, props.replicas);
    this.startupThreshold = startupFailureThreshold(this, props.startupTimeout);
    this.checkReserved({
      ...props,
      reservedVolumes: [TMP_VOLUME, ...(props.reservedVolumes ?? []).filter((v) => v !== TMP_VOLUME)],
      reservedMountPaths: [TMP_PATH, ...(props.reservedMountPaths ?? []).filter((p) => p !== TMP_PATH)],
    });
    checkLabelMap(this, 'labels', props.labels);

    const labels = { ...(props.labels ?? {}), 'app.kubernetes.io/component': props.component, ...this.selector, 'app.kubernetes.io/managed-by': 'cdk8s-asya' };
    this.deployment = new ApiObject(this, 'Resource', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: this.name, labels },
      spec: Lazy.any({ produce: () => this.renderDeploymentSpec() }),
    });
    this.service = new ApiObject(this, 'Service', {
      ...k8s.KubeService.GVK,
      metadata: { name: this.name, labels },
      spec: Lazy.any({ produce: () => this.renderServiceSpec() }),
    });
  }

  /**
   * The three probes of a server container: startup (at a 10 s period, up to `startupTimeout`) and
   * readiness on `readyPath`, liveness on `livePath`.
   */
  protected httpProbes(port: number, readyPath: string, livePath?: string): ServerProbes {
    return {
      startupProbe: Probe.httpGet(readyPath, port, { periodSeconds: 10, failureThreshold: this.startupThreshold }),
      readinessProbe: Probe.httpGet(readyPath, port, { periodSeconds: 10, failureThreshold: 3 }),
      livenessProbe: Probe.httpGet(livePath ?? readyPath, port, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
    };
  }

  /**
   * Renders the pod of the server (the container named `server`, the subclass's volumes and init
   * containers before the user's) into the Deployment, and the container's named ports into the Service.
   */
  protected runServer(server: ServerContainer, pod: PodOptions): void {
    const container = { ...server.container, volumeMounts: [{ volume: TMP_VOLUME, mountPath: TMP_PATH }, ...(server.container.volumeMounts ?? [])] };
    // The user's init containers follow the construct's in the pod: check their limits under their own indexes.
    listProp(this, 'initContainers', pod.initContainers).forEach((c, i) => requireLimits(this, `initContainers[${i}].resources`, c.resources, c.name));
    this.podSpec = renderPodSpec(this, { name: 'server', field: '', options: container }, {
      ...pod,
      volumes: [Volume.emptyDir(TMP_VOLUME), ...(server.volumes ?? []), ...(pod.volumes ?? [])],
      initContainers: [...(server.initContainers ?? []), ...(pod.initContainers ?? [])],
    });
    this.podMeta = {
      labels: { ...(pod.podLabels ?? {}), ...this.selector },
      ...(pod.podAnnotations && Object.keys(pod.podAnnotations).length ? { annotations: { ...pod.podAnnotations } } : {}),
    };
    this.ports = (server.container.ports ?? []).filter((p) => p.name !== undefined).map((p) => ({ name: p.name!, port: p.containerPort }));
  }

  /**
   * Declares the serving facts of a server reached through its own Service: the endpoint is
   * `http://NAME.NAMESPACE.svc.cluster.local:PORT`, the pods are the Deployment's, the Deployment is the
   * scale target.
   */
  protected serveThroughService(facts: ServedThroughService): void {
    this.serve({
      modelName: facts.modelName,
      endpoint: this.serviceUrl(this.name, facts.port),
      requestPath: facts.requestPath,
      protocol: facts.protocol,
      podSelector: { ...this.selector },
      podPort: facts.port,
      scaleTarget: this.deploymentScaleTarget(),
      metrics: facts.metrics,
    });
  }

  /** The Deployment as a scale target (scale to zero works: the queue holds the work). */
  protected deploymentScaleTarget(): ScaleTarget {
    return { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, supportsScaleToZero: true };
  }

  private checkReserved(props: ModelServerBaseProps): void {
    const reservedVolumes = props.reservedVolumes ?? [];
    const reservedPaths = props.reservedMountPaths ?? [];
    const reservedInit = props.reservedInitContainers ?? {};
    listProp(this, 'volumes', props.pod?.volumes).forEach((v, i) => check(!reservedVolumes.includes(v.name), this, `volumes[${i}].name`, v.name,
      `is reserved: the construct declares the volume${reservedVolumes.length > 1 ? 's' : ''} ${reservedVolumes.join(', ')}`));
    listProp(this, 'volumeMounts', props.volumeMounts).forEach((m, i) => check(!reservedPaths.includes((m.mountPath ?? '').replace(/\/+$/, '')), this,
      `volumeMounts[${i}].mountPath`, m.mountPath, `is reserved: the construct mounts ${reservedPaths.join(reservedPaths.length > 2 ? ', ' : ' and ')}`));
    listProp(this, 'initContainers', props.pod?.initContainers).forEach((c, i) => check(!(c.name in reservedInit), this,
      `initContainers[${i}].name`, c.name, reservedInit[c.name]));
    const env = objectProp(this, 'env', props.env);
    for (const [key, rule] of Object.entries(props.reservedEnv ?? {})) {
      check(!(key in env), this, 'env', key, rule);
    }
  }

  private renderDeploymentSpec(): any {
    if (this.podSpec === undefined) {
      throw new Error(`${this.node.path}: a ModelServer subclass calls runServer(...) in its constructor`);
    }
    return {
      replicas: this.replicas,
      selector: { matchLabels: { ...this.selector } },
      template: { metadata: this.podMeta, spec: this.podSpec },
    };
  }

  private renderServiceSpec(): any {
    return {
      type: 'ClusterIP',
      selector: { ...this.selector },
      ports: this.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
    };
  }
}
