import { Construct, IConstruct } from 'constructs';
import { ModelProtocol, ModelTraffic } from './model-backend';
import { ModelServer } from './model-server';
import { ModelSource } from './model-source';
import { ModelServerOptions, SourceLayout } from './server-workload';
import { NamedContainer } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkQuantity, stringListProp, stringProp } from '../core/props';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { TrafficPort } from '../core/traffic';
import { Volume } from '../core/volume';

/** What an OpenAIModel hands to its server flavour. */
interface FlavorInput {
  readonly source: SourceLayout;
  readonly servedModelName?: string;
  readonly serverArgs: string[];
  readonly tensorParallelSize?: number;
  readonly port: number;
  readonly image: string;
  readonly allowUnpinnedImage?: boolean;
  readonly loaderResources: ResourceRequirements;
}

/** What a server flavour renders: its flags, env and init containers, and the name it serves. */
interface FlavorOutput {
  readonly args: string[];
  readonly env: { [name: string]: EnvValue };
  readonly initContainers: NamedContainer[];
  readonly servedName: string;
}

/** How one server is run. */
interface ServerFlavor {
  /** Flags the construct sets. */
  readonly reservedArgs: string[];
  render(scope: IConstruct, input: FlavorInput): FlavorOutput;
}

/**
 * The user name of uid 1000, which has no passwd entry in the vLLM and TGI images: Python's
 * `getpass.getuser()` (TorchInductor's cache directory) reads USER/LOGNAME first and fails without them.
 */
const UNIX_USER = 'model-server';
const UNIX_USER_ENV = { USER: EnvValue.fromValue(UNIX_USER), LOGNAME: EnvValue.fromValue(UNIX_USER) };

const VLLM_FLAVOR: ServerFlavor = {
  reservedArgs: ['--model', '--served-model-name', '--host', '--port', '--revision'],
  render: (_scope, i) => ({
    env: { HF_HOME: EnvValue.fromValue('/cache/huggingface'), ...UNIX_USER_ENV },
    args: ['--model', i.source.modelArg, '--served-model-name', i.servedModelName ?? i.source.defaultServedName,
      '--host', '0.0.0.0', '--port', String(i.port), ...(i.source.revision ? ['--revision', i.source.revision] : []),
      ...(i.tensorParallelSize !== undefined ? ['--tensor-parallel-size', String(i.tensorParallelSize)] : []), ...i.serverArgs],
    initContainers: [],
    servedName: i.servedModelName ?? i.source.defaultServedName,
  }),
};

const TGI_FLAVOR: ServerFlavor = {
  reservedArgs: ['--model-id', '--hostname', '--port', '--revision'],
  render: (_scope, i) => ({
    env: {
      // The image sets HF_HOME=/data (huggingface/text-generation-inference Dockerfile:147 @ v3.3.5), a
      // path that is not a volume here: the cache goes to the emptyDir at /cache instead.
      HF_HOME: EnvValue.fromValue('/cache/huggingface'),
      HUGGINGFACE_HUB_CACHE: EnvValue.fromValue('/cache/huggingface/hub'),
      ...UNIX_USER_ENV,
    },
    args: ['--model-id', i.source.modelArg, '--hostname', '0.0.0.0', '--port', String(i.port),
      ...(i.source.revision ? ['--revision', i.source.revision] : []), ...i.serverArgs],
    initContainers: [],
    servedName: i.source.defaultServedName,
  }),
};

