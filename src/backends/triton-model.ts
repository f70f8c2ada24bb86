import { Construct, IConstruct } from 'constructs';
import { ModelProtocol, ModelTraffic } from './model-backend';
import { ModelServer } from './model-server';
import { ModelServerOptions } from './server-workload';
import { ContainerOptions, NamedContainer } from '../core/container';
import { check } from '../core/errors';
import { stringListProp } from '../core/props';
import { requireLimits } from '../core/resources';
import { TrafficPort } from '../core/traffic';
import { checkUriScheme, URI_SCHEMES } from '../core/vocabulary';
import { Volume, VolumeMount } from '../core/volume';

/** Where a repository puts the models, and what it adds to the pod. */
interface RepositoryLayout {
  /** The `--model-repository` value. */
  readonly path: string;
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
  readonly initContainers: NamedContainer[];
}

/**
 * Where Triton reads its model repository. Use the static factories.
 */
export class TritonModelRepository {
  /**
   * A PersistentVolumeClaim holding the repository, mounted read-only at `/models`.
   * @param claimName the PVC's name
   * @param subPath the repository's directory inside the claim
   */
  public static persistentVolumeClaim(claimName: string, subPath?: string): TritonModelRepository {
    return new TritonModelRepository('pvc', claimName, subPath, undefined, () => ({
      path: '/models',
      volumes: [Volume.persistentVolumeClaim('models', claimName, true)],
      mounts: [{ volume: 'models', mountPath: '/models', readOnly: true, ...(subPath ? { subPath } : {}) }],
      initContainers: [],
    }));
  }

  /**
   * An object store URI Triton reads itself (`s3://`, `gs://` or `as://`). Credentials go in `env`
   * (e.g. AWS_ACCESS_KEY_ID from `EnvValue.fromSecret`) or come from the ServiceAccount's identity.
   */
  public static uri(uri: string): TritonModelRepository {
    return new TritonModelRepository('uri', uri, undefined, undefined, (scope) => {
      checkUriScheme(scope, 'repository', uri, URI_SCHEMES.triton);
      return { path: uri, volumes: [], mounts: [], initContainers: [] };
    });
  }

  /**
   * An emptyDir at `/models` filled by an init container of yours (mounted there read-write), e.g. one
   * that downloads and unpacks the repository.
   */
  public static initContainer(container: ContainerOptions): TritonModelRepository {
    return new TritonModelRepository('init', '', undefined, container, (scope) => {
      requireLimits(scope, 'repository (initContainer).resources', container.resources, 'model-repository');
      return {
        path: '/models',
        volumes: [Volume.emptyDir('models')],
        mounts: [{ volume: 'models', mountPath: '/models', readOnly: true }],
        initContainers: [{
          ...container,
          name: 'model-repository',
          volumeMounts: [...(container.volumeMounts ?? []), { volume: 'models', mountPath: '/models' }],
        }],
      };
    });
  }

  private constructor(
    /** pvc, uri or init. */
    public readonly kind: string,
    /** The claim name or the URI. */
    public readonly reference: string,
    /** The sub-path inside the claim. */
    public readonly subPath: string | undefined,
    /** The init container. */
    public readonly container: ContainerOptions | undefined,
    private readonly render: (scope: IConstruct) => RepositoryLayout,
  ) {}

  /**
   * The repository's `--model-repository` path, volumes, mounts and init container.
   * @internal
   */
  public _render(scope: IConstruct): RepositoryLayout {
    return this.render(scope);
  }
}

/**
 * Props of a TritonModel.
 */
export interface TritonModelProps extends ModelServerOptions {
  /** The model repository. */
  readonly repository: TritonModelRepository;
  /** The model requests go to (`/v2/models/<modelName>/infer`): a directory of the repository. */
  readonly modelName: string;
  /**
   * Extra `tritonserver` flags (e.g. `--model-control-mode=explicit`, `--load-model=...`).
   * @default - none
   */
  readonly serverArgs?: string[];
}

