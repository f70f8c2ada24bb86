import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic, ScaleTarget } from './model-backend';
import { check } from '../core/errors';
import { checkDnsLabel } from '../core/names';
import { checkLabelMap, listProp, stringProp } from '../core/props';
import { isQuantity } from '../core/quantity';
import { NetworkPeer, TrafficPort } from '../core/traffic';
import { Model } from '../imports/seldon-model-mlops.seldon.io';

/**
 * Props of a SeldonModel.
 */
export interface SeldonModelProps {
  /**
   * The Model name: the name in `/v2/models/NAME/infer` and in the `Seldon-Model` header.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Where the model artifact is (`spec.storageUri`), fetched by the Server's rclone sidecar:
   * `gs://`, `s3://`, `azureblob://`, `https://`, or any other rclone remote configured in a Seldon storage
   * secret (`<remote>://path`).
   * @see https://docs.seldon.ai/seldon-core-2/user-guide/kubernetes/storage-secrets
   */
  readonly storageUri: string;
  /**
   * Capabilities a Server must offer to load the model (`spec.requirements`), e.g. `sklearn`, `xgboost`,
   * `huggingface`, `mlflow`.
   * @default - none (any Server, or the one named by `server`)
   */
  readonly requirements?: string[];
  /**
   * The Server (`mlops.seldon.io/v1alpha1`) to load the model on (`spec.server`).
   * @default - Seldon's scheduler picks a Server whose capabilities match `requirements`
   */
  readonly server?: string;
  /**
   * The initial number of model replicas (`spec.replicas`). With externalScaling, KEDA owns it once bound.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The fewest replicas for Seldon's own lag-based autoscaling (`spec.minReplicas`). Only with
   * `externalScaling: false`: Seldon's docs require Model min/max to stay unset when an external autoscaler
   * drives the Model's scale subresource.
   * @default - unset
   */
  readonly minReplicas?: number;
  /**
   * The most replicas for Seldon's own lag-based autoscaling (`spec.maxReplicas`). Only with
   * `externalScaling: false`.
   * @default - unset
   */
  readonly maxReplicas?: number;
  /**
   * Memory the model needs on a Server (`spec.memory`), a Kubernetes quantity such as `1Gi`; the scheduler
   * uses it to place the model.
   * @default - Seldon's default
   */
  readonly memory?: string;
  /**
   * Let an external autoscaler (the KEDA ScaledObject of an AsyncModel binding) drive the Model through its
   * `scale` subresource: then minReplicas/maxReplicas must stay unset, and the construct offers a scale
   * target. Set false to use Seldon's native scaling instead (no scale target).
   * @see https://docs.seldon.ai/seldon-core-2/user-guide/scaling/model-hpa-autoscaling
   * @default true
   */
  readonly externalScaling?: boolean;
  /**
   * The replicas of the Server the model loads on (with externalScaling). Seldon places at most one
   * replica of a model per Server replica; more model replicas than Server replicas fail with
   * `ScheduleFailed` (SeldonIO/seldon-core docs-gb/scaling/model-hpa-autoscaling.md @ v2.10.2). The
   * scaler's maximum defaults to it, and a larger `replicas` is refused.
   * @default - unknown: the binding's `modelScaling.maxReplicas` must not exceed the Server's replicas
   */
  readonly serverReplicas?: number;
  /**
   * The namespace of the SeldonRuntime whose `seldon-mesh` Service (Envoy) routes the requests. It must be
   * the Model's namespace: the AsyncModel binding opens its NetworkPolicies towards the mesh pods in the
   * backend's namespace, and its ScaledObject must sit beside the Model.
   * @default - the Model's namespace
   */
  readonly seldonMeshNamespace?: string;
  /**
   * Extra labels on the Model.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The Envoy container port (named `http`) behind `seldon-mesh` port 80. */
const ENVOY_PORT = 9000;
/** `app.kubernetes.io/name` of the Envoy pods, and the selector of the `seldon-mesh` Service. */
const ENVOY_NAME = 'seldon-envoy';
const STORAGE_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/;
const REQUIREMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * A Seldon Core v2 Model (mlops.seldon.io/v1alpha1), loaded onto a Server and reached through the
 * SeldonRuntime's `seldon-mesh` Service (Envoy, port 80) with the Open Inference Protocol:
 * `POST /v2/models/NAME/infer` with header `Seldon-Model: NAME`.
 *
 * **Licence: Seldon Core v2 is under the Business Source License 1.1 since January 2024.** Production use
 * needs a commercial licence from Seldon (non-profit education excepted); each version becomes Apache-2.0
 * four years after its release. This construct only emits a Model resource; check your licence before
 * running Seldon Core v2 in production.
 *
 * Traffic: the bridge connects to the Envoy pods of `seldon-mesh` (`app.kubernetes.io/name: seldon-envoy`,
 * container port 9000), not to the Server pods: Envoy forwards to the Server's agent. So `podSelector` and
 * `podPort` name the mesh pods, which is what the binding's NetworkPolicies must allow; the Server's pods
 * (`seldon-server-name: SERVER`) are in `serverPodSelector`. Note that the binding's ingress policy then
 * restricts the mesh pods, which serve every Model of the namespace: allow other callers with
 * `allowModelIngressFromNamespaces`, or set `networkPolicy: false` on the binding.
 *
 * Scaling: with `externalScaling` (the default) the Model's `scale` subresource is the scale target, and
 * Model min/max stay unset as Seldon's HPA guide requires (KEDA on a Model is expected to work the same way,
 * not verified upstream). The Server must have capacity (enough Server replicas) for the model replicas.
 *
 * @see https://docs.seldon.ai/seldon-core-2
 * @see https://github.com/SeldonIO/seldon-core/blob/v2/LICENSE
 */
