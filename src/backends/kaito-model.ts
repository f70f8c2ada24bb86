import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IModelBackend, MetricsEndpoint, ModelProtocol, ScaleTarget } from './model-backend';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { k8s } from '../core/k8s';
import { objectName } from '../core/names';
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
   * instance of a set itself).
   * @default - KAITO's (1)
   */
  readonly count?: number;
  /**
   * Existing nodes to prefer (`resource.preferredNodes`, Workspace only).
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
   * A private preset image that carries the model weights (`accessMode: private`,
   * `presetOptions.image`), e.g. mirrored into an air-gapped registry: the pods then download nothing from
   * a model hub. KAITO v1beta1 marks these fields deprecated but still serves them (v0.12).
   * @default - KAITO's public preset, weights downloaded at start
   */
  readonly presetImage?: string;
  /**
   * Secrets for pulling presetImage.
   * @default - none
   */
  readonly presetImagePullSecrets?: string[];
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
 * A model served by KAITO (kaito.sh/v1beta1): a Workspace with a preset, or with `scalable` an
 * InferenceSet of such Workspaces. KAITO runs the OpenAI API (vLLM by default) on container port 5000.
 *
 * - Workspace: KAITO creates StatefulSet and Service `NAME` (port 80 to the pod `NAME-0`). A Workspace
 *   has no scale subresource, and scaling its StatefulSet adds no capacity (`count` is the number of
 *   nodes of one instance, and the Service reaches pod `-0` only).
 * - InferenceSet: KAITO creates Workspaces `NAME-xxxxx`, each with its own Service, and no Service for the
 *   set; this construct adds Service `NAME` (port 80 to 5000) selecting every pod of the set by
 *   `inferenceset.kaito.sh/created-by`. That assumes single-node instances (the usual case): for
 *   multi-node presets the worker pods would receive traffic too; use KAITO's Gateway API Inference
 *   Extension gate instead.
 *
 * KAITO generates the pods (and their security context); this construct does not.
 *
 * @see https://kaito-project.github.io/kaito/docs/
 */
export class KaitoModel extends Construct implements IModelBackend {
  /** The legacy short preset names KAITO rewrites to Hugging Face ids (kaito-project/kaito `LegacyBuiltinToCatalog`). */
  public static readonly PRESET_ALIASES: { [alias: string]: string } = { ...ALIASES };

