import { IConstruct } from 'constructs';

/**
 * The HTTP protocol a served model speaks, as the async bridge sees it.
 */
export class ModelProtocol {
  /** OpenAI chat completions: `POST /v1/chat/completions` (vLLM, TGI, Ollama, KAITO, Ray Serve LLM). */
  public static readonly OPENAI_CHAT = new ModelProtocol('openai-chat');
  /** OpenAI completions: `POST /v1/completions`. */
  public static readonly OPENAI_COMPLETIONS = new ModelProtocol('openai-completions');
  /** OpenAI embeddings: `POST /v1/embeddings`. */
  public static readonly OPENAI_EMBEDDINGS = new ModelProtocol('openai-embeddings');
  /** KServe V1: `POST /v1/models/<name>:predict` with `{"instances": [...]}`. */
  public static readonly KSERVE_V1 = new ModelProtocol('kserve-v1');
  /** Open Inference Protocol (KServe V2, Triton, Seldon): `POST /v2/models/<name>/infer`. */
  public static readonly OPEN_INFERENCE = new ModelProtocol('open-inference');
  /** Ray Serve HTTP: `POST <route_prefix>` with the JSON payload as body. */
  public static readonly RAY_SERVE_HTTP = new ModelProtocol('ray-serve-http');
  /** Plain JSON POST to a path (BentoML, Mosec). */
  public static readonly HTTP_JSON = new ModelProtocol('http-json');

  private constructor(
    /** The protocol id used by the bridge handler. */
    public readonly id: string,
  ) {}
}

/**
 * A workload an autoscaler can scale (it has a `scale` subresource or is a Deployment/StatefulSet).
 */
export interface ScaleTarget {
  /** e.g. `apps/v1` or `kaito.sh/v1beta1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment` or `InferenceSet`. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /** Whether the backend keeps working at zero replicas (the queue holds the messages). */
  readonly supportsScaleToZero: boolean;
  /**
   * The fewest replicas the backend itself declares (e.g. KServe `minReplicas`): the default of the
   * scaler's minReplicaCount.
   * @default - 0 when supportsScaleToZero, else 1
   */
  readonly minReplicas?: number;
  /**
   * The most replicas the backend itself declares (e.g. KServe `maxReplicas`, KAITO `replicas`): the
   * default of the scaler's maxReplicaCount.
   * @default - the scaler's own default (1)
   */
  readonly maxReplicas?: number;
  /**
   * Seconds the backend may take from zero replicas to serving (node provisioning, image pull, weights
   * load): a bridge keeps retrying connection errors and 503s this long when the model scales to zero.
   * @default 1200
   */
  readonly coldStartSeconds?: number;
}

/**
 * Where a backend exposes Prometheus metrics.
 */
export interface MetricsEndpoint {
  /** Named container port (PodMonitor `port`). */
  readonly portName: string;
  /**
   * HTTP path.
   * @default "/metrics"
   */
  readonly path?: string;
}

/**
 * A served model as a binding sees it. Every backend construct implements it; bindings and pipelines
 * know backends only through it.
 */
export interface IModelBackend extends IConstruct {
  /** The model name requests must carry (OpenAI `model`, or the name in `/v2/models/<name>`). */
  readonly modelName: string;
  /** The in-cluster base URL, e.g. `http://llm.ai.svc.cluster.local:80`, without a trailing slash. */
  readonly endpoint: string;
  /** The path requests are posted to, e.g. `/v1/chat/completions`. */
  readonly requestPath: string;
  /** The protocol the model speaks. */
  readonly protocol: ModelProtocol;
  /** The namespace the model runs in. */
  readonly namespace: string;
  /** Labels that select exactly the pods that receive the traffic (for NetworkPolicies). */
  readonly podSelector: { [key: string]: string };
  /** The port on those pods that receives the traffic. */
  readonly podPort: number;
  /** Extra HTTP headers requests must carry (e.g. Seldon's `Seldon-Model`). */
  readonly requestHeaders: { [key: string]: string };
  /** The workload a queue-driven autoscaler may scale, if any. */
  readonly scaleTarget?: ScaleTarget;
  /** Why there is no scale target (set exactly when scaleTarget is not). */
  readonly noScaleTargetReason?: string;
  /** Where the model server exposes Prometheus metrics, if it does. */
  readonly metrics?: MetricsEndpoint;
}