export class SeldonModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /**
   * `seldon-mesh` (Envoy, pod port 9000) is called by Seldon's own components of the runtime's
   * namespace: seldon-modelgateway and seldon-pipelinegateway (`--envoy-host=seldon-mesh --envoy-port=80`,
   * SeldonIO/seldon-core operator/config/seldonconfigs/default.yaml @ v2.10.2) and the Servers' agents
   * (`SELDON_ENVOY_HOST=seldon-mesh`, operator/config/serverconfigs/mlserver.yaml): every pod of the
   * namespace may reach Envoy on 9000. Envoy's stats are on 9003 (`envoy-stats`).
   */
  public override get traffic(): ModelTraffic | undefined {
    return {
      ingress: [{ peer: NetworkPeer.namespace(this.namespace), ports: [TrafficPort.tcp(9000)], description: 'Seldon modelgateway, pipelinegateway and Server agents -> seldon-mesh' }],
      metricsPorts: [TrafficPort.tcp(9003)],
    };
  }
  // ---- end of traffic ----

  /** The Server the model is pinned to, if any. */
  public readonly server?: string;
  /** Labels of the Server's pods (StatefulSet `SERVER`), when a server is named; Envoy forwards to them. */
  public readonly serverPodSelector?: { [key: string]: string };
  /** The Model. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: SeldonModelProps) {
    super(scope, id, { name: props.name, nameLengthReason: 'it names the Model' });
    const requirements = this.checkModel(props);
    const external = props.externalScaling ?? true;
    check(typeof external === 'boolean', this, 'externalScaling', external, 'must be true or false');
    const replicas = this.replicas(props, external);
    const meshNs = props.seldonMeshNamespace ?? this.namespace;
    checkDnsLabel(this, 'seldonMeshNamespace', meshNs, 63);
    check(meshNs === this.namespace, this, 'seldonMeshNamespace', meshNs,
      `must be the Model's namespace (${this.namespace}): the binding's NetworkPolicies reach the mesh pods in the backend's namespace, `
      + 'and Models are served by the SeldonRuntime of their own namespace');
    this.resource = new ApiObject(this, 'Resource', {
      ...Model.GVK,
      metadata: { name: this.name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) } },
      spec: {
        storageUri: props.storageUri,
        ...(requirements.length ? { requirements: [...requirements] } : {}),
        ...(props.server ? { server: props.server } : {}),
        replicas,
        ...(!external && props.minReplicas !== undefined ? { minReplicas: props.minReplicas } : {}),
        ...(!external && props.maxReplicas !== undefined ? { maxReplicas: props.maxReplicas } : {}),
        ...(props.memory !== undefined ? { memory: props.memory } : {}),
      },
    });
    this.server = props.server;
    this.serverPodSelector = props.server ? { 'seldon-server-name': props.server } : undefined;
    this.serve({
      modelName: this.name,
      endpoint: this.serviceUrl('seldon-mesh', 80),
      requestPath: `/v2/models/${this.name}/infer`,
      protocol: ModelProtocol.OPEN_INFERENCE,
      requestHeaders: { 'Seldon-Model': this.name },
      // The Envoy pods of `seldon-mesh` receive the bridge's traffic, on the container port behind port 80.
      podSelector: { 'app.kubernetes.io/name': ENVOY_NAME },
      podPort: ENVOY_PORT,
      // No metrics: Envoy's stats (port `envoy-admin`, 9003) and the Server's agent metrics cover every model of the runtime, not this one.
      ...this.scaling(props, external),
    });
  }

  /** Checks the Model's own fields; returns its requirements. */
  private checkModel(props: SeldonModelProps): string[] {
    check(typeof props.storageUri === 'string' && STORAGE_URI.test(props.storageUri), this, 'storageUri', props.storageUri,
      'must be a URI with an rclone remote scheme such as gs://, s3://, azureblob:// or https://');
    const requirements = listProp(this, 'requirements', props.requirements);
    requirements.forEach((r, i) => check(typeof r === 'string' && REQUIREMENT.test(r), this, `requirements[${i}]`, r,
      'must be a capability name such as sklearn or huggingface'));
    if (stringProp(this, 'server', props.server) !== undefined) {
      checkDnsLabel(this, 'server', props.server!, 63, 'a Server name');
    }
    if (props.memory !== undefined) {
      check(typeof props.memory === 'string' && isQuantity(props.memory), this, 'memory', props.memory, 'is not a Kubernetes quantity (e.g. 500Mi, 2Gi)');
    }
    checkLabelMap(this, 'labels', props.labels);
    return requirements;
  }

  /** The initial replicas; min/max only for Seldon's own scaling (Seldon's HPA guide wants them unset under an external scaler). */
  private replicas(props: SeldonModelProps, external: boolean): number {
    const replicas = props.replicas ?? 1;
    check(Number.isInteger(replicas) && replicas >= 0, this, 'replicas', props.replicas, 'must be a whole number of at least 0');
    if (props.serverReplicas !== undefined) {
      check(external, this, 'serverReplicas', props.serverReplicas, 'is only used with externalScaling (it bounds the external scaler)');
      check(Number.isInteger(props.serverReplicas) && props.serverReplicas >= 1, this, 'serverReplicas', props.serverReplicas, 'must be a whole number of at least 1');
      check(replicas <= props.serverReplicas, this, 'replicas', replicas,
        `must not exceed serverReplicas (${props.serverReplicas}): Seldon loads at most one replica of a model per Server replica`);
    }
    if (external) {
      for (const f of ['minReplicas', 'maxReplicas'] as const) {
        check(props[f] === undefined, this, f, props[f],
          'must be unset with externalScaling (the default): Seldon requires Model min/max unset when an external autoscaler drives the Model; '
          + 'set the replica range on the binding (modelScaling), or set externalScaling to false for Seldon\'s own scaling');
      }
      return replicas;
    }
    if (props.minReplicas !== undefined) {
      check(Number.isInteger(props.minReplicas) && props.minReplicas >= 0, this, 'minReplicas', props.minReplicas, 'must be a whole number of at least 0');
    }
    if (props.maxReplicas !== undefined) {
      check(Number.isInteger(props.maxReplicas) && props.maxReplicas >= 1, this, 'maxReplicas', props.maxReplicas, 'must be a whole number of at least 1');
    }
    if (props.minReplicas !== undefined && props.maxReplicas !== undefined) {
      check(props.minReplicas <= props.maxReplicas, this, 'minReplicas', props.minReplicas, `must not exceed maxReplicas (${props.maxReplicas})`);
    }
    if (props.minReplicas !== undefined) {
      check(replicas >= props.minReplicas, this, 'replicas', replicas, `must not be below minReplicas (${props.minReplicas})`);
    }
    if (props.maxReplicas !== undefined) {
      check(replicas <= props.maxReplicas, this, 'replicas', replicas, `must not exceed maxReplicas (${props.maxReplicas})`);
    }
    return replicas;
  }

  private scaling(props: SeldonModelProps, external: boolean): { scaleTarget?: ScaleTarget; noScaleTargetReason?: string } {
    if (!external) {
      return {
        noScaleTargetReason: `Model ${this.name} uses Seldon's own lag-based scaling (externalScaling is false), which an external autoscaler `
          + 'would fight: set externalScaling to true (and leave minReplicas/maxReplicas unset) for queue-driven scaling.',
      };
    }
    // SEL-2: KEDA beyond the Server's replicas leaves model replicas ScheduleFailed (docs-gb/scaling/model-hpa-autoscaling.md:59 @ v2.10.2).
    return {
      scaleTarget: {
        apiVersion: Model.GVK.apiVersion,
        kind: Model.GVK.kind,
        name: this.name,
        supportsScaleToZero: false,
        ...(props.serverReplicas !== undefined ? { maxReplicas: props.serverReplicas } : {}),
      },
    };
  }
}
