import { jsonPath } from './rule';

/**
 * Where a container sits in its pod spec.
 */
export enum ContainerRole {
  /** `containers` (and KServe's `model` and framework containers). */
  MAIN = 'main',
  /** `initContainers`. */
  INIT = 'init',
  /** `ephemeralContainers` (no resources, no ports). */
  EPHEMERAL = 'ephemeral',
}

/**
 * One container of a pod template.
 */
export interface PodContainerRef {
  /** JSON path of the container, e.g. `.spec.template.spec.containers[0]`. */
  readonly path: string;
  /** The container, as synthesized. */
  readonly container: any;
  /** Where the container sits. */
  readonly role: ContainerRole;
  /** The container name, or `#<index>` when it has none. */
  readonly name: string;
}

/**
 * One pod template of a synthesized object.
 */
export interface PodTemplateRef {
  /** JSON path of the pod spec (pod-level fields), e.g. `.spec.template.spec` or `.spec.predictor`. */
  readonly path: string;
  /** The pod spec, as synthesized. */
  readonly spec: any;
  /**
   * The labels the pods will carry: the template's own plus the ones the controller adds that are
   * known at synth time (e.g. `asya.sh/asya` and `app` for AsyncActors).
   */
  readonly labels: { [key: string]: string };
  /** Every container: main, init and ephemeral. */
  readonly containers: PodContainerRef[];
  /**
   * The annotations the pods will carry (the template's own), read by the AppArmor check.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Whether this is a partial pod spec that its controller merges into a pod it builds from elsewhere
   * (a TrainJob's `runtimePatches`, a Seldon Server's `podSpec`): only values set here are checked, a field
   * it leaves out is not a finding.
   * @default false
   */
  readonly partial?: boolean;
}

/** KServe component keys that hold one container each (predictor frameworks). */
const KSERVE_CONTAINER_KEYS = [
  'model', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm',
  'paddle', 'alibi', 'art',
];

function group(manifest: any): string {
  const api = String(manifest?.apiVersion ?? '');
  return api.includes('/') ? api.split('/')[0] : '';
}

function labelsAt(meta: any): { [key: string]: string } {
  const labels = meta?.labels;
  return labels && typeof labels === 'object' && !Array.isArray(labels) ? { ...labels } : {};
}

function containersOf(spec: any, path: string, extraKeys: string[] = []): PodContainerRef[] {
  const out: PodContainerRef[] = [];
  for (const key of extraKeys) {
    const c = spec?.[key];
    if (c && typeof c === 'object' && !Array.isArray(c)) {
      out.push({ path: jsonPath(path, key), container: c, role: ContainerRole.MAIN, name: c.name ?? key });
    }
  }
  const lists: Array<[string, ContainerRole]> = [
    ['containers', ContainerRole.MAIN], ['initContainers', ContainerRole.INIT], ['ephemeralContainers', ContainerRole.EPHEMERAL],
  ];
  for (const [key, role] of lists) {
    const list = spec?.[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c: any, i: number) => {
      out.push({ path: jsonPath(path, key, i), container: c ?? {}, role, name: c?.name ?? `#${i}` });
    });
  }
  return out;
}

/** A `template: { metadata, spec }` at `path`, if there is one. */
function template(manifest: any, keys: Array<string | number>, implicit: { [key: string]: string } = {}, partial: boolean = false): PodTemplateRef[] {
  const t = keys.reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), manifest);
  if (!t || typeof t !== 'object' || !t.spec || typeof t.spec !== 'object') return [];
  const path = jsonPath('.', ...keys, 'spec');
  return [{
    path,
    spec: t.spec,
    labels: { ...labelsAt(t.metadata), ...implicit },
    annotations: labelsAt({ labels: t.metadata?.annotations }),
    containers: containersOf(t.spec, path),
    ...(partial ? { partial } : {}),
  }];
}

/** The pod templates of a JobSet-shaped spec: `replicatedJobs[].template.spec.template` under `keys`. */
function replicatedJobs(
  manifest: any, keys: Array<string | number>, implicit: (rj: any) => { [key: string]: string }, partial: boolean = false,
): PodTemplateRef[] {
  const list = keys.reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), manifest)?.replicatedJobs;
  if (!Array.isArray(list)) return [];
  return list.flatMap((rj: any, i: number) => template(manifest, [...keys, 'replicatedJobs', i, 'template', 'spec', 'template'], implicit(rj), partial));
}

/** Every `group/kind` whose pod templates `PodTemplates.of` reads. */
const KINDS_WITH_POD_TEMPLATES = [
  '/Pod', '/PodTemplate', '/ReplicationController', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet',
  'batch/Job', 'batch/CronJob', 'asya.sh/AsyncActor', 'serving.kserve.io/InferenceService', 'ray.io/RayService', 'ray.io/RayJob',
  'ray.io/RayCluster', 'batch.volcano.sh/Job', 'kubeflow.org/PyTorchJob', 'kaito.sh/Workspace', 'kaito.sh/InferenceSet',
  'trainer.kubeflow.org/TrainJob', 'trainer.kubeflow.org/TrainingRuntime', 'trainer.kubeflow.org/ClusterTrainingRuntime',
  'jobset.x-k8s.io/JobSet', 'keda.sh/ScaledJob', 'mlops.seldon.io/Server',
];