  public readonly modelName: string;
  public readonly endpoint: string;
  public readonly requestPath: string = '/v1/chat/completions';
  public readonly protocol: ModelProtocol = ModelProtocol.OPENAI_CHAT;
  public readonly namespace: string;
  public readonly podSelector: { [key: string]: string };
  public readonly podPort: number = INFERENCE_PORT;
  public readonly requestHeaders: { [key: string]: string } = {};
  public readonly scaleTarget?: ScaleTarget;
  public readonly noScaleTargetReason?: string;
  public readonly metrics?: MetricsEndpoint;
  /** The Hugging Face id the preset resolves to. */
  public readonly modelId: string;
  /** The Workspace or InferenceSet. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KaitoModelProps) {
    super(scope, id);
    const name = objectName(this, props.name);
    const byo = props.bringYourOwnNodes ?? false;

    check(typeof props.preset === 'string' && (ALIASES[props.preset] !== undefined || HF_ID.test(props.preset)), this, 'preset', props.preset,
      `must be a Hugging Face id (org/model) or one of KAITO's legacy preset names (${Object.keys(ALIASES).join(', ')}); ` +
      'other short names fail with "model is not registered"');
    this.modelId = ALIASES[props.preset] ?? props.preset;

    if (byo) {
      check(props.instanceType === undefined || props.instanceType === '', this, 'instanceType', props.instanceType,
        'must be unset with bringYourOwnNodes: KAITO provisions no nodes and selects existing ones by labelSelector');
    } else {
      check(typeof props.instanceType === 'string' && props.instanceType.length > 0, this, 'instanceType', props.instanceType,
        'is required for node auto-provisioning: set a GPU SKU, or bringYourOwnNodes with labelSelector');
    }
    const matchLabels = props.labelSelector ?? { apps: name };
    check(Object.keys(matchLabels).length > 0, this, 'labelSelector', matchLabels, 'must have at least one label (KAITO requires a node selector)');
    for (const [k, v] of Object.entries(matchLabels)) {
      check(LABEL_KEY.test(k), this, 'labelSelector', k, 'is not a valid label key');
      check(typeof v === 'string' && LABEL_VALUE.test(v), this, `labelSelector["${k}"]`, v, 'is not a valid label value (at most 63 characters)');
    }
    if (props.count !== undefined) {
      check(Number.isInteger(props.count) && props.count >= 1, this, 'count', props.count, 'must be a whole number of GPU nodes of at least 1');
      check(props.scalable === undefined, this, 'count', props.count,
        'is not available with scalable: an InferenceSet template has no count (KAITO sizes each instance), scale instances with scalable.replicas');
    }
    if (props.preferredNodes !== undefined) {
      check(props.scalable === undefined, this, 'preferredNodes', props.preferredNodes, 'is not available with scalable (InferenceSet templates have no preferredNodes)');
    }
    if (props.runtime !== undefined) {
      check(Object.values(KaitoRuntime).includes(props.runtime), this, 'runtime', props.runtime, 'must be KaitoRuntime.VLLM or KaitoRuntime.TRANSFORMERS');
    }
    if (props.modelAccessSecret !== undefined) {
      check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.modelAccessSecret) && props.modelAccessSecret.length <= 253, this,
        'modelAccessSecret', props.modelAccessSecret, 'must be a Secret name (DNS-1123 subdomain)');
    }

    const annotations = props.runtime ? { 'kaito.sh/runtime': props.runtime } : undefined;
    const labels = { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) };
    if (props.presetImage !== undefined) checkImage(this, 'presetImage', props.presetImage);
    check(props.presetImagePullSecrets === undefined || props.presetImage !== undefined, this, 'presetImagePullSecrets', props.presetImagePullSecrets,
      'needs presetImage (the pull secrets are for the private preset image)');
    const presetOptions = {
      ...(props.modelAccessSecret ? { modelAccessSecret: props.modelAccessSecret } : {}),
      ...(props.presetImage ? { image: props.presetImage } : {}),
      ...(props.presetImagePullSecrets?.length ? { imagePullSecrets: [...props.presetImagePullSecrets] } : {}),
    };
    const preset = {
      name: props.preset,
      ...(props.presetImage ? { accessMode: 'private' } : {}),
      ...(Object.keys(presetOptions).length ? { presetOptions } : {}),
    };
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.endpoint = `http://${name}.${this.namespace}.svc.cluster.local:80`;
    // The inference container declares port `http` (5000), which serves /metrics.
    this.metrics = { portName: 'http', path: '/metrics' };

    if (props.scalable === undefined) {
      this.resource = new ApiObject(this, 'Resource', {
        ...WorkspaceV1Beta1.GVK,
        metadata: { name, labels, ...(annotations ? { annotations } : {}) },
        resource: {
          ...(byo ? {} : { instanceType: props.instanceType }),
          ...(props.count !== undefined ? { count: props.count } : {}),
          labelSelector: { matchLabels: { ...matchLabels } },
          ...(props.preferredNodes?.length ? { preferredNodes: [...props.preferredNodes] } : {}),
        },
        inference: { preset },
      });
      // KAITO names the model after the last segment of the Hugging Face id, in lower case.
      this.modelName = this.modelId.split('/').pop()!.toLowerCase();
      this.podSelector = { 'kaito.sh/workspace': name };
      this.noScaleTargetReason = 'A KAITO Workspace has no scale subresource, and scaling its StatefulSet adds no capacity '
        + '(replicas are the GPU nodes of one instance, and the Service reaches pod -0 only): set scalable to run an InferenceSet.';
    } else {
      const s = props.scalable;
      const replicas = s.replicas ?? 1;
      check(Number.isInteger(replicas) && replicas >= 0, this, 'scalable.replicas', s.replicas, 'must be a whole number of at least 0');
      if (s.nodeCountLimit !== undefined) {
        check(Number.isInteger(s.nodeCountLimit) && s.nodeCountLimit >= 1, this, 'scalable.nodeCountLimit', s.nodeCountLimit, 'must be a whole number of at least 1');
      }
      // The set's name becomes the prefix of `NAME-xxxxx` Workspaces, each a DNS-1123 label.
      this.resource = new ApiObject(this, 'Resource', {
        ...InferenceSetV1Beta1.GVK,
        metadata: { name, labels, ...(annotations ? { annotations } : {}) },
        spec: {
          replicas,
          labelSelector: { matchLabels: { ...matchLabels } },
          ...(s.nodeCountLimit !== undefined ? { nodeCountLimit: s.nodeCountLimit } : {}),
          template: {
            ...(annotations ? { metadata: { annotations } } : {}),
            resource: byo ? {} : { instanceType: props.instanceType },
            inference: { preset },
          },
        },
      });
      new ApiObject(this, 'Service', {
        ...k8s.KubeService.GVK,
        metadata: { name, labels },
        spec: {
          type: 'ClusterIP',
          selector: { [CREATED_BY]: name },
          ports: [{ name: 'http', port: 80, targetPort: INFERENCE_PORT, protocol: 'TCP' }],
        },
      });
      // Children of a set serve the model under the set's name.
      this.modelName = name;
      this.podSelector = { [CREATED_BY]: name };
      this.scaleTarget = { apiVersion: InferenceSetV1Beta1.GVK.apiVersion, kind: 'InferenceSet', name, supportsScaleToZero: true };
    }
  }
}
