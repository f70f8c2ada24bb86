import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelServing, ModelTraffic } from './model-backend';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { k8s } from '../core/k8s';
import { checkLabelMap, listProp, stringListProp } from '../core/props';
import { NetworkPeer, TrafficPort } from '../core/traffic';
import { InferenceSetV1Beta1 } from '../imports/kaito-inferenceset-kaito.sh';
import { WorkspaceV1Beta1 } from '../imports/kaito-workspace-kaito.sh';

/**
 * The inference runtime of a KAITO preset (annotation `kaito.sh/runtime`).
 */
export enum KaitoRuntime {
  /** vLLM, KAITO's default runtime. */
  VLLM = 'vllm',
  /** Hugging Face transformers. */
  TRANSFORMERS = 'transformers',
}

/**
 * Run the model as a KAITO InferenceSet: a set of identical Workspaces with a `scale` subresource, so a
 * queue-driven scaler can change the number of model instances.
 */
export interface KaitoScalableOptions {
  /**
   * The initial number of model instances (Workspaces); KEDA owns it once bound.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The most GPU nodes the set may create (`spec.nodeCountLimit`).
   * @default - no limit
   */
  readonly nodeCountLimit?: number;
}

/**
 * A LoRA adapter of a KAITO model (`inference.adapters[]`): exactly one of `image` and `claimName`.
 */
export interface KaitoAdapter {
  /**
   * The adapter's name (`source.name`, a DNS-1123 subdomain, unique per model): KAITO names its puller
   * container and mount after it.
   */
  readonly name: string;
  /**
   * An image carrying the adapter in its `data` directory, pinned by tag or digest.
   * @default - none (then claimName)
   */
  readonly image?: string;
  /**
   * Secrets for pulling `image`.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * A PersistentVolumeClaim holding the adapter (`source.volumeSource`), mounted without a puller.
   * @default - none (then image)
   */
  readonly claimName?: string;
  /**
   * The default weight of the adapter, from 0 to 1 (`strength`, a string upstream).
   * @default - KAITO's (1.0)
   */
  readonly strength?: number;
}

/**
 * Props of a KaitoModel.
 */
