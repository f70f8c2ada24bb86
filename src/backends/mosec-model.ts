import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import {
  addServerWorkload, checkPodLabels, checkReplicas, serverSelector, startupFailureThreshold,
} from './server-workload';
import { Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { checkDns1035Label } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';
import { listProp } from '../core/props';
import { ResourceRequirements } from '../core/resources';
import { Volume, VolumeMount } from '../core/volume';

/**
 * Props of a MosecModel.
 */
export interface MosecModelProps extends PodOptions {
  /**
   * The name of the Deployment, the Service and the `app.kubernetes.io/instance` pod label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Your image holding Python, Mosec and the server script, pinned by tag or digest.
   * @see https://github.com/mosecorg/mosec
   */
  readonly image: string;
  /**
   * Accept an untagged or `:latest` image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * Always, IfNotPresent or Never.
   * @default - Kubernetes' default (IfNotPresent for pinned tags)
   */
  readonly imagePullPolicy?: string;
  /**
   * The server script (it builds `Server()`, appends the workers and calls `run()`), run as
   * `python <script> --port 8000 --timeout <ms>`; relative to the image's working directory.
   * @default "server.py"
   */
  readonly script?: string;
  /**
   * Mosec's request timeout (`--timeout`); requests still running after it get a 408. Mosec's own
   * default (3 s) is far too short for LLM work.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * The route the bridge posts JSON to (`append_worker(route=...)`).
   * @default "/inference"
   */
  readonly route?: string;
  /**
   * Extra flags of the script (Mosec's `--capacity`, `--max-request-size`, ...), after the ones this
   * construct sets (`--port`, `--timeout`).
   * @default - none
   */
  readonly serverArgs?: string[];
  /**
   * Compute resources of the server container (add `gpu` for GPU workers). Required: model servers get
   * no invented defaults.
   */
  readonly resources: ResourceRequirements;
  /**
   * Extra environment variables of the server container. Reference secrets with `EnvValue.fromSecret`.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Mounts of the server container (of volumes declared in `volumes`).
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];
  /**
   * Replicas of the Deployment when nothing scales it (a queue-driven scaler takes over when bound).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How long the server may take to start (load its model) before the startup probe gives up.
   * @default Duration.minutes(20)
   */
  readonly startupTimeout?: Duration;
  /**
   * Extra labels on the Deployment and the Service.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const PORT = 8000;
const RESERVED_ARGS = ['--port', '--timeout', '--address'];
const ROUTE = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const SCRIPT = /^[A-Za-z0-9._/-]+\.py$/;

/**
 * A Mosec server (your script and image) as a Deployment and a ClusterIP Service `NAME` on port 8000,
 * probed at `GET /`, with Prometheus metrics at `/metrics` on the same port. The Deployment is the scale
 * target (scale to zero works). Requests are JSON posted to `route`.
 *
 * Pod security: `restricted` by default (uid 1000), with a writable emptyDir at `/tmp` (Mosec's IPC
 * sockets), so `security.readOnlyRootFilesystem` works too.
 *
 * @see https://mosecorg.github.io/mosec/
 */
export class MosecModel extends Construct implements IModelBackend {
  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string;
  public readonly protocol: ModelProtocol = ModelProtocol.HTTP_JSON;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number = PORT;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  public readonly metrics?: MetricsEndpoint = { portName: 'http', path: '/metrics' };
  /** The Service. */
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: MosecModelProps) {
    super(scope, id);
    const name = props.name ?? id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 63, 'it names the Service');
    checkImage(this, 'image', props.image, props.allowUnpinnedImage);
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    const script = props.script ?? 'server.py';
    check(typeof script === 'string' && SCRIPT.test(script) && !script.split('/').includes('..'), this, 'script', script,
      'must be the path of a .py file (letters, digits, ".", "_", "-", "/", no "..")');
    const timeout = props.timeout ?? Duration.minutes(5);
    check(timeout instanceof Duration, this, 'timeout', timeout, 'must be a Duration (e.g. Duration.minutes(5))');
    const timeoutMs = timeout.toMilliseconds();
    check(Number.isInteger(timeoutMs) && timeoutMs >= 1000, this, 'timeout', `${timeoutMs}ms`, 'must be a whole number of milliseconds of at least 1000');
    const route = props.route ?? '/inference';
    check(typeof route === 'string' && ROUTE.test(route), this, 'route', route, 'must be a URL path starting with "/"');
    check(route !== '/' && route !== '/metrics', this, 'route', route, 'is served by Mosec itself (health check or metrics): use e.g. /inference');
    const serverArgs = listProp(this, 'serverArgs', props.serverArgs);
    serverArgs.forEach((a, i) => check(typeof a === 'string' && !RESERVED_ARGS.includes(a.split('=')[0]), this, `serverArgs[${i}]`, a,
      'is set by the construct (--port 8000, --timeout from timeout, the default address 0.0.0.0): remove it'));
    for (const key of ['MOSEC_PORT', 'MOSEC_TIMEOUT', 'MOSEC_ADDRESS']) {
      check(!(props.env && key in props.env), this, 'env', key, 'is set by the construct through the matching flag (port, timeout): remove it');
    }
    (props.volumes ?? []).forEach((v, i) => check(v?.name !== 'tmp', this, `volumes[${i}].name`, v?.name, 'is reserved: the construct declares the volume tmp'));
    (props.volumeMounts ?? []).forEach((m, i) => check((m.mountPath ?? '').replace(/\/+$/, '') !== '/tmp', this,
      `volumeMounts[${i}].mountPath`, m.mountPath, 'is reserved: the construct mounts /tmp'));
    const replicas = checkReplicas(this, props.replicas);
    const startupThreshold = startupFailureThreshold(this, props.startupTimeout);

    const selector = serverSelector(name);
    checkPodLabels(this, props.podLabels, selector);
    const podSpec = renderPodSpec(this, {
      name: 'server',
      field: '',
      options: {
        image: props.image,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        command: ['python', script],
        args: ['--port', String(PORT), '--timeout', String(timeoutMs), ...serverArgs],
        env: props.env,
        resources: props.resources,
        ports: [{ name: 'http', containerPort: PORT }],
        volumeMounts: [{ volume: 'tmp', mountPath: '/tmp' }, ...(props.volumeMounts ?? [])],
        startupProbe: Probe.httpGet('/', PORT, { periodSeconds: 10, failureThreshold: startupThreshold }),
        readinessProbe: Probe.httpGet('/', PORT, { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: Probe.httpGet('/', PORT, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
      },
    }, { ...props, volumes: [Volume.emptyDir('tmp'), ...(props.volumes ?? [])] });

    const { service } = addServerWorkload(this, {
      name,
      selector,
      labels: { ...(props.labels ?? {}), 'app.kubernetes.io/component': 'mosec' },
      replicas,
      podSpec,
      podLabels: props.podLabels,
      podAnnotations: props.podAnnotations,
      ports: [{ name: 'http', port: PORT }],
    });
    this.service = service;
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.modelName = name;
    this.endpoint = `http://${name}.${this.namespace}.svc.cluster.local:${PORT}`;
    this.requestPath = route;
    this.podSelector = { ...selector };
    this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name, supportsScaleToZero: true };
  }
}