/**
 * Every `group/kind` the library can emit that carries no pod spec this pack can read, with why. The
 * BentoDeployment's pods are built by yatai-deployment from `resources`/`envs` (its `extraPodSpec` holds
 * scheduling fields only, no security context or containers).
 */
const KINDS_WITHOUT_POD_TEMPLATES = [
  '/ConfigMap', '/Secret', '/Service', '/ServiceAccount', '/Namespace', '/PersistentVolumeClaim', '/ResourceQuota', '/LimitRange',
  '/Endpoints', 'networking.k8s.io/NetworkPolicy', 'networking.k8s.io/Ingress', 'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'policy/PodDisruptionBudget', 'autoscaling/HorizontalPodAutoscaler', 'argoproj.io/Application', 'keda.sh/ScaledObject',
  'keda.sh/TriggerAuthentication', 'kueue.x-k8s.io/ClusterQueue', 'kueue.x-k8s.io/LocalQueue', 'kueue.x-k8s.io/ResourceFlavor',
  'kueue.x-k8s.io/WorkloadPriorityClass', 'mlops.seldon.io/Model', 'monitoring.coreos.com/PodMonitor',
  'monitoring.coreos.com/ServiceMonitor', 'scheduling.volcano.sh/Queue', 'serving.kserve.io/LocalModelCache',
  'serving.yatai.ai/BentoDeployment', 'gateway.networking.k8s.io/HTTPRoute', 'gateway.networking.k8s.io/Gateway',
  'inference.networking.k8s.io/InferencePool', 'kustomize.toolkit.fluxcd.io/Kustomization',
];

/**
 * Finds the pod templates in every kind of object this library emits, and the core workload kinds.
 *
 * - core: Pod, PodTemplate, ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob
 * - Asya: AsyncActor `spec.workload.template`
 * - KServe: InferenceService predictor, transformer and explainer (the component is the pod spec; `model`
 *   and the framework keys are containers)
 * - KubeRay: RayService, RayCluster and RayJob head and worker group templates
 * - Volcano: Job task templates; Kubeflow: PyTorchJob replica templates
 * - KAITO: Workspace `inference.template` and InferenceSet `spec.template.inference.template`, when set
 * - Kubeflow Trainer: TrainJob `runtimePatches` (partial), TrainingRuntime and ClusterTrainingRuntime
 *   `spec.template.spec.replicatedJobs[].template.spec.template`; JobSet `spec.replicatedJobs[]`
 * - KEDA: ScaledJob `spec.jobTargetRef.template`; Seldon: Server `spec.podSpec` (partial)
 */
export class PodTemplates {
  /**
   * The `group/kind` pairs (`/Deployment` has the core group) whose pod templates `of` reads.
   */
  public static kindsWithPodTemplates(): string[] {
    return [...KINDS_WITH_POD_TEMPLATES];
  }

  /**
   * The `group/kind` pairs known to carry no pod template this pack checks.
   */
  public static kindsWithoutPodTemplates(): string[] {
    return [...KINDS_WITHOUT_POD_TEMPLATES];
  }

