import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import { ModelSource } from './model-source';
import {
  addServerWorkload, checkPodLabels, checkReplicas, ModelServerOptions, serverSelector, startupFailureThreshold,
} from './server-workload';
import { NamedContainer, Probe } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { objectName } from '../core/names';
import { renderPodSpec } from '../core/pod';
import { checkQuantity, stringProp } from '../core/props';
import { ResourceRequirements } from '../core/resources';
import { Volume, VolumeMount } from '../core/volume';

/**
 * A server speaking the OpenAI API, with what this library needs to know to run it.
 */
export class OpenAIServer {
  /**
   * vLLM (`vllm/vllm-openai`): `--model`, `--served-model-name`, port 8000, `GET /health`, `GET /metrics`.
   * @see https://docs.vllm.ai/en/stable/serving/openai_compatible_server/
   */
  public static readonly VLLM = new OpenAIServer('vllm', 'vllm/vllm-openai:v0.10.2', 8000, '/health', true);
  /**
   * Hugging Face Text Generation Inference: `--model-id`, OpenAI Messages API at `/v1/chat/completions`,
   * `GET /health`, `GET /metrics`. The image listens on port 80 (`PORT=80`); this library passes
   * `--port 8080`, because a non-root container with all capabilities dropped cannot bind ports below 1024.
   * @see https://huggingface.co/docs/text-generation-inference
   */
  public static readonly TGI = new OpenAIServer('tgi', 'ghcr.io/huggingface/text-generation-inference:3.3.5', 8080, '/health', true);
  /**
   * Ollama (`ollama/ollama`, `ollama serve` on 0.0.0.0:11434): OpenAI-compatible `/v1/chat/completions`,
   * health `GET /` ("Ollama is running"). It has no Prometheus endpoint.
   * @see https://github.com/ollama/ollama/blob/main/docs/openai.md
   */
  public static readonly OLLAMA = new OpenAIServer('ollama', 'ollama/ollama:0.11.10', 11434, '/', false);

  private constructor(
    /** vllm, tgi or ollama. */
    public readonly id: string,
    /** The pinned default image. */
    public readonly defaultImage: string,
    /** The port the server listens on in the pod. */
    public readonly port: number,
    /** The health check path. */
    public readonly healthPath: string,
    /** Whether the server serves Prometheus metrics at `/metrics` on its port. */
    public readonly hasMetrics: boolean,
  ) {}
}

/**
 * Props of an OpenAIModel.
 */
export interface OpenAIModelProps extends ModelServerOptions {
  /**
   * The server.
   * @default OpenAIServer.VLLM
   */
  readonly server?: OpenAIServer;
  /** Where the weights come from. */
  readonly model: ModelSource;
  /**
   * The model name requests carry (vLLM `--served-model-name`). Required for Ollama with a PVC; not
   * accepted for TGI (TGI names the model after its `--model-id`).
   * @default - the Hugging Face id, the Ollama model, or the last segment of the model's path
   */
  readonly servedModelName?: string;
  /**
   * The API the bridge calls: OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS. Embedding models may
   * need server flags (e.g. vLLM `--task embed`) in `serverArgs`.
   * @default ModelProtocol.OPENAI_CHAT
   */
  readonly protocol?: ModelProtocol;
  /**
   * Extra server flags, appended after the ones this construct sets (model, name, host, port).
   * @default - none
   */
  readonly serverArgs?: string[];
  /**
   * The Hugging Face token for gated models, as a Secret reference (`EnvValue.fromSecret(name, key)`);
   * set as `HF_TOKEN`.
   * @default - no token
   */
  readonly huggingFaceToken?: EnvValue;
  /**
   * Size limit of the emptyDir at `/cache` (HOME, Hugging Face cache, downloaded weights).
   * @default - no limit
   */
  readonly cacheSizeLimit?: string;
  /**
   * Resources of the init container that copies (`ociImage`) or pulls (`ollama`) the model.
   * @default - 500m/2 CPU, 512Mi/2Gi memory
   */
  readonly loaderResources?: ResourceRequirements;
}