export interface KaitoModelProps {
  /**
   * The Workspace (or InferenceSet) name, and the name of its Service.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The model: a legacy KAITO short name from the alias map (`KaitoModel.PRESET_ALIASES`, e.g.
   * `phi-4-mini-instruct`) or any Hugging Face `org/model` id whose architecture vLLM supports.
   */
  readonly preset: string;
  /**
   * The GPU node SKU KAITO provisions (e.g. `Standard_NC24ads_A100_v4`). Required unless
   * `bringYourOwnNodes`; must be unset with it.
   * @default - none (only valid with bringYourOwnNodes)
   */
  readonly instanceType?: string;
  /**
   * Run on existing GPU nodes carrying `labelSelector` instead of provisioning nodes.
   * @default false
   */
  readonly bringYourOwnNodes?: boolean;
  /**
   * Labels of the GPU nodes (`resource.labelSelector.matchLabels`, required by the CRD). With auto-provisioning
   * KAITO puts them on the new nodes; with your own nodes, the nodes must already carry them.
   * @default { apps: NAME }
   */
  readonly labelSelector?: { [key: string]: string };
  /**
   * GPU nodes per model instance (`resource.count`). Not available with `scalable` (KAITO sizes each
   * instance of a set itself). KAITO v1beta1 marks the field deprecated (to be removed upstream;
   * kaito-project/kaito `api/v1beta1/workspace_types.go` @ v0.12.0): KAITO derives the node count from
   * the model and the SKU.
   * @default - KAITO's (1)
   */
  readonly count?: number;
  /**
   * Existing nodes to prefer (`resource.preferredNodes`, Workspace only). KAITO v1beta1 marks the field
   * deprecated (kaito-project/kaito `api/v1beta1/workspace_types.go` @ v0.12.0).
   * @default - none
   */
  readonly preferredNodes?: string[];
  /**
   * A Secret holding the Hugging Face token under the key `HF_TOKEN`, for gated models
   * (`presetOptions.modelAccessSecret`).
   * @default - none
   */
  readonly modelAccessSecret?: string;
  /**
   * Not supported: KAITO v0.12 never reads `presetOptions.image`, `presetOptions.imagePullSecrets` or
   * `accessMode: private` (kaito-project/kaito `pkg/workspace/inference/preset_inferences.go` @ v0.12.0
   * collects only adapter pull secrets and always runs its base image), so the pods would still download
   * the weights from Hugging Face. Setting it throws; use `localWeights` for offline serving.
   * @deprecated KAITO v0.12 ignores it; use `localWeights`.
   * @default - none
   */
  readonly presetImage?: string;
  /**
   * Not supported, like `presetImage`: setting it throws.
   * @deprecated KAITO v0.12 ignores it; use `localWeights`.
   * @default - none
   */
  readonly presetImagePullSecrets?: string[];
  /**
   * Serve weights already on the GPU node instead of downloading them (annotation
   * `kaito.sh/use-local-weights: "true"`): KAITO mounts the node directory
   * `/opt/kaito/models/<preset in lower case, "/" as "-">` (see `localWeightsPath`) read-only and passes
   * it to vLLM as `--model`, with no download init container. The weights must be baked into the node
   * image or placed there by the platform. With it, and KAITO's base image mirrored (Helm value
   * `presetRegistryName`), a preset of KAITO's built-in catalog (every legacy short name is one) pulls
   * nothing from a public host; a Hugging Face id outside the catalog still makes the KAITO controller
   * read its metadata from huggingface.co. vLLM only (the transformers runtime ignores the annotation).
   * @see https://github.com/kaito-project/kaito/blob/v0.12.0/api/v1beta1/labels.go
   * @default false
   */
  readonly localWeights?: boolean;
  /**
   * Skip KAITO's post-load throughput benchmark (annotation `kaito.sh/disable-benchmark: "true"`), which
   * runs in the startup probe of vLLM presets and delays readiness by about a minute.
   * @default - true with `scalable` (instances start from zero on demand, and the benchmark lengthens
   * every cold start); otherwise KAITO's default (the benchmark runs)
   */
  readonly disableBenchmark?: boolean;
  /**
   * LoRA adapters served with the base model (`inference.adapters`), from an image or a PVC.
   * @default - none
   */
  readonly adapters?: KaitoAdapter[];
  /**
   * The inference runtime.
   * @default - KAITO's default (vLLM), no annotation
   */
  readonly runtime?: KaitoRuntime;
  /**
   * Make the model scalable: emit an InferenceSet (the scale target) instead of a Workspace.
   * @default - a single Workspace, without a scale target
   */
  readonly scalable?: KaitoScalableOptions;
  /**
   * Extra labels on the Workspace or InferenceSet.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const ALIASES: { [alias: string]: string } = {
  'phi-4': 'microsoft/phi-4',
  'phi-4-mini-instruct': 'microsoft/phi-4-mini-instruct',
  'llama-3.1-8b-instruct': 'meta-llama/llama-3.1-8b-instruct',
  'llama-3.3-70b-instruct': 'meta-llama/llama-3.3-70b-instruct',
  'deepseek-r1-distill-llama-8b': 'deepseek-ai/deepseek-r1-distill-llama-8b',
  'deepseek-r1-distill-qwen-14b': 'deepseek-ai/deepseek-r1-distill-qwen-14b',
  'deepseek-r1-0528': 'deepseek-ai/deepseek-r1-0528',
  'deepseek-v3-0324': 'deepseek-ai/deepseek-v3-0324',
  'phi-3-mini-4k-instruct': 'microsoft/phi-3-mini-4k-instruct',
  'phi-3-mini-128k-instruct': 'microsoft/phi-3-mini-128k-instruct',
  'phi-3-medium-4k-instruct': 'microsoft/phi-3-medium-4k-instruct',
  'phi-3-medium-128k-instruct': 'microsoft/phi-3-medium-128k-instruct',
  'phi-3.5-mini-instruct': 'microsoft/phi-3.5-mini-instruct',
  'qwen2.5-coder-7b-instruct': 'qwen/qwen2.5-coder-7b-instruct',
  'qwen2.5-coder-32b-instruct': 'qwen/qwen2.5-coder-32b-instruct',
  'gpt-oss-20b': 'openai/gpt-oss-20b',
  'gpt-oss-120b': 'openai/gpt-oss-120b',
  'gemma-3-4b-instruct': 'google/gemma-3-4b-it',
  'gemma-3-27b-instruct': 'google/gemma-3-27b-it',
  'mistral-7b': 'mistralai/mistral-7b-v0.3',
  'mistral-7b-instruct': 'mistralai/mistral-7b-instruct-v0.3',
  'ministral-3-3b-instruct': 'mistralai/ministral-3-3b-instruct-2512',
  'ministral-3-8b-instruct': 'mistralai/ministral-3-8b-instruct-2512',
  'ministral-3-14b-instruct': 'mistralai/ministral-3-14b-instruct-2512',
  'mistral-large-3-675b-instruct': 'mistralai/mistral-large-3-675b-instruct-2512',
};

const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
/** The inference container's port (named `http`); KAITO's Service maps port 80 to it. */
const INFERENCE_PORT = 5000;
/** The pod label KAITO sets on every pod of an InferenceSet's Workspaces. */
const CREATED_BY = 'inferenceset.kaito.sh/created-by';
/**
 * The StatefulSet pod-index label (Kubernetes >= 1.28): only pod 0 of an instance serves
 * (kaito-project/kaito pkg/workspace/manifests/manifests.go:431 @ v0.12.0).
 */
const POD_INDEX = 'apps.kubernetes.io/pod-index';
/** The node directory under which KAITO looks for local weights (kaito-project/kaito api/v1beta1/labels.go `LocalWeightsHostPathPrefix` @ v0.12.0). */
const LOCAL_WEIGHTS_PREFIX = '/opt/kaito/models';
type Labels = { [key: string]: string };

/** The pods that serve a set: pod 0 of each instance (kaito-project/kaito pkg/workspace/manifests/manifests.go:431 @ v0.12.0). */
function setSelector(name: string): Labels {
  return { [CREATED_BY]: name, [POD_INDEX]: '0' };
}
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A model served by KAITO (kaito.sh/v1beta1): a Workspace with a preset, or with `scalable` an
 * InferenceSet of such Workspaces. KAITO runs the OpenAI API (vLLM by default) on container port 5000.
 *
 * - Workspace: KAITO creates StatefulSet and Service `NAME` (port 80 to the pod `NAME-0`). A Workspace
 *   has no scale subresource, and scaling its StatefulSet adds no capacity (`count` is the number of
 *   nodes of one instance, and the Service reaches pod `-0` only).
 * - InferenceSet: KAITO creates Workspaces `NAME-xxxxx`, each with its own Service, and no Service for the
 *   set; this construct adds Service `NAME` (port 80 to 5000) selecting pod 0 of every instance of the
 *   set (`inferenceset.kaito.sh/created-by` and `apps.kubernetes.io/pod-index: "0"`, as KAITO's own
 *   InferencePool does), so workers of multi-node presets receive no traffic.
 *
 * Offline: KAITO pods download the weights from Hugging Face unless `localWeights` is set; the base
 * image comes from the KAITO chart's `presetRegistryName`, not from this construct.
 *
 * KAITO generates the pods (and their security context); this construct does not.
 *
 * @see https://kaito-project.github.io/kaito/docs/
 */
export class KaitoModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * Pods of one workspace talk among themselves (multi-node presets run Ray across the instance's pods:
   * kaito-project/kaito presets/workspace/inference/vllm/multi-node-health-check.py @ v0.12.0); every
   * port is open among pods of this workspace (of this InferenceSet's workspaces, with `scalable`).
   * vLLM serves `/metrics` on the inference port 5000.
   */
  public override get traffic(): ModelTraffic | undefined {
    const own: { [key: string]: string } = this.resource.kind === 'InferenceSet' ? { 'inferenceset.kaito.sh/created-by': this.resource.name } : { 'kaito.sh/workspace': this.resource.name };
    return {
      ingress: [{ peer: NetworkPeer.pods(this.namespace, own), description: 'KAITO multi-node instance: pods of one workspace' }],
      metricsPorts: [TrafficPort.tcp(5000)],
    };
  }
  // ---- end of traffic ----

  /** The legacy short preset names KAITO rewrites to Hugging Face ids (kaito-project/kaito `LegacyBuiltinToCatalog`). */
  public static readonly PRESET_ALIASES: { [alias: string]: string } = { ...ALIASES };

  /** The Hugging Face id the preset resolves to. */
  public readonly modelId: string;
  /** The node directory KAITO mounts as the weights with `localWeights`, e.g. `/opt/kaito/models/phi-4`. */
  public readonly localWeightsPath?: string;
  /** The Workspace or InferenceSet. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KaitoModelProps) {
    // KAITO names the StatefulSet after the Workspace (pkg/workspace/manifests/manifests.go @ v0.12.0), and the StatefulSet
    // controller labels its pods `controller-revision-hash: <name>-<hash of up to 10 characters>`, a label value of at most 63
    // (kubernetes/kubernetes pkg/controller/history/controller_history.go ControllerRevisionName; kubernetes/kubernetes#64023);
    // children of a set are named `<set>-<5 characters>`.
    super(scope, id, {
      name: props.name,
      maxNameLength: props?.scalable === undefined ? 52 : 46,
      nameLengthReason: props?.scalable === undefined
        ? 'KAITO names the StatefulSet after the Workspace, and its pods\' controller-revision-hash label <name>-<hash> must fit in 63'
        : 'the set\'s Workspaces are <name>-xxxxx, and the pods\' controller-revision-hash label <workspace>-<hash> must fit in 63',
    });
    checkLabelMap(this, 'labels', props.labels);
    // Untyped callers (issue 17 item 1): shapes first, so later reads never throw a TypeError.
    if (props.scalable !== undefined) check(props.scalable !== null && typeof props.scalable === 'object' && !Array.isArray(props.scalable), this, 'scalable', props.scalable, 'must be an object (e.g. { replicas: 2 })');
    stringListProp(this, 'preferredNodes', props.preferredNodes);
    listProp(this, 'adapters', props.adapters);
    check(props.modelAccessSecret === undefined || typeof props.modelAccessSecret === 'string', this, 'modelAccessSecret', props.modelAccessSecret, 'must be a Secret name (DNS-1123 subdomain)');
    this.modelId = this.resolvePreset(props.preset);
    this.checkNodes(props);
    this.checkInference(props);
    const matchLabels = this.nodeLabels(props, this.name);
    const annotations = this.annotations(props);
    const labels = { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) };
    const inference = this.inference(props);
    if (props.localWeights) this.localWeightsPath = `${LOCAL_WEIGHTS_PREFIX}/${props.preset.trim().toLowerCase().replace(/[/\\]/g, '-')}`;
    if (props.scalable === undefined) {
      this.resource = this.workspace(this.name, labels, annotations, matchLabels, props, inference);
    } else {
      this.resource = this.inferenceSet(this.name, labels, annotations, matchLabels, props, inference);
      this.setService(this.name, labels);
    }
    this.serve(this.servingOf(props));
  }

  /**
   * How bindings reach the model: Service `NAME` port 80 to container port `http` 5000, which also serves
   * `/metrics`.
   */
  private servingOf(props: KaitoModelProps): ModelServing {
    const common = {
      endpoint: this.serviceUrl(this.name, 80),
      requestPath: '/v1/chat/completions',
      protocol: ModelProtocol.OPENAI_CHAT,
      podPort: INFERENCE_PORT,
      metrics: { portName: 'http', path: '/metrics' },
    };
    // The transformers runtime serves the Hugging Face id: KAITO sets a served name for vLLM only
    // (kaito-project/kaito pkg/model/interface.go buildHuggingfaceInferenceCommand @ v0.12.0).
    const transformers = props.runtime === KaitoRuntime.TRANSFORMERS;
    if (props.scalable === undefined) {
      return {
        ...common,
        // vLLM serves the last segment of the Hugging Face id, in lower case (presets/workspace/generator/generator.go:718).
        modelName: transformers ? this.modelId : this.modelId.split('/').pop()!.toLowerCase(),
        podSelector: { 'kaito.sh/workspace': this.name },
        noScaleTargetReason: 'A KAITO Workspace has no scale subresource, and scaling its StatefulSet adds no capacity '
          + '(replicas are the GPU nodes of one instance, and the Service reaches pod -0 only): set scalable to run an InferenceSet.',
      };
    }
    return {
      ...common,
      // vLLM children of a set serve the model under the set's name (pkg/model/interface.go:404-411); transformers the HF id.
      modelName: transformers ? this.modelId : this.name,
      podSelector: setSelector(this.name),
      // SCL-4: `scalable.replicas`, when given, is the most the queue scaler runs (and its default).
      scaleTarget: {
        apiVersion: InferenceSetV1Beta1.GVK.apiVersion,
        kind: 'InferenceSet',
        name: this.name,
        supportsScaleToZero: true,
        ...(props.scalable.replicas ? { maxReplicas: props.scalable.replicas } : {}),
      },
    };
  }

  /** The Hugging Face id of a preset: KAITO lower-cases a name before the alias lookup (pkg/utils/plugin/plugin.go IsValidPreset). */
  private resolvePreset(preset: string): string {
    const alias = typeof preset === 'string' ? ALIASES[preset.toLowerCase()] : undefined;
    check(typeof preset === 'string' && (alias !== undefined || HF_ID.test(preset)), this, 'preset', preset,
      `must be a Hugging Face id (org/model) or one of KAITO's legacy preset names (${Object.keys(ALIASES).join(', ')}); ` +
      'other short names fail with "model is not registered"');
    return alias ?? preset;
  }

  private checkNodes(props: KaitoModelProps): void {
    if (props.bringYourOwnNodes ?? false) {
      check(props.instanceType === undefined || props.instanceType === '', this, 'instanceType', props.instanceType,
        'must be unset with bringYourOwnNodes: KAITO provisions no nodes and selects existing ones by labelSelector');
    } else {
      check(typeof props.instanceType === 'string' && props.instanceType.length > 0, this, 'instanceType', props.instanceType,
        'is required for node auto-provisioning: set a GPU SKU, or bringYourOwnNodes with labelSelector');
    }
    if (props.count !== undefined) {
      check(Number.isInteger(props.count) && props.count >= 1, this, 'count', props.count, 'must be a whole number of GPU nodes of at least 1');
      check(props.scalable === undefined, this, 'count', props.count,
        'is not available with scalable: an InferenceSet template has no count (KAITO sizes each instance), scale instances with scalable.replicas');
    }
    if (props.preferredNodes !== undefined) {
      check(props.scalable === undefined, this, 'preferredNodes', props.preferredNodes, 'is not available with scalable (InferenceSet templates have no preferredNodes)');
    }
  }

  private checkInference(props: KaitoModelProps): void {
    if (props.runtime !== undefined) {
      check(Object.values(KaitoRuntime).includes(props.runtime), this, 'runtime', props.runtime, 'must be KaitoRuntime.VLLM or KaitoRuntime.TRANSFORMERS');
    }
    if (props.modelAccessSecret !== undefined) {
      check(DNS1123_SUBDOMAIN.test(props.modelAccessSecret) && props.modelAccessSecret.length <= 253, this,
        'modelAccessSecret', props.modelAccessSecret, 'must be a Secret name (DNS-1123 subdomain)');
    }
    const dead = 'is never read by KAITO v0.12 (kaito-project/kaito pkg/workspace/inference/preset_inferences.go @ v0.12.0 '
      + 'runs its base image and collects only adapter pull secrets), so the pods would still download the weights from Hugging Face: '
      + 'set localWeights (weights on the node under /opt/kaito/models) and mirror the base image with the KAITO chart value presetRegistryName';
    check(props.presetImage === undefined, this, 'presetImage', props.presetImage, dead);
    check(props.presetImagePullSecrets === undefined, this, 'presetImagePullSecrets', props.presetImagePullSecrets, dead);
    if (props.localWeights) {
      check(props.runtime !== KaitoRuntime.TRANSFORMERS, this, 'localWeights', props.localWeights,
        'needs the vLLM runtime: KAITO passes the local weights path to vLLM only (kaito-project/kaito pkg/model/interface.go @ v0.12.0), '
        + 'the transformers runtime still downloads from Hugging Face');
    }
  }

  private nodeLabels(props: KaitoModelProps, name: string): { [key: string]: string } {
    const matchLabels = props.labelSelector ?? { apps: name };
    check(Object.keys(matchLabels).length > 0, this, 'labelSelector', matchLabels, 'must have at least one label (KAITO requires a node selector)');
    for (const [k, v] of Object.entries(matchLabels)) {
      check(LABEL_KEY.test(k), this, 'labelSelector', k, 'is not a valid label key');
      check(typeof v === 'string' && LABEL_VALUE.test(v), this, `labelSelector["${k}"]`, v, 'is not a valid label value (at most 63 characters)');
    }
    return { ...matchLabels };
  }

  /** The Workspace annotations KAITO reads (api/v1beta1/labels.go @ v0.12.0). */
  private annotations(props: KaitoModelProps): { [key: string]: string } | undefined {
    const disableBenchmark = props.disableBenchmark ?? (props.scalable !== undefined);
    const a: { [key: string]: string } = {
      ...(disableBenchmark ? { 'kaito.sh/disable-benchmark': 'true' } : {}),
      ...(props.runtime ? { 'kaito.sh/runtime': props.runtime } : {}),
      ...(props.localWeights ? { 'kaito.sh/use-local-weights': 'true' } : {}),
    };
    return Object.keys(a).length ? a : undefined;
  }

  private inference(props: KaitoModelProps): any {
    const preset = {
      name: props.preset,
      ...(props.modelAccessSecret ? { presetOptions: { modelAccessSecret: props.modelAccessSecret } } : {}),
    };
    const adapters = (props.adapters ?? []).map((a, i) => this.adapter(a, i));
    const names = adapters.map((a) => a.source.name);
    names.forEach((n, i) => check(names.indexOf(n) === i, this, `adapters[${i}].name`, n,
      'must be unique (KAITO rejects duplicate adapter names, api/v1beta1/workspace_validation.go @ v0.12.0)'));
    return { preset, ...(adapters.length ? { adapters } : {}) };
  }

  /** One adapter, checked as KAITO's webhook does (api/v1beta1/workspace_validation.go validateCreateorUpdate @ v0.12.0). */
  private adapter(a: KaitoAdapter, i: number): any {
    const f = `adapters[${i}]`;
    check(typeof a?.name === 'string' && DNS1123_SUBDOMAIN.test(a.name) && a.name.length <= 253, this, `${f}.name`, a?.name,
      'must be a DNS-1123 subdomain (KAITO names a container after it)');
    check((a.image === undefined) !== (a.claimName === undefined), this, f, { image: a.image, claimName: a.claimName },
      'must set exactly one of image and claimName (KAITO accepts an image or a volume, not URLs)');
    if (a.image !== undefined) checkImage(this, `${f}.image`, a.image);
    check(a.imagePullSecrets === undefined || a.image !== undefined, this, `${f}.imagePullSecrets`, a.imagePullSecrets, 'needs image');
    if (a.claimName !== undefined) {
      check(DNS1123_SUBDOMAIN.test(a.claimName), this, `${f}.claimName`, a.claimName, 'must be a PersistentVolumeClaim name');
    }
    if (a.strength !== undefined) {
      check(typeof a.strength === 'number' && a.strength >= 0 && a.strength <= 1, this, `${f}.strength`, a.strength, 'must be between 0 and 1');
    }
    return {
      source: {
        name: a.name,
        ...(a.image !== undefined ? { image: a.image } : {}),
        ...(a.imagePullSecrets?.length ? { imagePullSecrets: [...a.imagePullSecrets] } : {}),
        ...(a.claimName !== undefined ? { volumeSource: { persistentVolumeClaim: { claimName: a.claimName, readOnly: true } } } : {}),
      },
      ...(a.strength !== undefined ? { strength: String(a.strength) } : {}),
    };
  }

  private workspace(name: string, labels: Labels, annotations: Labels | undefined, matchLabels: Labels, props: KaitoModelProps, inference: any): ApiObject {
    return new ApiObject(this, 'Resource', {
      ...WorkspaceV1Beta1.GVK,
      metadata: { name, labels, ...(annotations ? { annotations } : {}) },
      resource: {
        ...((props.bringYourOwnNodes ?? false) ? {} : { instanceType: props.instanceType }),
        ...(props.count !== undefined ? { count: props.count } : {}),
        labelSelector: { matchLabels },
        ...(props.preferredNodes?.length ? { preferredNodes: [...props.preferredNodes] } : {}),
      },
      inference,
    });
  }

  /**
   * The InferenceSet. KAITO copies `spec.template.metadata.annotations` to each child Workspace and reads
   * `kaito.sh/disable-benchmark` on the set itself (pkg/utils/inferenceset/inferenceset.go
   * NewWorkspaceForInferenceSet @ v0.12.0), so the annotations go on both.
   */
  private inferenceSet(name: string, labels: Labels, annotations: Labels | undefined, matchLabels: Labels, props: KaitoModelProps, inference: any): ApiObject {
    const s = props.scalable!;
    const replicas = s.replicas ?? 1;
    check(Number.isInteger(replicas) && replicas >= 0, this, 'scalable.replicas', s.replicas, 'must be a whole number of at least 0');
    if (s.nodeCountLimit !== undefined) {
      check(Number.isInteger(s.nodeCountLimit) && s.nodeCountLimit >= 1, this, 'scalable.nodeCountLimit', s.nodeCountLimit, 'must be a whole number of at least 1');
    }
    // The set's name becomes the prefix of `NAME-xxxxx` Workspaces, each a DNS-1123 label.
    return new ApiObject(this, 'Resource', {
      ...InferenceSetV1Beta1.GVK,
      metadata: { name, labels, ...(annotations ? { annotations } : {}) },
      spec: {
        replicas,
        labelSelector: { matchLabels },
        ...(s.nodeCountLimit !== undefined ? { nodeCountLimit: s.nodeCountLimit } : {}),
        template: {
          ...(annotations ? { metadata: { annotations } } : {}),
          resource: (props.bringYourOwnNodes ?? false) ? {} : { instanceType: props.instanceType },
          inference,
        },
      },
    });
  }

  /** The set's Service: pod 0 of each instance only, like KAITO's InferencePool (pkg/workspace/manifests/manifests.go:431 @ v0.12.0). */
  private setService(name: string, labels: Labels): void {
    new ApiObject(this, 'Service', {
      ...k8s.KubeService.GVK,
      metadata: { name, labels },
      spec: {
        type: 'ClusterIP',
        selector: setSelector(name),
        ports: [{ name: 'http', port: 80, targetPort: INFERENCE_PORT, protocol: 'TCP' }],
      },
    });
  }
}
