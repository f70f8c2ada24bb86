import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelBackend, ModelProtocol, ModelTraffic } from './model-backend';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { isDns1123Subdomain } from '../core/names';
import { renderTolerations, Toleration } from '../core/pod';
import { checkLabelMap, objectProp } from '../core/props';
import { parseQuantity } from '../core/quantity';
import { renderResources, requireLimits, ResourceRequirements } from '../core/resources';
import { TrafficPort } from '../core/traffic';
import { BentoDeploymentV2Alpha1 } from '../imports/yatai-bentodeployment-serving.yatai.ai';

/**
 * The replica range of the HPA yatai-deployment creates for a BentoDeployment (`spec.autoscaling`).
 */
export interface BentoAutoscaling {
  /**
   * The fewest API server replicas.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * The most API server replicas.
   * @default - minReplicas
   */
  readonly maxReplicas?: number;
}

/**
 * Props of a BentoModel.
 */
export interface BentoModelProps {
  /**
   * The BentoDeployment name, which is also the name of its Deployment, Service and HPA.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The name of a `Bento` custom resource (resources.yatai.ai/v1alpha1) in the same namespace (`spec.bento`).
   */
  readonly bento: string;
  /**
   * The BentoML API the bridge calls, e.g. `summarize`: requests go to `POST /summarize` with a JSON object
   * keyed by the API's parameter names.
   */
  readonly apiMethod: string;
  /**
   * Resources of the API server (`spec.resources`, container `main`). Required: model servers get no
   * invented defaults. `cpu.limit` and `memory.limit` are required too (or `allowNoLimits: true`, which
   * policy ASYA-RES-001 does not see: the BentoDeployment carries no pod template): yatai-deployment fills
   * every missing key with its own default, limits 500m / 1Gi and requests 300m / 500Mi
   * (bentoml/yatai-deployment controllers/bentodeployment_controller.go `getResourcesConfig` @ v1.1.21),
   * so a request above 500m or 1Gi without a limit, or a limit below 300m or 500Mi without a request,
   * makes a pod template Kubernetes refuses. An unset cpu or memory request is therefore rendered
   * equal to its limit (what Kubernetes does for a container without requests).
   * GPUs must be `nvidia.com/gpu` (the CRD's `gpu` field); ephemeral storage is not supported.
   */
  readonly resources: ResourceRequirements;
  /**
   * Environment of the API server (`spec.envs`, Kubernetes EnvVars). Reference secrets with `EnvValue.fromSecret`.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * The replica range of the HPA that yatai-deployment always creates (`spec.autoscaling`, CPU-based).
   * @default - { minReplicas: 1, maxReplicas: 1 } (yatai-deployment's own default)
   */
  readonly autoscaling?: BentoAutoscaling;
  /**
   * Node selector of the API server pods (`spec.extraPodSpec.nodeSelector`), e.g. a GPU pool.
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Tolerations of the API server pods (`spec.extraPodSpec.tolerations`), e.g. of `nvidia.com/gpu` taints.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * ServiceAccount of the API server pods (`spec.extraPodSpec.serviceAccountName`).
   * @default - yatai-deployment's choice (a ServiceAccount labelled `yatai.ai/bento-deployment-pod=true`, else its default)
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels on the BentoDeployment.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The API server's container port `http`; Service `NAME` port 3000 maps to it. */
const BENTO_PORT = 3000;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const API_METHOD = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * A BentoML service deployed by yatai-deployment as a BentoDeployment (serving.yatai.ai/v2alpha1, the
 * storage version). yatai-deployment creates Deployment and Service `NAME` (port 3000) for the API server,
 * whose pods carry `yatai.ai/bento-deployment=NAME` and `yatai.ai/bento-deployment-component-type=api-server`.
 * The bridge posts JSON to `/<apiMethod>`.
 *
 * **yatai-deployment is no longer maintained upstream**: its last release is v1.1.21 (2024-03), and
 * the controller gets no fixes. Prefer a plain Deployment of `bentoml serve` for new work.
 *
 * No queue-driven scaling: yatai-deployment always creates its own HPA `NAME` on the Deployment, and KEDA's
 * webhook refuses a ScaledObject on a target that already has an HPA. Size the model with `autoscaling`.
 *
 * @see https://github.com/bentoml/yatai-deployment
 */
export class BentoModel extends ModelBackend {
  // ---- Traffic (issue 14): the flows this backend's pods need besides the bridge; rendered by the binding. ----
  /** BentoML serves `/metrics` on the `http` port 3000 (bentoml/yatai-deployment @ v1.1.21). */
  public override get traffic(): ModelTraffic | undefined {
    return { ingress: [], metricsPorts: [TrafficPort.tcp(this.podPort)] };
  }
  // ---- end of traffic ----

