import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import {
  addServerWorkload, checkPodLabels, checkReplicas, ModelServerOptions, serverSelector, startupFailureThreshold,
} from './server-workload';
import { ContainerOptions, NamedContainer, Probe } from '../core/container';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { renderPodSpec } from '../core/pod';
import { Volume, VolumeMount } from '../core/volume';

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
    return new TritonModelRepository('pvc', claimName, subPath, undefined);
  }

  /**
   * An object store URI Triton reads itself (`s3://`, `gs://` or `as://`). Credentials go in `env`
   * (e.g. AWS_ACCESS_KEY_ID from `EnvValue.fromSecret`) or come from the ServiceAccount's identity.
   */
  public static uri(uri: string): TritonModelRepository {
    return new TritonModelRepository('uri', uri, undefined, undefined);
  }

  /**
   * An emptyDir at `/models` filled by an init container of yours (mounted there read-write), e.g. one
   * that downloads and unpacks the repository.
   */
  public static initContainer(container: ContainerOptions): TritonModelRepository {
    return new TritonModelRepository('init', '', undefined, container);
  }

  private constructor(
    /** pvc, uri or init. */
    public readonly kind: string,
    /** The claim name or the URI. */
    public readonly reference: string,
    /** The sub-path inside the claim. */
    public readonly subPath?: string,
    /** The init container. */
    public readonly container?: ContainerOptions,
  ) {}
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
const URI_SCHEMES = ['s3://', 'gs://', 'as://'];

/**
 * NVIDIA Triton Inference Server as a Deployment and a ClusterIP Service `NAME` (http 8000, grpc 8001,
 * metrics 8002), probed at `/v2/health/ready` and `/v2/health/live`, with `/dev/shm` on a memory emptyDir.
 * The Deployment is the scale target (scale to zero works).
 *
 * Pod security: `restricted` by default (uid 1000, the image's `triton-server` user). Python-backend models
 * that install packages at start may need `security.allowRoot`.
 *
 * @see https://github.com/triton-inference-server/server
 */
export class TritonModel extends Construct implements IModelBackend {
  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string;
  public readonly protocol: ModelProtocol = ModelProtocol.OPEN_INFERENCE;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number = HTTP;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  public readonly metrics?: MetricsEndpoint = { portName: 'metrics', path: '/metrics' };
  /** The Service. */
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: TritonModelProps) {
    super(scope, id);
    const name = objectName(this, props.name);
    check(props.repository instanceof TritonModelRepository, this, 'repository', props.repository,
      'must be a TritonModelRepository (persistentVolumeClaim, uri or initContainer)');
    check(typeof props.modelName === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(props.modelName), this, 'modelName', props.modelName,
      'must be a model directory name of the repository (letters, digits, "_", "-", ".")');
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    const replicas = checkReplicas(this, props.replicas);
    const startupThreshold = startupFailureThreshold(this, props.startupTimeout);
    for (const [i, a] of (props.serverArgs ?? []).entries()) {
      check(!RESERVED_ARGS.includes(a.split('=')[0]), this, `serverArgs[${i}]`, a, 'is set by the construct (from repository and the fixed ports): remove it');
    }
    (props.volumes ?? []).forEach((v, i) => check(!['models', 'dshm'].includes(v.name), this, `volumes[${i}].name`, v.name,
      'is reserved: the construct declares the volumes models, dshm'));
    (props.volumeMounts ?? []).forEach((m, i) => check(!['/models', '/dev/shm'].includes((m.mountPath ?? '').replace(/\/+$/, '')), this,
      `volumeMounts[${i}].mountPath`, m.mountPath, 'is reserved: the construct mounts /models and /dev/shm'));
    (props.initContainers ?? []).forEach((c, i) => check(c.name !== 'model-repository', this, `initContainers[${i}].name`, c.name,
      'is reserved for the repository init container'));

    const volumes: Volume[] = [Volume.emptyDir('dshm', { memory: true, sizeLimit: props.sharedMemorySize ?? '2Gi' })];
    const mounts: VolumeMount[] = [{ volume: 'dshm', mountPath: '/dev/shm' }];
    const initContainers: NamedContainer[] = [];
    const repo = props.repository;
    let repository = '/models';
    if (repo.kind === 'pvc') {
      volumes.push(Volume.persistentVolumeClaim('models', repo.reference, true));
      mounts.push({ volume: 'models', mountPath: '/models', readOnly: true, ...(repo.subPath ? { subPath: repo.subPath } : {}) });
    } else if (repo.kind === 'uri') {
      check(URI_SCHEMES.some((s) => repo.reference.startsWith(s) && repo.reference.length > s.length), this, 'repository', repo.reference,
        `must start with one of ${URI_SCHEMES.join(', ')}`);
      repository = repo.reference;
    } else {
      volumes.push(Volume.emptyDir('models'));
      mounts.push({ volume: 'models', mountPath: '/models', readOnly: true });
      const c = repo.container!;
      check(c.resources !== undefined, this, 'repository (initContainer).resources', c.resources, 'must be set: no default resources are invented');
      initContainers.push({ ...c, name: 'model-repository', volumeMounts: [...(c.volumeMounts ?? []), { volume: 'models', mountPath: '/models' }] });
    }

    const selector = serverSelector(name);
    checkPodLabels(this, props.podLabels, selector);
    const podSpec = renderPodSpec(this, {
      name: 'server',
      field: '',
      options: {
        image: props.image ?? TRITON_IMAGE,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        command: ['tritonserver'],
        args: [`--model-repository=${repository}`, `--http-port=${HTTP}`, `--grpc-port=${GRPC}`, `--metrics-port=${METRICS}`, ...(props.serverArgs ?? [])],
        env: props.env,
        resources: props.resources,
        ports: [{ name: 'http', containerPort: HTTP }, { name: 'grpc', containerPort: GRPC }, { name: 'metrics', containerPort: METRICS }],
        volumeMounts: [...mounts, ...(props.volumeMounts ?? [])],
        startupProbe: Probe.httpGet('/v2/health/ready', HTTP, { periodSeconds: 10, failureThreshold: startupThreshold }),
        readinessProbe: Probe.httpGet('/v2/health/ready', HTTP, { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: Probe.httpGet('/v2/health/live', HTTP, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
      },
    }, { ...props, volumes: [...volumes, ...(props.volumes ?? [])], initContainers: [...initContainers, ...(props.initContainers ?? [])] });

    const { service } = addServerWorkload(this, {
      name,
      selector,
      labels: { ...(props.labels ?? {}), 'app.kubernetes.io/component': 'triton' },
      replicas,
      podSpec,
      podLabels: props.podLabels,
      podAnnotations: props.podAnnotations,
      ports: [{ name: 'http', port: HTTP }, { name: 'grpc', port: GRPC }, { name: 'metrics', port: METRICS }],
    });
    this.service = service;
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.modelName = props.modelName;
    this.endpoint = `http://${name}.${this.namespace}.svc.cluster.local:${HTTP}`;
    this.requestPath = `/v2/models/${props.modelName}/infer`;
    this.podSelector = { ...selector };
    this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name, supportsScaleToZero: true };
  }
}
