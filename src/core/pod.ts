import { IConstruct } from 'constructs';
import { ContainerOptions, NamedContainer, renderContainer, SecurityOptions } from './container';
import { check } from './errors';
import { isDns1123Label, isDns1123Subdomain, qualifiedNameProblem } from './names';
import { checkAnnotationMap, checkLabelMap, checkQuantity, checkSecurityOptions, intProp, listProp, stringListProp, stringProp } from './props';
import { requireLimits } from './resources';
import { Volume } from './volume';

/**
 * A toleration of node taints.
 */
export interface Toleration {
  /**
   * The taint key; empty with operator Exists tolerates everything.
   * @default - all keys
   */
  readonly key?: string;
  /**
   * Equal or Exists.
   * @default "Equal"
   */
  readonly operator?: string;
  /**
   * The taint value (with Equal).
   * @default - none
   */
  readonly value?: string;
  /**
   * NoSchedule, PreferNoSchedule or NoExecute.
   * @default - all effects
   */
  readonly effect?: string;
  /**
   * How long a NoExecute taint is tolerated.
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/**
 * Pod-level options shared by every workload this library generates.
 */
export interface PodOptions {
  /**
   * Pod volumes.
   * @default - none
   */
  readonly volumes?: Volume[];
  /**
   * Extra containers next to the main one.
   * @default - none
   */
  readonly sidecars?: NamedContainer[];
  /**
   * Init containers.
   * @default - none
   */
  readonly initContainers?: NamedContainer[];
  /**
   * Node selector (e.g. a GPU node pool).
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Tolerations (e.g. of `nvidia.com/gpu` taints).
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * The ServiceAccount the pods run as.
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * PriorityClass of the pods.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Secrets used to pull images from private registries.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Extra labels on the pods.
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Extra annotations on the pods.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * Security settings; the default meets Pod Security Standard `restricted`.
   * @default - restricted: non-root (uid/gid 1000), no privilege escalation, all capabilities dropped, RuntimeDefault seccomp
   */
  readonly security?: SecurityOptions;
}

const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** The pod-level security context of PSS `restricted` (or its root opt-out). */
export function podSecurityContext(sec: SecurityOptions = {}): any {
  if (sec.allowRoot) {
    return { seccompProfile: { type: 'RuntimeDefault' } };
  }
  return {
    fsGroup: sec.fsGroup ?? 1000,
    runAsGroup: sec.runAsGroup ?? 1000,
    runAsNonRoot: true,
    runAsUser: sec.runAsUser ?? 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The main container of a pod and its name.
 */
export interface MainContainer {
  readonly name: string;
  readonly options: ContainerOptions;
  /** prop path of the container options in error messages ('' for top-level props). */
  readonly field: string;
}

/**
 * Validates pod options and renders a PodSpec in Kubernetes JSON with the security defaults.
 * Container names must be unique across containers and init containers, volume names unique, and
 * every mount must name a declared volume (or one listed in `externalVolumes`, e.g. injected later).
 */
export function renderPodSpec(scope: IConstruct | string, main: MainContainer, pod: PodOptions = {}, externalVolumes: string[] = []): any {
  checkSecurityOptions(scope, 'security', pod.security);
  const sec = pod.security ?? {};
  const names = new Set<string>();
  const addName = (field: string, name: string) => {
    check(typeof name === 'string' && isDns1123Label(name), scope, field, name, 'must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
    check(!names.has(name), scope, field, name, 'is used by another container or init container of the pod: container names must be unique');
    names.add(name);
  };
  addName(main.field ? `${main.field}.name` : 'name', main.name);
  const containers = [renderContainer(scope, main.field, main.name, main.options, sec)];
  listProp(scope, 'sidecars', pod.sidecars).forEach((c, i) => {
    addName(`sidecars[${i}].name`, c.name);
    containers.push(renderContainer(scope, `sidecars[${i}]`, c.name, c, sec));
  });
  const initContainers = listProp(scope, 'initContainers', pod.initContainers).map((c, i) => {
    addName(`initContainers[${i}].name`, c.name);
    return renderContainer(scope, `initContainers[${i}]`, c.name, c, sec);
  });

  const volumeNames = new Set<string>();
  const volumes = listProp(scope, 'volumes', pod.volumes).map((v, i) => {
    check(v instanceof Volume, scope, `volumes[${i}]`, v, 'must be a Volume (Volume.emptyDir, configMap, secret, persistentVolumeClaim)');
    checkQuantity(scope, `volumes[${i}].sizeLimit`, v._toJson().emptyDir?.sizeLimit);
    check(isDns1123Label(v.name), scope, `volumes[${i}].name`, v.name, 'must be a DNS-1123 label');
    check(!volumeNames.has(v.name), scope, `volumes[${i}].name`, v.name, 'is used by another volume of the pod');
    volumeNames.add(v.name);
    return v._toJson();
  });
  const allMounts: Array<[string, ContainerOptions]> = [
    [main.field, main.options],
    ...listProp(scope, 'sidecars', pod.sidecars).map((c, i) => [`sidecars[${i}]`, c] as [string, ContainerOptions]),
    ...listProp(scope, 'initContainers', pod.initContainers).map((c, i) => [`initContainers[${i}]`, c] as [string, ContainerOptions]),
  ];
  for (const [field, c] of allMounts) {
    listProp(scope, `${field ? field + '.' : ''}volumeMounts`, c.volumeMounts).forEach((m, i) => {
      check(volumeNames.has(m.volume) || externalVolumes.includes(m.volume), scope, `${field ? field + '.' : ''}volumeMounts[${i}].volume`, m.volume,
        `names no volume of the pod (declared: ${[...volumeNames].join(', ') || 'none'})`);
    });
  }
  for (const k of ['serviceAccountName', 'priorityClassName'] as const) {
    if (stringProp(scope, k, pod[k]) !== undefined) check(isDns1123Subdomain(pod[k]!), scope, k, pod[k], 'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")');
  }
  stringListProp(scope, 'imagePullSecrets', pod.imagePullSecrets);
  checkLabelMap(scope, 'nodeSelector', pod.nodeSelector);
  checkLabelMap(scope, 'podLabels', pod.podLabels);
  checkAnnotationMap(scope, 'podAnnotations', pod.podAnnotations);
  const tolerations = renderTolerations(scope, 'tolerations', pod.tolerations);
  // Policy ASYA-RES-001, checked once the pod is otherwise valid: every container sets cpu and memory limits,
  // or opts out explicitly with allowNoLimits.
  requireLimits(scope, main.field ? `${main.field}.resources` : 'resources', main.options.resources, main.name);
  listProp(scope, 'sidecars', pod.sidecars).forEach((c, i) => requireLimits(scope, `sidecars[${i}].resources`, c.resources, c.name));
  listProp(scope, 'initContainers', pod.initContainers).forEach((c, i) => requireLimits(scope, `initContainers[${i}].resources`, c.resources, c.name));
  return {
    containers,
    ...(initContainers.length ? { initContainers } : {}),
    ...(volumes.length ? { volumes } : {}),
    ...(pod.nodeSelector && Object.keys(pod.nodeSelector).length ? { nodeSelector: { ...pod.nodeSelector } } : {}),
    ...(tolerations.length ? { tolerations } : {}),
    ...(pod.serviceAccountName ? { serviceAccountName: pod.serviceAccountName } : {}),
    ...(pod.priorityClassName ? { priorityClassName: pod.priorityClassName } : {}),
    ...(pod.imagePullSecrets?.length ? { imagePullSecrets: pod.imagePullSecrets.map((name) => ({ name })) } : {}),
    securityContext: podSecurityContext(sec),
  };
}

/** Checks and renders tolerations (shared by the pod spec and the backends that render their own). */
export function renderTolerations(scope: IConstruct | string, field: string, list: Toleration[] | undefined): any[] {
  return listProp(scope, field, list).map((t, i) => {
    check(typeof t === 'object' && !Array.isArray(t), scope, `${field}[${i}]`, t, 'must be an object ({ key, operator, value, effect })');
    if (stringProp(scope, `${field}[${i}].key`, t.key) !== undefined && t.key !== '') {
      const kp = qualifiedNameProblem(t.key!);
      check(kp === undefined, scope, `${field}[${i}].key`, t.key, `is not a valid taint key: ${kp}`);
    }
    stringProp(scope, `${field}[${i}].value`, t.value);
    intProp(scope, `${field}[${i}].tolerationSeconds`, (t as any).tolerationSeconds, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (t.operator !== undefined) check(TOLERATION_OPERATORS.includes(t.operator), scope, `${field}[${i}].operator`, t.operator, 'must be Equal or Exists');
    if (t.effect !== undefined) check(TAINT_EFFECTS.includes(t.effect), scope, `${field}[${i}].effect`, t.effect, `must be one of ${TAINT_EFFECTS.join(', ')}`);
    check(!(t.operator === 'Exists' && t.value !== undefined), scope, `${field}[${i}].value`, t.value, 'must be empty when operator is Exists');
    return { ...t };
  });
}