  /** The Bento the deployment runs. */
  public readonly bento: string;
  /** The BentoDeployment. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: BentoModelProps) {
    super(scope, id, { name: props.name, nameLengthReason: 'it names the Deployment, Service and HPA' });
    check(typeof props.bento === 'string' && isDns1123Subdomain(props.bento), this, 'bento', props.bento,
      'must be the name of a Bento resource in the same namespace (a DNS-1123 subdomain)');
    check(typeof props.apiMethod === 'string' && API_METHOD.test(props.apiMethod), this, 'apiMethod', props.apiMethod,
      'must be a BentoML API name such as summarize (without a leading slash)');
    checkLabelMap(this, 'labels', props.labels);
    this.bento = props.bento;
    this.resource = new ApiObject(this, 'Resource', {
      ...BentoDeploymentV2Alpha1.GVK,
      metadata: { name: this.name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya', ...(props.labels ?? {}) } },
      spec: {
        bento: props.bento,
        autoscaling: this.autoscaling(props),
        resources: this.resources(props),
        ...this.envs(props),
        ...this.extraPodSpec(props),
      },
    });
    this.serve({
      modelName: this.name,
      endpoint: this.serviceUrl(this.name, BENTO_PORT),
      requestPath: `/${props.apiMethod}`,
      protocol: ModelProtocol.HTTP_JSON,
      podSelector: { 'yatai.ai/bento-deployment': this.name, 'yatai.ai/bento-deployment-component-type': 'api-server' },
      podPort: BENTO_PORT,
      // BentoML serves Prometheus metrics on `/metrics` of the `http` port.
      metrics: { portName: 'http', path: '/metrics' },
      noScaleTargetReason: `yatai-deployment always creates its own HPA "${this.name}" on Deployment ${this.name}, and KEDA's webhook refuses a `
        + 'ScaledObject on a target that already has an HPA: size the model with BentoModel autoscaling instead.',
    });
  }

  /** `spec.resources`: cpu, memory and `gpu` (NVIDIA) only. */
  private resources(props: BentoModelProps): any {
    check(props.resources !== undefined && props.resources !== null, this, 'resources', props.resources, 'must be set: model servers get no default resources');
    check(props.resources.ephemeralStorage === undefined, this, 'resources.ephemeralStorage', props.resources.ephemeralStorage,
      'is not supported: a BentoDeployment\'s resources have cpu, memory and gpu only');
    const gpuName = props.resources.gpu?.resourceName ?? 'nvidia.com/gpu';
    check(gpuName === 'nvidia.com/gpu', this, 'resources.gpu.resourceName', gpuName,
      'must be nvidia.com/gpu: a BentoDeployment\'s resources.gpu field requests NVIDIA GPUs only');
    requireLimits(this, 'resources', props.resources, 'main');
    const rendered = renderResources(this, 'resources', props.resources) ?? {};
    // yatai-deployment fills a missing key with its own default: a request with 300m / 500Mi, not with the
    // limit; a limit with 500m / 1Gi (getResourcesConfig @ v1.1.21).
    for (const [r, yataiLimit] of [['cpu', '500m'], ['memory', '1Gi']]) {
      if (rendered.limits?.[r] !== undefined && rendered.requests?.[r] === undefined) {
        rendered.requests = { ...(rendered.requests ?? {}), [r]: rendered.limits[r] };
      }
      const request = rendered.requests?.[r];
      if (rendered.limits?.[r] === undefined && request !== undefined) {
        check(parseQuantity(request)! <= parseQuantity(yataiLimit)!, this, `resources.${r}.request`, request,
          `must not exceed ${yataiLimit} without a ${r} limit: yatai-deployment then sets the limit to ${yataiLimit}`);
      }
    }
    const resources: any = {};
    for (const which of ['limits', 'requests'] as const) {
      const src = rendered[which];
      if (!src) continue;
      resources[which] = {
        ...(src.cpu !== undefined ? { cpu: src.cpu } : {}),
        ...(src.memory !== undefined ? { memory: src.memory } : {}),
        ...(src['nvidia.com/gpu'] !== undefined ? { gpu: src['nvidia.com/gpu'] } : {}),
      };
    }
    return resources;
  }

  private envs(props: BentoModelProps): { envs?: any[] } {
    const envs = Object.entries(objectProp(this, 'env', props.env)).map(([k, v]) => {
      check(ENV_NAME.test(k), this, 'env', k, 'is not a valid environment variable name');
      check(v instanceof EnvValue, this, `env.${k}`, v, 'must be an EnvValue (EnvValue.fromValue, fromSecret, fromConfigMap, fromFieldRef)');
      return v._toJson(k);
    });
    return envs.length ? { envs } : {};
  }

  /** The range of the HPA yatai-deployment always creates. */
  private autoscaling(props: BentoModelProps): { minReplicas: number; maxReplicas: number } {
    const a = objectProp(this, 'autoscaling', props.autoscaling);
    const minReplicas = a.minReplicas ?? 1;
    check(Number.isInteger(minReplicas) && minReplicas >= 1, this, 'autoscaling.minReplicas', a.minReplicas,
      'must be a whole number of at least 1 (an HPA cannot scale to zero)');
    const maxReplicas = a.maxReplicas ?? minReplicas;
    check(Number.isInteger(maxReplicas) && maxReplicas >= 1, this, 'autoscaling.maxReplicas', a.maxReplicas, 'must be a whole number of at least 1');
    check(minReplicas <= maxReplicas, this, 'autoscaling.minReplicas', minReplicas, `must not exceed autoscaling.maxReplicas (${maxReplicas})`);
    return { minReplicas, maxReplicas };
  }

  /**
   * BEN-1: yatai-deployment copies nodeSelector, tolerations and serviceAccountName of `extraPodSpec` into
   * the API server's pod spec (bentoml/yatai-deployment controllers/bentodeployment_controller.go:2501-2521 @ v1.1.21).
   */
  private extraPodSpec(props: BentoModelProps): { extraPodSpec?: any } {
    checkLabelMap(this, 'nodeSelector', props.nodeSelector);
    const tolerations = renderTolerations(this, 'tolerations', props.tolerations);
    if (props.serviceAccountName !== undefined) {
      check(typeof props.serviceAccountName === 'string' && isDns1123Subdomain(props.serviceAccountName), this, 'serviceAccountName', props.serviceAccountName, 'must be a ServiceAccount name (DNS-1123 subdomain)');
    }
    const spec = {
      ...(props.nodeSelector && Object.keys(props.nodeSelector).length ? { nodeSelector: { ...props.nodeSelector } } : {}),
      ...(tolerations.length ? { tolerations } : {}),
      ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
    };
    return Object.keys(spec).length ? { extraPodSpec: spec } : {};
  }
}
