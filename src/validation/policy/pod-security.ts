import { ContainerRole, PodContainerRef, PodTemplateRef, PodTemplates } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule, PolicyRuleProps } from './rule';

/**
 * The Pod Security Admission version this pack follows by default: the newest check versions of
 * kubernetes/pod-security-admission @ 8f84a87 (`policy/check_*.go`), i.e. Kubernetes 1.37, what a namespace
 * without a `pod-security.kubernetes.io/enforce-version` label gets on a 1.37 cluster.
 */
export const POD_SECURITY_LATEST = '1.37';
/** The oldest Kubernetes version whose Pod Security checks the pack models. */
export const POD_SECURITY_OLDEST = '1.25';

/**
 * Options of the Pod Security rules.
 */
export interface PodSecurityRuleProps {
  /**
   * The Kubernetes version (`1.N`, 1.25 or later, or `latest`) whose Pod Security Admission checks to
   * follow: the value of the namespace's `pod-security.kubernetes.io/enforce-version` label, or the
   * cluster's version when the label is absent. Some checks changed: allowed sysctls (1.27, 1.29, 1.32,
   * 1.37), SELinux type `container_engine_t` (1.31), probe and lifecycle hosts (checked from 1.34),
   * `hostUsers: false` relaxing runAsNonRoot/runAsUser (1.35).
   * @default '1.37' (latest at kubernetes/pod-security-admission @ 8f84a87)
   */
  readonly kubernetesVersion?: string;
}

/** The minor version of `1.N` or `latest`; throws on anything else. */
export function podSecurityMinor(version: string | undefined): number {
  const v = version ?? 'latest';
  if (v === 'latest') return Number(POD_SECURITY_LATEST.split('.')[1]);
  const m = typeof v === 'string' ? /^v?1\.(\d+)(\.\d+)?$/.exec(v) : null;
  const minor = m ? Number(m[1]) : NaN;
  if (!(minor >= Number(POD_SECURITY_OLDEST.split('.')[1]))) {
    throw new Error(`Pod Security kubernetesVersion (${JSON.stringify(v)}) must be "latest" or "1.N" with N >= ${POD_SECURITY_OLDEST.split('.')[1]}`);
  }
  return Math.min(minor, Number(POD_SECURITY_LATEST.split('.')[1]));
}

/** Whether the pod declares `os.name: windows` (PSA exempts it from Linux-only checks from 1.25). */
function isWindows(pod: PodTemplateRef): boolean {
  return pod.spec?.os?.name === 'windows';
}

/** Whether the pod runs in a user namespace (`hostUsers: false`): PSA >= 1.35 relaxes the root checks (helpers.go). */
function inUserNamespace(pod: PodTemplateRef, minor: number): boolean {
  return minor >= 35 && pod.spec?.hostUsers === false;
}

/**
 * Base class of rules that check every pod template of an object (see `PodTemplates.of`).
 */
export abstract class PodTemplateRule extends PolicyRule {
  /** The Kubernetes minor version whose Pod Security checks the rule follows. */
  protected readonly minor: number;

  protected constructor(props: PolicyRuleProps, options: PodSecurityRuleProps = {}) {
    super(props);
    this.minor = podSecurityMinor(options?.kubernetesVersion);
  }

  public check(manifest: any, context: PolicyContext): PolicyFinding[] {
    return PodTemplates.of(manifest).flatMap((pod) => this.checkPod(manifest, pod, context));
  }

  /**
   * Checks one pod template of `manifest`.
   */
  protected abstract checkPod(manifest: any, pod: PodTemplateRef, context: PolicyContext): PolicyFinding[];
}

const PSS = 'Pod Security Standard "restricted"';

function sc(c: PodContainerRef): any {
  return c.container?.securityContext ?? {};
}

/**
 * ASYA-PSS-001: pods run as a non-root user (upstream `runAsNonRoot` and `runAsUser`, restricted).
 *
 * Why: a process running as uid 0 in a container is root on the node once it escapes the container runtime.
 * Fix: set `runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or every container; the library
 * does by default (`security.allowRoot` opts out).
 *
 * Faithful to kubernetes/pod-security-admission @ 8f84a87 `policy/check_runAsNonRoot.go` (a pod-level
 * `false` is forbidden even when every container overrides it) and `policy/check_runAsUser.go`; from 1.35
 * a pod with `hostUsers: false` (a user namespace) is exempt from both.
 */