const OLLAMA_FLAVOR: ServerFlavor = {
  reservedArgs: [],
  render: (scope, i) => {
    check(!i.serverArgs.length, scope, 'serverArgs', i.serverArgs,
      'must be empty for Ollama: `ollama serve` takes no flags (configure it with OLLAMA_* env variables)');
    check(!i.source.onClaim || i.servedModelName !== undefined, scope, 'servedModelName', i.servedModelName,
      'must be set for Ollama with a PVC: it is the Ollama model (e.g. llama3.2:1b) in the store on the claim');
    const store = i.source.onClaim ? i.source.modelArg : '/cache/ollama/models';
    const initContainers: NamedContainer[] = i.source.pull === undefined ? [] : [{
      name: 'model-puller',
      image: i.image,
      allowUnpinnedImage: i.allowUnpinnedImage,
      command: ['/bin/sh', '-c',
        'ollama serve & pid=$!; for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 1; done; ' +
        'ollama pull "$OLLAMA_PULL_MODEL"; rc=$?; kill $pid; exit $rc'],
      env: {
        HOME: EnvValue.fromValue('/cache'),
        OLLAMA_HOST: EnvValue.fromValue('127.0.0.1:11434'),
        OLLAMA_MODELS: EnvValue.fromValue(store),
        OLLAMA_PULL_MODEL: EnvValue.fromValue(i.source.pull),
      },
      volumeMounts: [{ volume: 'cache', mountPath: '/cache' }],
      resources: i.loaderResources,
    }];
    return {
      env: {
        OLLAMA_HOST: EnvValue.fromValue(`0.0.0.0:${i.port}`),
        OLLAMA_MODELS: EnvValue.fromValue(store),
        // Keep the model loaded: Ollama unloads it after 5 idle minutes by default (ollama/ollama envconfig/config.go).
        OLLAMA_KEEP_ALIVE: EnvValue.fromValue('-1'),
      },
      args: ['serve'],
      initContainers,
      servedName: i.servedModelName ?? i.source.defaultServedName,
    };
  },
};

/**
 * A server speaking the OpenAI API, with what this library needs to know to run it.
 */
export class OpenAIServer {
  /**
   * vLLM (`vllm/vllm-openai`): `--model`, `--served-model-name`, port 8000, `GET /health`, `GET /metrics`.
   * @see https://docs.vllm.ai/en/stable/serving/openai_compatible_server/
   */
  public static readonly VLLM = new OpenAIServer('vllm', 'vllm/vllm-openai:v0.10.2', 8000, '/health', true, VLLM_FLAVOR);
  /**
   * Hugging Face Text Generation Inference: `--model-id`, OpenAI Messages API at `/v1/chat/completions`,
   * `GET /health`, `GET /metrics`. The image listens on port 80 (`PORT=80`); this library passes
   * `--port 8080`, because a container with all capabilities dropped cannot bind ports below 1024.
   *
   * The default image runs only as root: it installs Python with uv under `/root` (mode 0700), so as
   * uid 1000 the launcher fails with `error while loading shared libraries: libpython3.11.so.1.0`
   * (huggingface/text-generation-inference Dockerfile:67,168,170,248 @ v3.3.5; issue #3082). An
   * `OpenAIModel` with TGI's default image therefore requires `security: { allowRoot: true }`, an explicit
   * opt-out of Pod Security Standard `restricted` (the library does not downgrade it silently); or give an
   * `image` of your own that runs as a non-root user.
   * @see https://huggingface.co/docs/text-generation-inference
   */
  public static readonly TGI = new OpenAIServer('tgi', 'ghcr.io/huggingface/text-generation-inference:3.3.5', 8080, '/health', true, TGI_FLAVOR);
  /**
   * Ollama (`ollama/ollama`, `ollama serve` on 0.0.0.0:11434): OpenAI-compatible `/v1/chat/completions`,
   * health `GET /` ("Ollama is running"). It has no Prometheus endpoint.
   *
   * The model stays loaded (`OLLAMA_KEEP_ALIVE=-1`; Ollama's own default unloads it after 5 idle
   * minutes). Its context window is Ollama's default (a few thousand tokens): set `OLLAMA_CONTEXT_LENGTH`
   * in `env` for longer prompts (it costs memory); `OLLAMA_KEEP_ALIVE` may be overridden there too.
   *
   * The pod is Ready before the model is loaded: Ollama's `GET /` answers as soon as the server listens
   * (ollama/ollama server/routes.go:1282 @ v0.11.10), and the model (pulled by the init container) is loaded
   * into memory by the first request, which pays the load time (keep the binding's `requestTimeout` above it).
   * @see https://github.com/ollama/ollama/blob/main/docs/openai.md
   * @see https://github.com/ollama/ollama/blob/main/envconfig/config.go
   */
  public static readonly OLLAMA = new OpenAIServer('ollama', 'ollama/ollama:0.11.10', 11434, '/', false, OLLAMA_FLAVOR);

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
    private readonly flavor: ServerFlavor,
  ) {}

  /**
   * Flags the construct sets for this server (refused in `serverArgs`).
   * @internal
   */
  public get _reservedArgs(): string[] {
    return this.flavor.reservedArgs;
  }

  /**
   * The server's flags, env and init containers for a model source.
   * @internal
   */
  public _render(scope: IConstruct, input: FlavorInput): FlavorOutput {
    return this.flavor.render(scope, input);
  }
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
  /**
   * vLLM tensor parallelism (`--tensor-parallel-size`): the model is sharded over this many GPUs of
   * the pod, so `resources.gpu.count` must be at least this. vLLM only.
   * @default - vLLM's default (1)
   * @see https://docs.vllm.ai/en/stable/serving/parallelism_scaling.html
   */
  readonly tensorParallelSize?: number;
}

