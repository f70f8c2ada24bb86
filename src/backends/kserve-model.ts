import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import { containerSecurityContext, SecurityOptions } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkDns1035Label } from '../core/names';
import { podSecurityContext } from '../core/pod';
import { renderResources, ResourceRequirements } from '../core/resources';
import { InferenceService } from '../imports/kserve-inferenceservice-serving.kserve.io';

/**
 * The KServe autoscaler class of a Standard-mode InferenceService (`serving.kserve.io/autoscalerClass`).
 */
export enum KServeAutoscalerClass {
  /** KServe creates an HPA `NAME-predictor` (CPU); it blocks a queue-driven KEDA ScaledObject. */
  HPA = 'hpa',
  /** KServe creates its own ScaledObject (Prometheus or Graphite triggers only, no queues). */
  KEDA = 'keda',
  /** KServe creates no autoscaler and ignores replicas: a ScaledObject of ours owns `NAME-predictor`. */
  EXTERNAL = 'external',
  /** No autoscaling: replicas stay at minReplicas. */
  NONE = 'none',
}

/**
 * The inference protocol version of the predictor (`protocolVersion`).
 */
export enum KServeProtocolVersion {
  /** KServe V1: `POST /v1/models/NAME:predict`. */
  V1 = 'v1',
  /** V2 / Open Inference Protocol: `POST /v2/models/NAME/infer`. */
  V2 = 'v2',
}

/**
 * The model format of a predictor (`modelFormat`), which selects the serving runtime.
 */
export interface KServeModelFormat {
  /** e.g. `sklearn`, `xgboost`, `onnx`, `huggingface`, `triton`. */
  readonly name: string;
  /**
   * The format version.
   * @default - any
   */
  readonly version?: string;
}

/**
 * Props of a KServeModel.
 */