export class RunAsNonRootRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-001',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container runs as non-root (runAsNonRoot: true, runAsUser not 0)`,
      fix: 'Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod (or every container); use an image that runs as a non-root user.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    if (inUserNamespace(pod, this.minor)) return [];
    const out: PolicyFinding[] = [];
    const podSc = pod.spec?.securityContext ?? {};
    if (podSc.runAsUser === 0) {
      out.push(this.finding(manifest, jsonPath(pod.path, 'securityContext', 'runAsUser'),
        'pod runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid (the library uses 1000)'));
    }
    if (podSc.runAsNonRoot === false) {
      out.push(this.finding(manifest, jsonPath(pod.path, 'securityContext', 'runAsNonRoot'),
        'pod sets securityContext.runAsNonRoot: false, which Pod Security forbids even when containers override it: set it to true or remove it'));
    }
    for (const c of pod.containers) {
      if (sc(c).runAsUser === 0) {
        out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'runAsUser'),
          `container "${c.name}" runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid`));
      }
      const own = sc(c).runAsNonRoot;
      if (own === true) continue;
      if (own === undefined && (podSc.runAsNonRoot === true || pod.partial)) continue;
      out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'runAsNonRoot'),
        `container "${c.name}" may run as root: set securityContext.runAsNonRoot: true on the pod or the container`));
    }
    return out;
  }
}

/**
 * ASYA-PSS-002: no privilege escalation.
 *
 * Why: setuid binaries and file capabilities let a process gain more privileges than its parent.
 * Fix: `allowPrivilegeEscalation: false` on every container (the library's default).
 *
 * Upstream: `policy/check_allowPrivilegeEscalation.go` (pods with `os.name: windows` exempt from 1.25).
 */
export class NoPrivilegeEscalationRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-002',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container sets allowPrivilegeEscalation: false`,
      fix: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    if (isWindows(pod)) return [];
    return pod.containers.filter((c) => sc(c).allowPrivilegeEscalation !== false)
      .filter((c) => !(pod.partial && sc(c).allowPrivilegeEscalation === undefined)).map((c) =>
        this.finding(manifest, jsonPath(c.path, 'securityContext', 'allowPrivilegeEscalation'),
          `container "${c.name}" allows privilege escalation: set securityContext.allowPrivilegeEscalation: false`));
  }
}

/**
 * ASYA-PSS-003: capabilities dropped.
 *
 * Why: the runtime's default capability set (CHOWN, SETUID, NET_RAW, ...) is more than a model server needs.
 * Fix: `capabilities.drop: ["ALL"]` on every container, and add back NET_BIND_SERVICE at most.
 *
 * Upstream: `policy/check_capabilities_restricted.go` (pods with `os.name: windows` exempt from 1.25).
 */
export class DropCapabilitiesRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-003',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container drops ALL capabilities and adds at most NET_BIND_SERVICE`,
      fix: 'Set securityContext.capabilities.drop: ["ALL"]; add back only NET_BIND_SERVICE, or listen on a port above 1023.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    if (isWindows(pod)) return [];
    const out: PolicyFinding[] = [];
    for (const c of pod.containers) {
      const caps = sc(c).capabilities ?? {};
      const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
      if (!drop.includes('ALL') && !(pod.partial && caps.drop === undefined)) {
        out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'capabilities', 'drop'),
          `container "${c.name}" does not drop ALL capabilities: set securityContext.capabilities.drop: ["ALL"]`));
      }
      const add: unknown[] = Array.isArray(caps.add) ? caps.add : [];
      add.forEach((cap, i) => {
        if (cap !== 'NET_BIND_SERVICE') {
          out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'capabilities', 'add', i),
            `container "${c.name}" adds capability ${JSON.stringify(cap)}: only NET_BIND_SERVICE may be added`));
        }
      });
    }
    return out;
  }
}

/**
 * ASYA-PSS-004: a seccomp profile.
 *
 * Why: without a profile (or with `Unconfined`) every syscall reaches the kernel.
 * Fix: `seccompProfile.type: RuntimeDefault` (or `Localhost`) on the pod or every container.
 *
 * Upstream: `policy/check_seccompProfile_restricted.go` (a pod-level `Unconfined` is forbidden even when
 * every container overrides it; pods with `os.name: windows` are exempt from 1.25).
 */
export class SeccompProfileRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-004',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container runs with seccomp profile RuntimeDefault or Localhost`,
      fix: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile of your own).',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    if (isWindows(pod)) return [];
    const out: PolicyFinding[] = [];
    const podProfile = pod.spec?.securityContext?.seccompProfile;
    const podOk = podProfile !== undefined && podProfile !== null && validSeccomp(podProfile.type);
    if (podProfile !== undefined && podProfile !== null && !podOk) {
      out.push(this.finding(manifest, jsonPath(pod.path, 'securityContext', 'seccompProfile', 'type'),
        `pod has seccomp profile ${JSON.stringify(podProfile.type)}, which Pod Security forbids even when containers override it: set securityContext.seccompProfile.type: RuntimeDefault`));
    }
    for (const c of pod.containers) {
      const own = sc(c).seccompProfile;
      if (own !== undefined && own !== null) {
        if (validSeccomp(own.type)) continue;
      } else if (podOk || pod.partial) {
        continue;
      }
      const type = own?.type;
      const what = own === undefined || own === null ? 'has no seccomp profile' : `has seccomp profile ${JSON.stringify(type)}`;
      out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'seccompProfile', 'type'),
        `container "${c.name}" ${what}: set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container`));
    }
    return out;
  }
}