/** The pinned default image. */
const TRITON_IMAGE = 'nvcr.io/nvidia/tritonserver:24.08-py3';
const HTTP = 8000;
const GRPC = 8001;
const METRICS = 8002;
const RESERVED_ARGS = ['--model-repository', '--model-store', '--http-port', '--grpc-port', '--metrics-port'];

/**
 * NVIDIA Triton Inference Server as a Deployment and a ClusterIP Service `NAME` (http 8000, grpc 8001,
 * metrics 8002), probed at `/v2/health/ready` and `/v2/health/live`, with `/dev/shm` on a memory emptyDir.
 * The Deployment is the scale target (scale to zero works).
 *
 * Readiness is strict: with Triton's default `--strict-readiness=true`, `/v2/health/ready` fails while any
 * model of the repository is not loaded, so one broken model keeps the whole pod unready (and the startup
 * probe eventually restarts it). Serve one model per TritonModel, or pass `--strict-readiness=false` in
 * `serverArgs` to be ready once the server answers (requests to a model that failed then get errors).
 *
 * Pod security: `restricted` by default (uid 1000, the image's `triton-server` user). Python-backend models
 * that install packages at start may need `security.allowRoot`.
 *
 * @see https://github.com/triton-inference-server/server
 */
export class TritonModel extends ModelServer {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /** Triton serves `/metrics` on `--metrics-port` 8002 (triton-inference-server/server @ v2.49.0). */
  public override get traffic(): ModelTraffic | undefined {
    return { ingress: [], metricsPorts: [TrafficPort.tcp(8002)] };
  }
  // ---- end of traffic ----

  constructor(scope: Construct, id: string, props: TritonModelProps) {
    super(scope, id, {
      name: props.name,
      component: 'triton',
      labels: props.labels,
      replicas: props.replicas,
      startupTimeout: props.startupTimeout,
      pod: props,
      volumeMounts: props.volumeMounts,
      reservedVolumes: ['models', 'dshm'],
      reservedMountPaths: ['/models', '/dev/shm'],
      reservedInitContainers: { 'model-repository': 'is reserved for the repository init container' },
    });
    this.checkProps(props);
    const repository = props.repository._render(this);
    this.runServer({
      container: {
        image: props.image ?? TRITON_IMAGE,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        command: ['tritonserver'],
        args: [`--model-repository=${repository.path}`, `--http-port=${HTTP}`, `--grpc-port=${GRPC}`, `--metrics-port=${METRICS}`, ...(props.serverArgs ?? [])],
        env: props.env,
        resources: props.resources,
        ports: [{ name: 'http', containerPort: HTTP }, { name: 'grpc', containerPort: GRPC }, { name: 'metrics', containerPort: METRICS }],
        volumeMounts: [{ volume: 'dshm', mountPath: '/dev/shm' }, ...repository.mounts, ...(props.volumeMounts ?? [])],
        ...this.httpProbes(HTTP, '/v2/health/ready', '/v2/health/live'),
      },
      volumes: [Volume.emptyDir('dshm', { memory: true, sizeLimit: props.sharedMemorySize ?? '2Gi' }), ...repository.volumes],
      initContainers: repository.initContainers,
    }, props);
    this.serveThroughService({
      modelName: props.modelName,
      requestPath: `/v2/models/${props.modelName}/infer`,
      protocol: ModelProtocol.OPEN_INFERENCE,
      port: HTTP,
      metrics: { portName: 'metrics', path: '/metrics' },
    });
  }

  private checkProps(props: TritonModelProps): void {
    check(props.repository instanceof TritonModelRepository, this, 'repository', props.repository,
      'must be a TritonModelRepository (persistentVolumeClaim, uri or initContainer)');
    check(typeof props.modelName === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(props.modelName), this, 'modelName', props.modelName,
      'must be a model directory name of the repository (letters, digits, "_", "-", ".")');
    requireLimits(this, 'resources', props.resources, 'server');
    for (const [i, a] of stringListProp(this, 'serverArgs', props.serverArgs).entries()) {
      check(!RESERVED_ARGS.includes(a.split('=')[0]), this, `serverArgs[${i}]`, a, 'is set by the construct (from repository and the fixed ports): remove it');
    }
  }
}