const PROTOCOL_PATHS: Record<string, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-completions': '/v1/completions',
  'openai-embeddings': '/v1/embeddings',
};
const RESERVED_ENV: { [name: string]: string } = {
  HOME: 'is set by the construct',
  HF_HOME: 'is set by the construct',
  HF_TOKEN: 'is set by the construct (use huggingFaceToken)',
  OLLAMA_HOST: 'is set by the construct',
  OLLAMA_MODELS: 'is set by the construct',
  HUGGINGFACE_HUB_CACHE: 'is set by the construct',
};
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
 * on a writable emptyDir at `/cache`, and `/dev/shm` on a memory emptyDir. TGI's default image cannot run
 * as non-root (see `OpenAIServer.TGI`): it needs `security: { allowRoot: true }`, an explicit opt-out.
 */
export class OpenAIModel extends ModelServer {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /** vLLM and TGI serve `/metrics` on the serving port; Ollama serves none. */
  public override get traffic(): ModelTraffic | undefined {
    return { ingress: [], metricsPorts: this.metrics ? [TrafficPort.tcp(this.podPort)] : [] };
  }
  // ---- end of traffic ----

  /** The server. */
  public readonly server: OpenAIServer;

  constructor(scope: Construct, id: string, props: OpenAIModelProps) {
    super(scope, id, {
      name: props.name,
      component: `openai-${(props.server ?? OpenAIServer.VLLM)?.id}`,
      labels: props.labels,
      replicas: props.replicas,
      startupTimeout: props.startupTimeout,
      pod: props,
      volumeMounts: props.volumeMounts,
      env: props.env,
      reservedVolumes: ['cache', 'dshm', 'model'],
      reservedMountPaths: ['/cache', '/dev/shm', '/models'],
      reservedEnv: RESERVED_ENV,
    });
    const server = props.server ?? OpenAIServer.VLLM;
    const protocol = props.protocol ?? ModelProtocol.OPENAI_CHAT;
    this.checkProps(props, server, protocol);
    this.server = server;

    const loaderResources = props.loaderResources ?? DEFAULT_LOADER_RESOURCES;
    const image = props.image ?? server.defaultImage;
    const source = props.model._render(this, { ollama: server === OpenAIServer.OLLAMA, serverId: server.id, loaderResources });
    const flavor = server._render(this, {
      source,
      servedModelName: props.servedModelName,
      serverArgs: props.serverArgs ?? [],
      tensorParallelSize: props.tensorParallelSize,
      port: server.port,
      image,
      allowUnpinnedImage: props.allowUnpinnedImage,
      loaderResources,
    });
    this.runServer({
      container: {
        image,
        allowUnpinnedImage: props.allowUnpinnedImage,
        imagePullPolicy: props.imagePullPolicy,
        args: flavor.args,
        env: { HOME: EnvValue.fromValue('/cache'), ...flavor.env, ...this.tokenEnv(props, source), ...(props.env ?? {}) },
        resources: props.resources,
        ports: [{ name: 'http', containerPort: server.port }],
        volumeMounts: [{ volume: 'cache', mountPath: '/cache' }, { volume: 'dshm', mountPath: '/dev/shm' }, ...source.mounts, ...(props.volumeMounts ?? [])],
        ...this.httpProbes(server.port, server.healthPath),
      },
      volumes: [
        Volume.emptyDir('cache', props.cacheSizeLimit ? { sizeLimit: quantity(this, 'cacheSizeLimit', props.cacheSizeLimit) } : {}),
        Volume.emptyDir('dshm', { memory: true, sizeLimit: quantity(this, 'sharedMemorySize', props.sharedMemorySize ?? '2Gi') }),
        ...source.volumes,
      ],
      initContainers: [...source.initContainers, ...flavor.initContainers],
    }, props);
    this.serveThroughService({
      modelName: props.servedModelName ?? flavor.servedName,
      requestPath: PROTOCOL_PATHS[protocol.id],
      protocol,
      port: server.port,
      // Ollama serves no Prometheus metrics.
      metrics: server.hasMetrics ? { portName: 'http', path: '/metrics' } : undefined,
    });
  }

