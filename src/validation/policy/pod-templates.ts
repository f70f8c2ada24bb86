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
function template(manifest: any, keys: Array<string | number>, implicit: { [key: string]: string } = {}): PodTemplateRef[] {
  const t = keys.reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), manifest);
  if (!t || typeof t !== 'object' || !t.spec || typeof t.spec !== 'object') return [];
  const path = jsonPath('.', ...keys, 'spec');
  return [{ path, spec: t.spec, labels: { ...labelsAt(t.metadata), ...implicit }, containers: containersOf(t.spec, path) }];
}

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
 */
export class PodTemplates {
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
        return [{ path: '.spec', spec: manifest.spec ?? {}, labels: labelsAt(manifest.metadata), containers: containersOf(manifest.spec, '.spec') }];
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