export interface KServeModelProps {
  /**
   * The InferenceService name (a DNS-1035 label: the predictor is `NAME-predictor`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The model format. `huggingface` serves the OpenAI API (under `/openai`).
   * @default - none (then `runtime` is required)
   */
  readonly modelFormat?: KServeModelFormat;
  /**
   * A ClusterServingRuntime or ServingRuntime by name.
   * @default - KServe picks one for the model format
   */
  readonly runtime?: string;
  /**
   * Where the model is: `hf://`, `s3://`, `gs://`, `pvc://`, `oci://` (modelcar) or `https://`.
   * @default - none (the runtime image carries the model)
   */
  readonly storageUri?: string;
  /** Resources of the model container. Required: model servers get no invented defaults. */
  readonly resources: ResourceRequirements;
  /**
   * Extra runtime arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Environment of the model container. Reference secrets with `EnvValue.fromSecret`.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * The protocol version. Always emitted.
   * @default KServeProtocolVersion.V2
   */
  readonly protocolVersion?: KServeProtocolVersion;
  /**
   * The OpenAI API the bridge calls, for the Hugging Face runtime: OPENAI_CHAT, OPENAI_COMPLETIONS or
   * OPENAI_EMBEDDINGS. Not allowed for other formats.
   * @default - OPENAI_CHAT for modelFormat huggingface; otherwise from protocolVersion
   */
  readonly openAIProtocol?: ModelProtocol;
  /**
   * Minimum replicas (0 only with EXTERNAL or KEDA).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Maximum replicas.
   * @default - minReplicas (at least 1)
   */
  readonly maxReplicas?: number;
  /**
   * The autoscaler class. Queue-driven scaling (a scale target) needs EXTERNAL: with HPA (KServe's
   * default) KServe creates an HPA that KEDA refuses to compete with.
   * @see https://kserve.github.io/website/
   * @default KServeAutoscalerClass.HPA
   */
  readonly autoscalerClass?: KServeAutoscalerClass;
  /**
   * Security of the predictor pod and model container. KServe's injected storage-initializer init
   * container is not covered.
   * @default - restricted: non-root (uid/gid 1000), no privilege escalation, all capabilities dropped, RuntimeDefault seccomp
   */
  readonly security?: SecurityOptions;
  /**
   * ServiceAccount of the predictor (e.g. one carrying storage credentials).
   * @default - the namespace's default
   */
  readonly serviceAccountName?: string;
  /**
   * Node selector of the predictor pods.
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Extra labels on the InferenceService.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const SCHEMES = ['hf://', 's3://', 'gs://', 'pvc://', 'oci://', 'https://'];
const OPENAI_PATHS: Record<string, string> = {
  'openai-chat': '/openai/v1/chat/completions',
  'openai-completions': '/openai/v1/completions',
  'openai-embeddings': '/openai/v1/embeddings',
};
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A KServe InferenceService (serving.kserve.io/v1beta1) in Standard mode: KServe creates Deployment and
 * Service `NAME-predictor` (port 80 to the container's 8080). The annotation
 * `serving.kserve.io/deploymentMode: Standard` is always set (the shipped default is Knative, and the mode
 * cannot change after the first reconcile).
 *
 * Only `autoscalerClass: EXTERNAL` yields a scale target (Deployment `NAME-predictor`): KServe then creates
 * no HPA and leaves replicas to our ScaledObject.
 *
 * @see https://kserve.github.io/website/
 */
export class KServeModel extends Construct implements IModelBackend {
  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string;
  public readonly protocol: ModelProtocol;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number = 8080;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  /**
   * Undefined: KServe's runtimes serve /metrics on port 8080 but declare it unnamed, and a PodMonitor
   * needs a port name.
   */
  public readonly metrics?: MetricsEndpoint;
  /** The InferenceService. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KServeModelProps) {
    super(scope, id);
    const name = props.name ?? id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 53,
      'KServe names the predictor Deployment and Service NAME-predictor, at most 63');
    check(props.modelFormat !== undefined || props.runtime !== undefined, this, 'modelFormat', props.modelFormat,
      'or runtime must be set: KServe selects the serving runtime by them');
    if (props.modelFormat) {
      check(typeof props.modelFormat.name === 'string' && /^[a-z0-9][a-z0-9._-]*$/.test(props.modelFormat.name), this,
        'modelFormat.name', props.modelFormat.name, 'must be a model format name such as sklearn, onnx or huggingface');
    }
    if (props.storageUri !== undefined) {
      check(typeof props.storageUri === 'string', this, 'storageUri', props.storageUri, 'must be a string');
      check(SCHEMES.some((s) => props.storageUri!.startsWith(s) && props.storageUri!.length > s.length), this, 'storageUri', props.storageUri,
        `must start with one of ${SCHEMES.join(', ')}`);
    }
    check(props.resources !== undefined, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    const version = props.protocolVersion ?? KServeProtocolVersion.V2;
    check(Object.values(KServeProtocolVersion).includes(version), this, 'protocolVersion', version, 'must be KServeProtocolVersion.V1 or V2');
    const autoscaler = props.autoscalerClass ?? KServeAutoscalerClass.HPA;
    check(Object.values(KServeAutoscalerClass).includes(autoscaler), this, 'autoscalerClass', autoscaler,
      'must be KServeAutoscalerClass.HPA, KEDA, EXTERNAL or NONE');

    const minReplicas = props.minReplicas ?? 1;
    check(Number.isInteger(minReplicas) && minReplicas >= 0, this, 'minReplicas', props.minReplicas, 'must be a whole number of at least 0');
    if (minReplicas === 0) {
      check(autoscaler === KServeAutoscalerClass.EXTERNAL || autoscaler === KServeAutoscalerClass.KEDA, this, 'minReplicas', minReplicas,
        `cannot be 0 with autoscalerClass ${autoscaler} (KServe keeps at least 1 replica): use KServeAutoscalerClass.EXTERNAL for queue-driven scale to zero`);
    }
    const maxReplicas = props.maxReplicas ?? Math.max(minReplicas, 1);
    check(Number.isInteger(maxReplicas) && maxReplicas >= 1, this, 'maxReplicas', props.maxReplicas, 'must be a whole number of at least 1');
    check(minReplicas <= maxReplicas, this, 'minReplicas', minReplicas, `must not exceed maxReplicas (${maxReplicas})`);

    const huggingFace = props.modelFormat?.name === 'huggingface';
    if (props.openAIProtocol !== undefined) {
      check(huggingFace, this, 'openAIProtocol', props.openAIProtocol?.id, 'needs modelFormat huggingface (only the Hugging Face runtime serves the OpenAI API)');
      check(props.openAIProtocol instanceof ModelProtocol && OPENAI_PATHS[props.openAIProtocol.id] !== undefined, this, 'openAIProtocol',
        props.openAIProtocol?.id, 'must be ModelProtocol.OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS');
    }
    const env = Object.entries(props.env ?? {}).map(([k, v]) => {
      check(ENV_NAME.test(k), this, 'env', k, 'is not a valid environment variable name');
      check(v instanceof EnvValue, this, `env.${k}`, v, 'must be an EnvValue (EnvValue.fromValue, fromSecret, fromConfigMap, fromFieldRef)');
      return v._toJson(k);
    });
    check(!(props.env && 'KSERVE_OPENAI_ROUTE_PREFIX' in props.env), this, 'env', 'KSERVE_OPENAI_ROUTE_PREFIX',
      'is not supported: the construct derives the request path from the default /openai prefix');

    const sec = props.security ?? {};
    const modelFormat = props.modelFormat
      ? { name: props.modelFormat.name, ...(props.modelFormat.version ? { version: props.modelFormat.version } : {}) }
      : undefined;
    this.resource = new ApiObject(this, 'Resource', {
      ...InferenceService.GVK,
      metadata: {
        name,
        labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) },
        annotations: {
          'serving.kserve.io/deploymentMode': 'Standard',
          'serving.kserve.io/autoscalerClass': autoscaler,
        },
      },
      spec: {
        predictor: {
          minReplicas,
          maxReplicas,
          ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
          ...(props.nodeSelector && Object.keys(props.nodeSelector).length ? { nodeSelector: { ...props.nodeSelector } } : {}),
          securityContext: podSecurityContext(sec),
          model: {
            ...(modelFormat ? { modelFormat } : {}),
            ...(props.runtime ? { runtime: props.runtime } : {}),
            protocolVersion: version,
            ...(props.storageUri ? { storageUri: props.storageUri } : {}),
            ...(props.args?.length ? { args: [...props.args] } : {}),
            ...(env.length ? { env } : {}),
            resources: renderResources(this, 'resources', props.resources) ?? {},
            securityContext: containerSecurityContext(sec),
          },
        },
      },
    });

    this.namespace = Chart.of(this).namespace ?? 'default';
    this.modelName = name;
    this.endpoint = `http://${name}-predictor.${this.namespace}.svc.cluster.local`;
    this.podSelector = { 'serving.kserve.io/inferenceservice': name };
    if (huggingFace) {
      this.protocol = props.openAIProtocol ?? ModelProtocol.OPENAI_CHAT;
      this.requestPath = OPENAI_PATHS[this.protocol.id];
    } else if (version === KServeProtocolVersion.V1) {
      this.protocol = ModelProtocol.KSERVE_V1;
      this.requestPath = `/v1/models/${name}:predict`;
    } else {
      this.protocol = ModelProtocol.OPEN_INFERENCE;
      this.requestPath = `/v2/models/${name}/infer`;
    }
    if (autoscaler === KServeAutoscalerClass.EXTERNAL) {
      this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-predictor`, supportsScaleToZero: true };
    } else {
      const why = autoscaler === KServeAutoscalerClass.HPA ? 'its HPA blocks a KEDA ScaledObject'
        : autoscaler === KServeAutoscalerClass.KEDA ? 'its own ScaledObject has no queue triggers' : 'replicas are pinned to minReplicas';
      this.noScaleTargetReason = `KServe autoscalerClass "${autoscaler}" makes KServe manage the replicas of ${name}-predictor (${why}): `
        + 'set autoscalerClass to KServeAutoscalerClass.EXTERNAL for queue-driven scaling.';
    }
  }
}