const PROTOCOL_PATHS: Record<string, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-completions': '/v1/completions',
  'openai-embeddings': '/v1/embeddings',
};
const RESERVED_ARGS: Record<string, string[]> = {
  vllm: ['--model', '--served-model-name', '--host', '--port', '--revision'],
  tgi: ['--model-id', '--hostname', '--port', '--revision'],
  ollama: [],
};
const RESERVED_VOLUMES = ['cache', 'dshm', 'model'];
const RESERVED_PATHS = ['/cache', '/dev/shm', '/models'];
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DEFAULT_LOADER_RESOURCES: ResourceRequirements = {
  cpu: { request: '500m', limit: '2' },
  memory: { request: '512Mi', limit: '2Gi' },
};

/**
 * A model served over the OpenAI API by vLLM, TGI or Ollama, as a Deployment and a ClusterIP Service of
 * the same name. The Deployment is the scale target (scale to zero works: a message the bridge has taken
 * is no longer queued, so the bridge keeps retrying it while the model loads, for the scale target's
 * `coldStartSeconds`, 20 minutes by default; see handlers/README.md).
 *
 * Pod security: the pod meets Pod Security Standard `restricted` by default. The upstream images run as
 * root with HOME=/root; here they run as uid 1000 with HOME, the Hugging Face cache and the Ollama store
 * on a writable emptyDir at `/cache`, and `/dev/shm` on a memory emptyDir.
 */