function validSeccomp(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

/**
 * ASYA-PSS-005: no privileged containers.
 *
 * Why: a privileged container has every device and capability of the node.
 * Fix: remove `privileged: true`; GPU access goes through the device plugin (`nvidia.com/gpu` limits), not privilege.
 */
export class NoPrivilegedRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-005',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no container is privileged`,
      fix: 'Remove securityContext.privileged; request GPUs through resources.limits["nvidia.com/gpu"].',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return pod.containers.filter((c) => sc(c).privileged === true).map((c) =>
      this.finding(manifest, jsonPath(c.path, 'securityContext', 'privileged'),
        `container "${c.name}" is privileged: remove securityContext.privileged (GPUs come from resources.limits["nvidia.com/gpu"])`));
  }
}

const HOST_NAMESPACES: Array<[string, string]> = [
  ['hostNetwork', 'network'], ['hostPID', 'process'], ['hostIPC', 'IPC'],
];

/**
 * ASYA-PSS-006: no host namespaces.
 *
 * Why: a pod in the node's network, PID or IPC namespace sees (and can reach) every process of the node.
 * Fix: remove `hostNetwork`, `hostPID` and `hostIPC`; expose ports through a Service.
 */
export class NoHostNamespacesRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-006',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no pod shares the node's network, PID or IPC namespace`,
      fix: 'Remove hostNetwork, hostPID and hostIPC from the pod spec; expose ports through a Service.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return HOST_NAMESPACES.filter(([field]) => pod.spec?.[field] === true).map(([field, ns]) =>
      this.finding(manifest, jsonPath(pod.path, field),
        `pod sets ${field}: true and shares the node's ${ns} namespace: remove ${field}`));
  }
}

/** Volume types Pod Security `restricted` allows (`policy/check_restrictedVolumes.go` @ 8f84a87, `image` included). */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * ASYA-PSS-007: no hostPath (restricted volume types only).
 *
 * Why: a hostPath volume reads or writes the node's file system (the container runtime socket, kubelet credentials).
 * Fix: use emptyDir for scratch space and model caches, a PersistentVolumeClaim or CSI volume for data.
 */
export class RestrictedVolumesRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-007',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no hostPath volumes; volumes of the restricted types only (${RESTRICTED_VOLUME_TYPES.join(', ')})`,
      fix: 'Replace hostPath (and other node-bound volume types) with emptyDir, a PersistentVolumeClaim, a CSI volume, configMap or secret.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const volumes = Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : [];
    const out: PolicyFinding[] = [];
    volumes.forEach((v: any, i: number) => {
      const types = Object.keys(v ?? {}).filter((k) => k !== 'name' && v[k] !== null && v[k] !== undefined);
      // As upstream: a volume with any allowed source is allowed; one with no known source is forbidden.
      if (types.some((t) => RESTRICTED_VOLUME_TYPES.includes(t))) return;
      if (types.length === 0) {
        out.push(this.finding(manifest, jsonPath(pod.path, 'volumes', i),
          `volume ${JSON.stringify(v?.name ?? `#${i}`)} has no volume source, which ${PSS} does not allow: use one of ${RESTRICTED_VOLUME_TYPES.join(', ')}`));
      }
      for (const type of types) {
        const vname = JSON.stringify(v?.name ?? `#${i}`);
        out.push(this.finding(manifest, jsonPath(pod.path, 'volumes', i, type), type === 'hostPath'
          ? `volume ${vname} mounts hostPath ${JSON.stringify(v.hostPath?.path)} from the node: use emptyDir, a PersistentVolumeClaim or a CSI volume`
          : `volume ${vname} is of type ${type}, which ${PSS} does not allow: use one of ${RESTRICTED_VOLUME_TYPES.join(', ')}`));
      }
    });
    return out;
  }
}

/**
 * ASYA-PSS-008: no hostPort.
 *
 * Why: a host port binds the node's interface, bypassing Services and NetworkPolicies, and pins one pod per node.
 * Fix: remove `hostPort`; expose the container port through a Service.
 */
export class NoHostPortRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-008',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no container port binds a hostPort`,
      fix: 'Remove ports[].hostPort; expose the containerPort through a Service.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    for (const c of pod.containers.filter((x) => x.role !== ContainerRole.EPHEMERAL)) {
      const ports = Array.isArray(c.container?.ports) ? c.container.ports : [];
      ports.forEach((p: any, i: number) => {
        if (p?.hostPort !== undefined && p.hostPort !== 0) {
          out.push(this.finding(manifest, jsonPath(c.path, 'ports', i, 'hostPort'),
            `container "${c.name}" binds hostPort ${p.hostPort} on the node: remove hostPort and expose containerPort ${p.containerPort} through a Service`));
        }
      });
    }
    return out;
  }
}