  private checkProps(props: OpenAIModelProps, server: OpenAIServer, protocol: ModelProtocol): void {
    check(server instanceof OpenAIServer, this, 'server', server, 'must be OpenAIServer.VLLM, OpenAIServer.TGI or OpenAIServer.OLLAMA');
    check(props.model instanceof ModelSource, this, 'model', props.model,
      'must be a ModelSource (ModelSource.huggingFace, persistentVolumeClaim, ociImage or ollama)');
    requireLimits(this, 'resources', props.resources, 'server');
    if (props.loaderResources !== undefined) {
      requireLimits(this, 'loaderResources', props.loaderResources, server === OpenAIServer.OLLAMA ? 'model-puller' : 'model-loader');
    }
    stringProp(this, 'servedModelName', props.servedModelName);
    check(protocol instanceof ModelProtocol && PROTOCOL_PATHS[protocol.id] !== undefined, this, 'protocol', protocol?.id ?? protocol,
      'must be ModelProtocol.OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS');
    if (server === OpenAIServer.TGI) {
      check(protocol !== ModelProtocol.OPENAI_EMBEDDINGS, this, 'protocol', protocol.id,
        'is not served by TGI (it has no /v1/embeddings; use vLLM, Ollama or Text Embeddings Inference)');
      check(props.servedModelName === undefined, this, 'servedModelName', props.servedModelName,
        'cannot be set with TGI: TGI names the model after its --model-id');
    }
    const reserved = [...server._reservedArgs, ...(props.tensorParallelSize !== undefined ? ['--tensor-parallel-size', '-tp'] : [])];
    for (const [i, a] of stringListProp(this, 'serverArgs', props.serverArgs).entries()) {
      check(!reserved.includes(a.split('=')[0]), this, `serverArgs[${i}]`, a,
        'is set by the construct (from model, servedModelName, tensorParallelSize and the server port): remove it');
    }
    this.checkTensorParallelism(props, server);
    // huggingface/text-generation-inference Dockerfile:67,168,170,248 @ v3.3.5 (issue #3082): Python under /root (0700).
    check(server !== OpenAIServer.TGI || props.image !== undefined || props.security?.allowRoot === true, this, 'security.allowRoot',
      props.security?.allowRoot, `must be true with TGI's default image (${server.defaultImage}): it installs Python under /root (mode 0700), `
      + 'so as a non-root user the launcher fails to load libpython3.11.so.1.0; set security: { allowRoot: true } '
      + '(the pod then no longer meets Pod Security Standard restricted) or give an image of your own that runs as non-root');
    if (props.huggingFaceToken !== undefined) {
      const json = props.huggingFaceToken instanceof EnvValue ? props.huggingFaceToken._toJson('HF_TOKEN') : undefined;
      check(json?.valueFrom?.secretKeyRef !== undefined, this, 'huggingFaceToken', props.huggingFaceToken?.value ?? '<reference>',
        'must be a Secret reference (EnvValue.fromSecret(secretName, key)): tokens are never inlined');
    }
  }

  private checkTensorParallelism(props: OpenAIModelProps, server: OpenAIServer): void {
    const tp = props.tensorParallelSize;
    if (tp === undefined) return;
    check(server === OpenAIServer.VLLM, this, 'tensorParallelSize', tp, `is a vLLM option (server is ${server.id}; TGI shards with --num-shard in serverArgs)`);
    check(Number.isInteger(tp) && tp >= 1, this, 'tensorParallelSize', tp, 'must be a whole number of at least 1');
    const gpus = props.resources.gpu?.count ?? 0;
    check(gpus >= tp, this, 'tensorParallelSize', tp, `needs as many GPUs in resources.gpu.count (${gpus}): vLLM shards the model over the pod's GPUs`);
  }

  private tokenEnv(props: OpenAIModelProps, source: SourceLayout): { [name: string]: EnvValue } {
    if (!props.huggingFaceToken) return {};
    check(source.fromHub === true && this.server !== OpenAIServer.OLLAMA, this, 'huggingFaceToken', '<secret reference>',
      'is only used with ModelSource.huggingFace on vLLM or TGI');
    return { HF_TOKEN: props.huggingFaceToken };
  }
}

function quantity(scope: Construct, field: string, value: string): string {
  checkQuantity(scope, field, value);
  return value;
}