  /**
   * The pod templates of one object; empty for kinds that carry none.
   * @param manifest the object, as synthesized
   */
  public static of(manifest: any): PodTemplateRef[] {
    if (!manifest || typeof manifest !== 'object') return [];
    const name: string = manifest.metadata?.name ?? '';
    const kind = `${group(manifest)}/${manifest.kind}`;
    switch (kind) {
      case '/Pod':
        return [{
          path: '.spec',
          spec: manifest.spec ?? {},
          labels: labelsAt(manifest.metadata),
          annotations: labelsAt({ labels: manifest.metadata?.annotations }),
          containers: containersOf(manifest.spec, '.spec'),
        }];
      case '/PodTemplate':
        return template(manifest, ['template']);
      case '/ReplicationController':
      case 'apps/Deployment':
      case 'apps/StatefulSet':
      case 'apps/DaemonSet':
      case 'apps/ReplicaSet':
        return template(manifest, ['spec', 'template']);
      case 'batch/Job':
        return template(manifest, ['spec', 'template'], { 'batch.kubernetes.io/job-name': name, 'job-name': name });
      case 'batch/CronJob':
        return template(manifest, ['spec', 'jobTemplate', 'spec', 'template']);
      case 'asya.sh/AsyncActor':
        return template(manifest, ['spec', 'workload', 'template'], { 'asya.sh/asya': name, 'app': name });
      case 'serving.kserve.io/InferenceService':
        return ['predictor', 'transformer', 'explainer'].flatMap((component) => {
          const spec = manifest.spec?.[component];
          if (!spec || typeof spec !== 'object') return [];
          const path = jsonPath('.', 'spec', component);
          return [{
            path,
            spec,
            labels: { ...labelsAt(spec), 'serving.kserve.io/inferenceservice': name, 'component': component },
            annotations: labelsAt({ labels: spec.annotations }),
            containers: containersOf(spec, path, KSERVE_CONTAINER_KEYS),
          }];
        });
      case 'ray.io/RayService':
        return PodTemplates.ray(manifest, ['spec', 'rayClusterConfig']);
      case 'ray.io/RayJob':
        return PodTemplates.ray(manifest, ['spec', 'rayClusterSpec']);
      case 'ray.io/RayCluster':
        return PodTemplates.ray(manifest, ['spec']);
      case 'batch.volcano.sh/Job': {
        const tasks = manifest.spec?.tasks;
        if (!Array.isArray(tasks)) return [];
        return tasks.flatMap((t: any, i: number) => template(manifest, ['spec', 'tasks', i, 'template'],
          { 'volcano.sh/job-name': name, ...(t?.name ? { 'volcano.sh/task-spec': t.name } : {}) }));
      }
      case 'kubeflow.org/PyTorchJob': {
        const replicas = manifest.spec?.pytorchReplicaSpecs ?? {};
        return Object.keys(replicas).flatMap((type) => template(manifest, ['spec', 'pytorchReplicaSpecs', type, 'template'],
          { 'training.kubeflow.org/job-name': name, 'training.kubeflow.org/replica-type': type.toLowerCase() }));
      }
      case 'kaito.sh/Workspace':
        return template(manifest, ['inference', 'template'], { 'kaito.sh/workspace': name });
      case 'kaito.sh/InferenceSet':
        return template(manifest, ['spec', 'template', 'inference', 'template'], { 'inferenceset.kaito.sh/created-by': name });
      // kubeflow/trainer v2.3.0 pkg/apis/trainer/v1alpha1/trainjob_types.go: runtimePatches[].trainingRuntimeSpec
      // is merged into the runtime's JobSet template (partial: unset fields come from the runtime).
      case 'trainer.kubeflow.org/TrainJob': {
        const patches = manifest.spec?.runtimePatches;
        if (!Array.isArray(patches)) return [];
        return patches.flatMap((_p: any, i: number) => replicatedJobs(manifest, ['spec', 'runtimePatches', i, 'trainingRuntimeSpec', 'template', 'spec'],
          (rj) => ({ 'trainer.kubeflow.org/trainjob-name': name, ...(rj?.name ? { 'jobset.sigs.k8s.io/replicatedjob-name': rj.name } : {}) }), true));
      }
      // kubeflow/trainer trainingruntime_types.go: spec.template is a JobSetTemplateSpec.
      case 'trainer.kubeflow.org/TrainingRuntime':
      case 'trainer.kubeflow.org/ClusterTrainingRuntime':
        return replicatedJobs(manifest, ['spec', 'template', 'spec'], (rj): { [key: string]: string } => (rj?.name ? { 'jobset.sigs.k8s.io/replicatedjob-name': rj.name } : {}));
      // kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go: replicatedJobs[].template is a batch JobTemplateSpec.
      case 'jobset.x-k8s.io/JobSet':
        return replicatedJobs(manifest, ['spec'], (rj) => ({ 'jobset.sigs.k8s.io/jobset-name': name, ...(rj?.name ? { 'jobset.sigs.k8s.io/replicatedjob-name': rj.name } : {}) }));
      // kedacore/keda apis/keda/v1alpha1/scaledjob_types.go: jobTargetRef is a batch JobSpec.
      case 'keda.sh/ScaledJob':
        return template(manifest, ['spec', 'jobTargetRef', 'template'], { 'scaledjob.keda.sh/name': name });
      // SeldonIO/seldon-core v2 operator/apis/mlops/v1alpha1/server_types.go: podSpec overrides the ServerConfig's pod.
      case 'mlops.seldon.io/Server': {
        const spec = manifest.spec?.podSpec;
        if (!spec || typeof spec !== 'object') return [];
        return [{ path: '.spec.podSpec', spec, labels: {}, annotations: {}, containers: containersOf(spec, '.spec.podSpec'), partial: true }];
      }
      default:
        return [];
    }
  }

  private static ray(manifest: any, cluster: string[]): PodTemplateRef[] {
    const c = cluster.reduce((o: any, k) => o?.[k], manifest);
    if (!c) return [];
    const head = template(manifest, [...cluster, 'headGroupSpec', 'template'], { 'ray.io/node-type': 'head' });
    const workers = Array.isArray(c.workerGroupSpecs) ? c.workerGroupSpecs : [];
    return [
      ...head,
      ...workers.flatMap((w: any, i: number) => template(manifest, [...cluster, 'workerGroupSpecs', i, 'template'],
        { 'ray.io/node-type': 'worker', ...(w?.groupName ? { 'ray.io/group': w.groupName } : {}) })),
    ];
  }
}