export class OpenAIModel extends Construct implements IModelBackend {
  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string;
  public readonly protocol: ModelProtocol;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  public readonly metrics?: MetricsEndpoint;
  /** The server. */
  public readonly server: OpenAIServer;
  /** The Service. */
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: OpenAIModelProps) {
    super(scope, id);
    const name = objectName(this, props.name);
    const server = props.server ?? OpenAIServer.VLLM;
    check(server instanceof OpenAIServer, this, 'server', server, 'must be OpenAIServer.VLLM, OpenAIServer.TGI or OpenAIServer.OLLAMA');
    check(props.model instanceof ModelSource, this, 'model', props.model,
      'must be a ModelSource (ModelSource.huggingFace, persistentVolumeClaim, ociImage or ollama)');
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    stringProp(this, 'servedModelName', props.servedModelName);
    const protocol = props.protocol ?? ModelProtocol.OPENAI_CHAT;
    check(protocol instanceof ModelProtocol && PROTOCOL_PATHS[protocol.id] !== undefined, this, 'protocol', protocol?.id ?? protocol,
      'must be ModelProtocol.OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS');
    if (server === OpenAIServer.TGI) {
      check(protocol !== ModelProtocol.OPENAI_EMBEDDINGS, this, 'protocol', protocol.id,
        'is not served by TGI (it has no /v1/embeddings; use vLLM, Ollama or Text Embeddings Inference)');
      check(props.servedModelName === undefined, this, 'servedModelName', props.servedModelName,
        'cannot be set with TGI: TGI names the model after its --model-id');
    }
    const replicas = checkReplicas(this, props.replicas);
    const startupThreshold = startupFailureThreshold(this, props.startupTimeout);

    // Server flags owned by this construct.
    for (const [i, a] of (props.serverArgs ?? []).entries()) {
      const flag = a.split('=')[0];
      check(!RESERVED_ARGS[server.id].includes(flag), this, `serverArgs[${i}]`, a,
        'is set by the construct (from model, servedModelName and the server port): remove it');
    }
    check(server !== OpenAIServer.OLLAMA || !(props.serverArgs ?? []).length, this, 'serverArgs', props.serverArgs,
      'must be empty for Ollama: `ollama serve` takes no flags (configure it with OLLAMA_* env variables)');
    (props.volumes ?? []).forEach((v, i) => check(!RESERVED_VOLUMES.includes(v.name), this, `volumes[${i}].name`, v.name,
      `is reserved: the construct declares the volumes ${RESERVED_VOLUMES.join(', ')}`));
    (props.volumeMounts ?? []).forEach((m, i) => check(!RESERVED_PATHS.includes((m.mountPath ?? '').replace(/\/+$/, '')), this,
      `volumeMounts[${i}].mountPath`, m.mountPath, `is reserved: the construct mounts ${RESERVED_PATHS.join(', ')}`));
    for (const key of ['HOME', 'HF_HOME', 'HF_TOKEN', 'OLLAMA_HOST', 'OLLAMA_MODELS', 'HUGGINGFACE_HUB_CACHE']) {
      check(!(props.env && key in props.env), this, 'env', key,
        `is set by the construct${key === 'HF_TOKEN' ? ' (use huggingFaceToken)' : ''}`);
    }
    if (props.huggingFaceToken !== undefined) {
      const json = props.huggingFaceToken instanceof EnvValue ? props.huggingFaceToken._toJson('HF_TOKEN') : undefined;
      check(json?.valueFrom?.secretKeyRef !== undefined, this, 'huggingFaceToken', props.huggingFaceToken?.value ?? '<reference>',
        'must be a Secret reference (EnvValue.fromSecret(secretName, key)): tokens are never inlined');
    }

    const env: { [name: string]: EnvValue } = { HOME: EnvValue.fromValue('/cache') };
    const volumes: Volume[] = [
      Volume.emptyDir('cache', props.cacheSizeLimit ? { sizeLimit: quantity(this, 'cacheSizeLimit', props.cacheSizeLimit) } : {}),
      Volume.emptyDir('dshm', { memory: true, sizeLimit: quantity(this, 'sharedMemorySize', props.sharedMemorySize ?? '2Gi') }),
    ];
    const mounts: VolumeMount[] = [{ volume: 'cache', mountPath: '/cache' }, { volume: 'dshm', mountPath: '/dev/shm' }];
    const initContainers: NamedContainer[] = [];
    const loaderResources = props.loaderResources ?? DEFAULT_LOADER_RESOURCES;
    const src = props.model;
    let modelArg: string;
    let defaultServedName: string;
    let revision: string | undefined;

    switch (src.kind) {
      case 'huggingFace':
        check(HF_ID.test(src.reference), this, 'model', src.reference, 'must be a Hugging Face id of the form org/model');
        modelArg = src.reference;
        defaultServedName = src.reference;
        revision = src.detail;
        break;
      case 'persistentVolumeClaim': {
        const path = (src.detail ?? '').replace(/^\/+|\/+$/g, '');
        check(!path.split('/').includes('..'), this, 'model', src.detail, 'must be a path inside the claim (no "..")');
        volumes.push(Volume.persistentVolumeClaim('model', src.reference, server === OpenAIServer.OLLAMA ? undefined : true));
        mounts.push({ volume: 'model', mountPath: '/models', readOnly: server !== OpenAIServer.OLLAMA });
        modelArg = path ? `/models/${path}` : '/models';
        defaultServedName = path ? path.split('/').pop()! : src.reference;
        break;
      }
      case 'ociImage': {
        check(server !== OpenAIServer.OLLAMA, this, 'model', src.reference, 'cannot be an OCI image with Ollama: use ModelSource.ollama or a PVC holding an Ollama model store');
        checkImage(this, 'model (ociImage)', src.reference);
        check((src.detail ?? '').startsWith('/'), this, 'model (ociImage path)', src.detail, 'must be an absolute path inside the image');
        volumes.push(Volume.emptyDir('model'));
        mounts.push({ volume: 'model', mountPath: '/models', readOnly: true });
        initContainers.push({
          name: 'model-loader',
          image: src.reference,
          command: ['sh', '-c', 'cp -R "$MODEL_SOURCE_PATH"/. /models/'],
          env: { MODEL_SOURCE_PATH: EnvValue.fromValue(src.detail!) },
          volumeMounts: [{ volume: 'model', mountPath: '/models' }],
          resources: loaderResources,
        });
        modelArg = '/models';
        defaultServedName = src.reference.split('@')[0].split('/').pop()!.split(':')[0];
        break;
      }
      case 'ollama':
        check(server === OpenAIServer.OLLAMA, this, 'model', src.reference, `is an Ollama model: it needs server OpenAIServer.OLLAMA, not ${server.id}`);
        check(/^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/.test(src.reference), this, 'model', src.reference,
          'must be an Ollama model name such as llama3.2:1b');
        modelArg = src.reference;
        defaultServedName = src.reference;
        break;
      default:
        throw new Error(`unknown model source kind ${src.kind}`);
    }

    // Per-server layout.
    let args: string[] | undefined;
    if (server === OpenAIServer.VLLM) {
      env.HF_HOME = EnvValue.fromValue('/cache/huggingface');
      args = ['--model', modelArg, '--served-model-name', props.servedModelName ?? defaultServedName,
        '--host', '0.0.0.0', '--port', String(server.port), ...(revision ? ['--revision', revision] : []), ...(props.serverArgs ?? [])];
    } else if (server === OpenAIServer.TGI) {
      env.HF_HOME = EnvValue.fromValue('/cache/huggingface');
      // The image sets HUGGINGFACE_HUB_CACHE=/data, which is not writable here.
      env.HUGGINGFACE_HUB_CACHE = EnvValue.fromValue('/cache/huggingface/hub');
      args = ['--model-id', modelArg, '--hostname', '0.0.0.0', '--port', String(server.port),
        ...(revision ? ['--revision', revision] : []), ...(props.serverArgs ?? [])];
    } else {
      check(src.kind !== 'persistentVolumeClaim' || props.servedModelName !== undefined, this, 'servedModelName', props.servedModelName,
        'must be set for Ollama with a PVC: it is the Ollama model (e.g. llama3.2:1b) in the store on the claim');
      check(revision === undefined, this, 'model', src.detail, 'revision is not supported by Ollama (use a tag in the hf.co/... reference)');
      const store = src.kind === 'persistentVolumeClaim' ? modelArg : '/cache/ollama/models';
      env.OLLAMA_HOST = EnvValue.fromValue(`0.0.0.0:${server.port}`);
      env.OLLAMA_MODELS = EnvValue.fromValue(store);
      if (src.kind !== 'persistentVolumeClaim') {
        const pull = src.kind === 'huggingFace' ? `hf.co/${src.reference}` : src.reference;
        defaultServedName = pull;
        initContainers.push({
          name: 'model-puller',
          image: props.image ?? server.defaultImage,
          allowUnpinnedImage: props.allowUnpinnedImage,
          command: ['/bin/sh', '-c',
            'ollama serve & pid=$!; for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 1; done; ' +
            'ollama pull "$OLLAMA_PULL_MODEL"; rc=$?; kill $pid; exit $rc'],
          env: {
            HOME: EnvValue.fromValue('/cache'),
            OLLAMA_HOST: EnvValue.fromValue('127.0.0.1:11434'),
            OLLAMA_MODELS: EnvValue.fromValue(store),
            OLLAMA_PULL_MODEL: EnvValue.fromValue(pull),
          },
          volumeMounts: [{ volume: 'cache', mountPath: '/cache' }],
          resources: loaderResources,
        });
      }
      args = ['serve'];
    }
    if (props.huggingFaceToken) {
      check(src.kind === 'huggingFace' && server !== OpenAIServer.OLLAMA, this, 'huggingFaceToken', '<secret reference>',
        'is only used with ModelSource.huggingFace on vLLM or TGI');
      env.HF_TOKEN = props.huggingFaceToken;
    }

    const selector = serverSelector(name);
    checkPodLabels(this, props.podLabels, selector);
    const port = server.port;
    const podSpec = renderPodSpec(this, {
      name: 'server',
      field: '',
      options: {
        image: props.image ?? server.defaultImage,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        args,
        env: { ...env, ...(props.env ?? {}) },
        resources: props.resources,
        ports: [{ name: 'http', containerPort: port }],
        volumeMounts: [...mounts, ...(props.volumeMounts ?? [])],
        startupProbe: Probe.httpGet(server.healthPath, port, { periodSeconds: 10, failureThreshold: startupThreshold }),
        readinessProbe: Probe.httpGet(server.healthPath, port, { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: Probe.httpGet(server.healthPath, port, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
      },
    }, { ...props, volumes: [...volumes, ...(props.volumes ?? [])], initContainers: [...initContainers, ...(props.initContainers ?? [])] });

    const { service } = addServerWorkload(this, {
      name,
      selector,
      labels: { ...(props.labels ?? {}), 'app.kubernetes.io/component': `openai-${server.id}` },
      replicas,
      podSpec,
      podLabels: props.podLabels,
      podAnnotations: props.podAnnotations,
      ports: [{ name: 'http', port }],
    });

    this.server = server;
    this.service = service;
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.modelName = props.servedModelName ?? defaultServedName;
    this.endpoint = `http://${name}.${this.namespace}.svc.cluster.local:${port}`;
    this.protocol = protocol;
    this.requestPath = PROTOCOL_PATHS[protocol.id];
    this.podSelector = { ...selector };
    this.podPort = port;
    this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name, supportsScaleToZero: true };
    // Ollama serves no Prometheus metrics.
    this.metrics = server.hasMetrics ? { portName: 'http', path: '/metrics' } : undefined;
  }
}

function quantity(scope: Construct, field: string, value: string): string {
  checkQuantity(scope, field, value);
  return value;
}
