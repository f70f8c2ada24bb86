import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic, ScaleTarget } from './model-backend';
import { containerSecurityContext, SecurityOptions } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { isDns1123Subdomain } from '../core/names';
import { podSecurityContext, renderTolerations, Toleration } from '../core/pod';
import { checkLabelMap, objectProp, stringListProp, stringProp } from '../core/props';
import { renderResources, requireLimits, ResourceRequirements } from '../core/resources';
import { TrafficPort } from '../core/traffic';
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
  /**
   * e.g. `sklearn`, `xgboost`, `onnx`, `huggingface`, `triton`, `vLLM` (the names are case-sensitive, as
   * KServe's runtimes list them).
   */
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
   * The model format. `huggingface` serves the OpenAI API under `/openai`, `vLLM` (KServe's vLLM runtime)
   * under `/v1`.
   * @default - none (then `runtime` is required)
   */
  readonly modelFormat?: KServeModelFormat;
  /**
   * A ClusterServingRuntime or ServingRuntime by name.
   * @default - KServe picks one for the model format
   */
  readonly runtime?: string;
  /**
   * The model server image, replacing the serving runtime's: KServe merges the predictor's model
   * container over the runtime's container (kserve/kserve
   * `pkg/controller/v1beta1/inferenceservice/utils/utils.go` MergeRuntimeContainers @ v0.20.0). Pin a
   * mirrored runtime image this way in an air-gapped cluster (ImagePolicy rewrites it like any image).
   * @default - the runtime's image (KServe's ClusterServingRuntime, from Docker Hub unless the platform mirrors it)
   */
  readonly image?: string;
  /**
   * The model name requests carry (in `/v2/models/<name>/infer`, `/v1/models/<name>:predict` or the OpenAI
   * `model`). Required for the formats KServe serves with Triton (`triton`, `tensorrt`, `onnx`) or with
   * `runtime: kserve-tritonserver`: Triton names a model after its directory in the model repository,
   * not after the InferenceService. TorchServe (`pytorch`) names it in its `config.properties`.
   * @default - the InferenceService name (what KServe's Python, Hugging Face and vLLM runtimes serve)
   */
  readonly modelName?: string;
  /**
   * Where the model is: `hf://`, `s3://`, `gs://`, `pvc://`, `oci://` (modelcar) or `https://`.
   * @default - none (the runtime image carries the model)
   */
  readonly storageUri?: string;
  /**
   * Resources of the model container. Required, with cpu and memory limits (policy ASYA-RES-001), or
   * `allowNoLimits: true` to opt out explicitly: model servers get no invented defaults.
   */
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
   * The OpenAI API the bridge calls, for the Hugging Face and vLLM runtimes: OPENAI_CHAT,
   * OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS. Not allowed for other formats.
   * @default - OPENAI_CHAT for modelFormat huggingface or vLLM; otherwise from protocolVersion
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
   * Tolerations of the predictor pods, e.g. of a tainted GPU pool (`nvidia.com/gpu`).
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * PriorityClass of the predictor pods.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Extra labels on the InferenceService.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const SCHEMES = ['hf://', 's3://', 'gs://', 'pvc://', 'oci://', 'https://'];
/** OpenAI paths under `/v1`: the Hugging Face runtime prefixes them with `/openai`, the vLLM runtime does not. */
const OPENAI_PATHS: Record<string, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-completions': '/v1/completions',
  'openai-embeddings': '/v1/embeddings',
};
/** Formats the OpenAI API is served for, and their path prefix (kserve/kserve config/runtimes/kserve-{huggingface,vllm}server.yaml @ v0.20.0). */
const OPENAI_FORMATS: Record<string, string> = { huggingface: '/openai', vLLM: '' };
/** Formats KServe serves with Triton by default (kserve/kserve config/runtimes/kserve-tritonserver.yaml @ v0.20.0, autoSelect). */
const TRITON_FORMATS = ['triton', 'tensorrt', 'onnx'];
const TRITON_RUNTIME = 'kserve-tritonserver';
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A KServe InferenceService (serving.kserve.io/v1beta1) in Standard mode: KServe creates Deployment and
 * Service `NAME-predictor` (port 80 to the container's 8080). The annotation
 * `serving.kserve.io/deploymentMode: Standard` is always set (the shipped default is Knative, and the mode
 * cannot change after the first reconcile). `Standard` needs KServe 0.16 or later: older versions know
 * only `RawDeployment` and fall back to Knative (see docs/versions.md).
 *
 * Only `autoscalerClass: EXTERNAL` yields a scale target (Deployment `NAME-predictor`): KServe then creates
 * no HPA and leaves replicas to our ScaledObject.
 *
 * The endpoint is the predictor Service on port 80: do not set the KServe option `serviceClusterIPNone`
 * (a headless predictor Service has no port 80 to reach; docs/limitations.md).
 *
 * @see https://kserve.github.io/website/
 */
export class KServeModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * KServe in Standard mode needs no traffic to the predictor pods besides clients: the controller does
   * not call them (kserve/kserve pkg/controller/v1beta1/inferenceservice @ v0.20.0). Its Python
   * runtimes serve `/metrics` on the serving port 8080.
   */
  public override get traffic(): ModelTraffic | undefined {
    return { ingress: [], metricsPorts: [TrafficPort.tcp(8080)] };
  }
  // ---- end of traffic ----

  /** The InferenceService. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KServeModelProps) {
    super(scope, id, { name: props.name, maxNameLength: 53, nameLengthReason: 'KServe names the predictor Deployment and Service NAME-predictor, at most 63' });
    this.checkFormat(props);
    const version = props.protocolVersion ?? KServeProtocolVersion.V2;
    check(Object.values(KServeProtocolVersion).includes(version), this, 'protocolVersion', version, 'must be KServeProtocolVersion.V1 or V2');
    const autoscaler = props.autoscalerClass ?? KServeAutoscalerClass.HPA;
    check(Object.values(KServeAutoscalerClass).includes(autoscaler), this, 'autoscalerClass', autoscaler,
      'must be KServeAutoscalerClass.HPA, KEDA, EXTERNAL or NONE');
    const [minReplicas, maxReplicas] = this.replicas(props, autoscaler);
    const modelName = this.modelNameOf(props);
    this.resource = new ApiObject(this, 'Resource', {
      ...InferenceService.GVK,
      metadata: {
        name: this.name,
        labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) },
        annotations: {
          'serving.kserve.io/deploymentMode': 'Standard',
          'serving.kserve.io/autoscalerClass': autoscaler,
        },
      },
      spec: { predictor: this.predictor(props, version, minReplicas, maxReplicas) },
    });
    const [protocol, requestPath] = this.api(props, version, modelName);
    this.serve({
      modelName,
      endpoint: this.serviceUrl(`${this.name}-predictor`),
      requestPath,
      protocol,
      podSelector: { 'serving.kserve.io/inferenceservice': this.name },
      podPort: 8080,
      // No metrics: KServe's runtimes serve /metrics on port 8080 but declare it unnamed, and a PodMonitor needs a port name.
      ...this.scaling(autoscaler, props),
    });
  }

  private checkFormat(props: KServeModelProps): void {
    // Untyped callers (issue 17 item 1): shapes first, so later reads never throw a TypeError.
    if (props.modelFormat !== undefined) check(props.modelFormat !== null && typeof props.modelFormat === 'object', this, 'modelFormat', props.modelFormat, 'must be an object ({ name, version })');
    stringProp(this, 'runtime', props.runtime);
    check(props.serviceAccountName === undefined || (typeof props.serviceAccountName === 'string' && isDns1123Subdomain(props.serviceAccountName)), this,
      'serviceAccountName', props.serviceAccountName, 'must be a ServiceAccount name (DNS-1123 subdomain)');
    objectProp(this, 'env', props.env);
    checkLabelMap(this, 'labels', props.labels);
    checkLabelMap(this, 'nodeSelector', props.nodeSelector);
    stringListProp(this, 'args', props.args, true);
    check(props.modelFormat !== undefined || props.runtime !== undefined, this, 'modelFormat', props.modelFormat,
      'or runtime must be set: KServe selects the serving runtime by them');
    if (props.modelFormat) {
      check(typeof props.modelFormat.name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(props.modelFormat.name), this,
        'modelFormat.name', props.modelFormat.name, 'must be a model format name such as sklearn, onnx, huggingface or vLLM');
    }
    if (props.storageUri !== undefined) {
      check(typeof props.storageUri === 'string', this, 'storageUri', props.storageUri, 'must be a string');
      check(SCHEMES.some((s) => props.storageUri!.startsWith(s) && props.storageUri!.length > s.length), this, 'storageUri', props.storageUri,
        `must start with one of ${SCHEMES.join(', ')}`);
    }
    requireLimits(this, 'resources', props.resources, 'model');
    if (props.image !== undefined) checkImage(this, 'image', props.image);
    if (props.openAIProtocol !== undefined) {
      check(props.modelFormat !== undefined && OPENAI_FORMATS[props.modelFormat.name] !== undefined, this, 'openAIProtocol', props.openAIProtocol?.id,
        'needs modelFormat huggingface or vLLM (only the Hugging Face and vLLM runtimes serve the OpenAI API)');
      check(props.openAIProtocol instanceof ModelProtocol && OPENAI_PATHS[props.openAIProtocol.id] !== undefined, this, 'openAIProtocol',
        props.openAIProtocol?.id, 'must be ModelProtocol.OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS');
    }
    check(!(props.env && 'KSERVE_OPENAI_ROUTE_PREFIX' in props.env), this, 'env', 'KSERVE_OPENAI_ROUTE_PREFIX',
      'is not supported: the construct derives the request path from the default /openai prefix');
  }

  private replicas(props: KServeModelProps, autoscaler: KServeAutoscalerClass): [number, number] {
    const minReplicas = props.minReplicas ?? 1;
    check(Number.isInteger(minReplicas) && minReplicas >= 0, this, 'minReplicas', props.minReplicas, 'must be a whole number of at least 0');
    if (minReplicas === 0) {
      check(autoscaler === KServeAutoscalerClass.EXTERNAL || autoscaler === KServeAutoscalerClass.KEDA, this, 'minReplicas', minReplicas,
        `cannot be 0 with autoscalerClass ${autoscaler} (KServe keeps at least 1 replica): use KServeAutoscalerClass.EXTERNAL for queue-driven scale to zero`);
    }
    const maxReplicas = props.maxReplicas ?? Math.max(minReplicas, 1);
    check(Number.isInteger(maxReplicas) && maxReplicas >= 1, this, 'maxReplicas', props.maxReplicas, 'must be a whole number of at least 1');
    check(minReplicas <= maxReplicas, this, 'minReplicas', minReplicas, `must not exceed maxReplicas (${maxReplicas})`);
    return [minReplicas, maxReplicas];
  }

  /**
   * The served model name: Triton names a model after its repository directory
   * (kserve/kserve config/runtimes/kserve-tritonserver.yaml @ v0.20.0), the Python, Hugging Face and
   * vLLM runtimes after the InferenceService (`--model_name={{.Name}}`, `--served-model-name={{.Name}}`).
   */
  private modelNameOf(props: KServeModelProps): string {
    const triton = (props.modelFormat !== undefined && TRITON_FORMATS.includes(props.modelFormat.name)) || props.runtime === TRITON_RUNTIME;
    if (props.modelName === undefined) {
      const by = props.runtime === TRITON_RUNTIME ? `runtime ${TRITON_RUNTIME}` : `modelFormat ${props.modelFormat?.name}`;
      check(!triton, this, 'modelName', props.modelName, `is required with ${by}: `
        + 'KServe serves it with Triton, which names the model after its directory in the model repository, not after the InferenceService');
      return this.name;
    }
    check(typeof props.modelName === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(props.modelName) && props.modelName.length <= 253, this,
      'modelName', props.modelName, 'must be a model name (letters, digits, ".", "_" and "-")');
    return props.modelName;
  }

  private predictor(props: KServeModelProps, version: KServeProtocolVersion, minReplicas: number, maxReplicas: number): any {
    const sec = props.security ?? {};
    const modelFormat = props.modelFormat
      ? { name: props.modelFormat.name, ...(props.modelFormat.version ? { version: props.modelFormat.version } : {}) }
      : undefined;
    const env = Object.entries(props.env ?? {}).map(([k, v]) => {
      check(ENV_NAME.test(k), this, 'env', k, 'is not a valid environment variable name');
      check(v instanceof EnvValue, this, `env.${k}`, v, 'must be an EnvValue (EnvValue.fromValue, fromSecret, fromConfigMap, fromFieldRef)');
      return v._toJson(k);
    });
    const tolerations = this.tolerations(props.tolerations);
    if (props.priorityClassName !== undefined) {
      check(typeof props.priorityClassName === 'string' && DNS1123_SUBDOMAIN.test(props.priorityClassName), this, 'priorityClassName',
        props.priorityClassName, 'must be a PriorityClass name (DNS-1123 subdomain)');
    }
    return {
      minReplicas,
      maxReplicas,
      ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
      ...(props.nodeSelector && Object.keys(props.nodeSelector).length ? { nodeSelector: { ...props.nodeSelector } } : {}),
      ...(tolerations.length ? { tolerations } : {}),
      ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
      securityContext: podSecurityContext(sec),
      model: {
        ...(modelFormat ? { modelFormat } : {}),
        ...(props.runtime ? { runtime: props.runtime } : {}),
        ...(props.image !== undefined ? { image: props.image } : {}),
        protocolVersion: version,
        ...(props.storageUri ? { storageUri: props.storageUri } : {}),
        ...(props.args?.length ? { args: [...props.args] } : {}),
        ...(env.length ? { env } : {}),
        resources: renderResources(this, 'resources', props.resources) ?? {},
        securityContext: containerSecurityContext(sec),
      },
    };
  }

  private tolerations(list: Toleration[] | undefined): any[] {
    return renderTolerations(this, 'tolerations', list);
  }

  private api(props: KServeModelProps, version: KServeProtocolVersion, modelName: string): [ModelProtocol, string] {
    const openAIPrefix = props.modelFormat ? OPENAI_FORMATS[props.modelFormat.name] : undefined;
    if (openAIPrefix !== undefined) {
      const protocol = props.openAIProtocol ?? ModelProtocol.OPENAI_CHAT;
      return [protocol, openAIPrefix + OPENAI_PATHS[protocol.id]];
    }
    if (version === KServeProtocolVersion.V1) return [ModelProtocol.KSERVE_V1, `/v1/models/${modelName}:predict`];
    return [ModelProtocol.OPEN_INFERENCE, `/v2/models/${modelName}/infer`];
  }

  private scaling(autoscaler: KServeAutoscalerClass, props: KServeModelProps): { scaleTarget?: ScaleTarget; noScaleTargetReason?: string } {
    if (autoscaler === KServeAutoscalerClass.EXTERNAL) {
      // SCL-4: the predictor's declared range bounds the queue scaler (and is its default).
      return {
        scaleTarget: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: `${this.name}-predictor`,
          supportsScaleToZero: true,
          ...(props.minReplicas !== undefined ? { minReplicas: props.minReplicas } : {}),
          ...(props.maxReplicas !== undefined ? { maxReplicas: props.maxReplicas } : {}),
        },
      };
    }
    const why = autoscaler === KServeAutoscalerClass.HPA ? 'its HPA blocks a KEDA ScaledObject'
      : autoscaler === KServeAutoscalerClass.KEDA ? 'its own ScaledObject has no queue triggers' : 'replicas are pinned to minReplicas';
    return {
      noScaleTargetReason: `KServe autoscalerClass "${autoscaler}" makes KServe manage the replicas of ${this.name}-predictor (${why}): `
        + 'set autoscalerClass to KServeAutoscalerClass.EXTERNAL for queue-driven scaling.',
    };
  }
}
