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
 * Where a served model exposes Prometheus metrics.
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
 * A served model as the layers below backends see it (an actor step that calls one, a pipeline that
 * draws and monitors it). `IModelBackend` extends it with what a binding needs to call the model.
 */
export interface IServedModel extends IConstruct {
  /** The protocol the model speaks. */
  readonly protocol: ModelProtocol;
  /** The namespace the model runs in. */
  readonly namespace: string;
  /** Labels that select exactly the pods that receive the traffic (for NetworkPolicies). */
  readonly podSelector: { [key: string]: string };
  /** Where the model server exposes Prometheus metrics, if it does. */
  readonly metrics?: MetricsEndpoint;
}
