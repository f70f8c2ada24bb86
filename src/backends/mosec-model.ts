import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelProtocol, ModelTraffic } from './model-backend';
import { ModelServer } from './model-server';
import { Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { PodOptions } from '../core/pod';
import { listProp } from '../core/props';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { TrafficPort } from '../core/traffic';
import { VolumeMount } from '../core/volume';

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
   * The Python interpreter that runs the script: a command on the image's PATH or an absolute path
   * (e.g. `python3`, `/opt/venv/bin/python`). The image must have it.
   * @default "python"
   */
  readonly pythonExecutable?: string;
  /**
   * Mosec's request timeout (`--timeout`); requests still running after it get a 408. Mosec's own
   * default (3 s) is far too short for LLM work. Keep it at most the binding's `requestTimeout`: a bridge
   * that gives up first retries while Mosec still works on the first request (duplicate work).
   * @default Duration.seconds(110) (below the bridge's default requestTimeout of 2 minutes)
   */
  readonly timeout?: Duration;
  /**
   * The readiness probe. Mosec's `GET /` answers 200 as soon as its HTTP front end listens, before the
   * Python workers have loaded their model, and the inference routes accept only POST: to keep the pod
   * unready until the model is loaded, let your worker's `__init__` write a file and probe it, e.g.
   * `Probe.exec(['test', '-f', '/tmp/ready'])` (`/tmp` is the pod's writable emptyDir).
   * @default - `GET /` on port 8000
   */
  readonly readinessProbe?: Probe;
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
const PYTHON = /^(\/[A-Za-z0-9._-]+)+$|^[A-Za-z0-9._-]+$/;

/**
 * A Mosec server (your script and image) as a Deployment and a ClusterIP Service `NAME` on port 8000,
 * probed at `GET /`, with Prometheus metrics at `/metrics` on the same port. The Deployment is the scale
 * target (scale to zero works). Requests are JSON posted to `route`.
 *
 * Pod security: `restricted` by default (uid 1000), with a writable emptyDir at `/tmp` (Mosec's IPC
 * sockets), so `security.readOnlyRootFilesystem` works too. As uid 1000 usually has no passwd entry in the
 * image, the server gets `HOME=/tmp` and `USER`/`LOGNAME=model-server` (override them in `env`).
 *
 * The container runs `python <script>` (`pythonExecutable`): the image must have that interpreter on its
 * PATH (set `pythonExecutable: 'python3'` or an absolute path for images without `python`).
 *
 * @see https://mosecorg.github.io/mosec/
 */
export class MosecModel extends ModelServer {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /** Mosec serves `/metrics` on its one port (mosecorg/mosec mosec/args.py @ 0.9.7). */
  public override get traffic(): ModelTraffic | undefined {
    return { ingress: [], metricsPorts: [TrafficPort.tcp(this.podPort)] };
  }
  // ---- end of traffic ----

  constructor(scope: Construct, id: string, props: MosecModelProps) {
    super(scope, id, {
      name: props.name,
      component: 'mosec',
      labels: props.labels,
      replicas: props.replicas,
      startupTimeout: props.startupTimeout,
      pod: props,
      volumeMounts: props.volumeMounts,
      env: props.env,
      reservedEnv: Object.fromEntries(['MOSEC_PORT', 'MOSEC_TIMEOUT', 'MOSEC_ADDRESS'].map((k) => [k,
        'is set by the construct through the matching flag (port, timeout): remove it'])),
    });
    checkImage(this, 'image', props.image, props.allowUnpinnedImage);
    requireLimits(this, 'resources', props.resources, 'server');
    const script = this.script(props.script);
    const timeoutMs = this.timeoutMs(props.timeout);
    const route = this.route(props.route);
    const serverArgs = listProp(this, 'serverArgs', props.serverArgs);
    serverArgs.forEach((a, i) => check(typeof a === 'string' && !RESERVED_ARGS.includes(a.split('=')[0]), this, `serverArgs[${i}]`, a,
      'is set by the construct (--port 8000, --timeout from timeout, the default address 0.0.0.0): remove it'));

    this.runServer({
      container: {
        image: props.image,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        command: [this.python(props.pythonExecutable), script],
        args: ['--port', String(PORT), '--timeout', String(timeoutMs), ...serverArgs],
        // uid 1000 has no passwd entry in most images: Python's getpass.getuser() reads LOGNAME and USER
        // first (python/cpython Lib/getpass.py), and HOME points at the writable /tmp. All three overridable.
        env: { HOME: EnvValue.fromValue('/tmp'), USER: EnvValue.fromValue('model-server'), LOGNAME: EnvValue.fromValue('model-server'), ...(props.env ?? {}) },
        resources: props.resources,
        ports: [{ name: 'http', containerPort: PORT }],
        // /tmp (Mosec's IPC sockets) is the base's emptyDir (ModelServer).
        volumeMounts: props.volumeMounts,
        ...this.httpProbes(PORT, '/'),
        ...(props.readinessProbe ? { readinessProbe: this.readiness(props.readinessProbe) } : {}),
      },
    }, props);
    this.serveThroughService({
      modelName: this.name,
      requestPath: route,
      protocol: ModelProtocol.HTTP_JSON,
      port: PORT,
      metrics: { portName: 'http', path: '/metrics' },
    });
  }

  private readiness(probe: Probe): Probe {
    check(probe instanceof Probe, this, 'readinessProbe', probe, 'must be a Probe (Probe.exec, Probe.httpGet or Probe.tcpSocket)');
    return probe;
  }

  private python(value: string | undefined): string {
    const python = value ?? 'python';
    check(typeof python === 'string' && PYTHON.test(python), this, 'pythonExecutable', python,
      'must be a command name or an absolute path (letters, digits, ".", "_", "-", "/"; no spaces)');
    return python;
  }

  private script(value: string | undefined): string {
    const script = value ?? 'server.py';
    check(typeof script === 'string' && SCRIPT.test(script) && !script.split('/').includes('..'), this, 'script', script,
      'must be the path of a .py file (letters, digits, ".", "_", "-", "/", no "..")');
    return script;
  }

  private timeoutMs(value: Duration | undefined): number {
    const timeout = value ?? Duration.seconds(110);
    check(timeout instanceof Duration, this, 'timeout', timeout, 'must be a Duration (e.g. Duration.minutes(5))');
    const timeoutMs = timeout.toMilliseconds();
    check(Number.isInteger(timeoutMs) && timeoutMs >= 1000, this, 'timeout', `${timeoutMs}ms`, 'must be a whole number of milliseconds of at least 1000');
    return timeoutMs;
  }

  private route(value: string | undefined): string {
    const route = value ?? '/inference';
    check(typeof route === 'string' && ROUTE.test(route), this, 'route', route, 'must be a URL path starting with "/"');
    check(route !== '/' && route !== '/metrics', this, 'route', route, 'is served by Mosec itself (health check or metrics): use e.g. /inference');
    return route;
  }
}
