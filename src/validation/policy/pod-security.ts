import { ContainerRole, PodContainerRef, PodTemplateRef, PodTemplates } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule, PolicyRuleProps } from './rule';

/**
 * Base class of rules that check every pod template of an object (see `PodTemplates.of`).
 */
export abstract class PodTemplateRule extends PolicyRule {
  protected constructor(props: PolicyRuleProps) {
    super(props);
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
 * ASYA-PSS-001: pods run as a non-root user.
 *
 * Why: a process running as uid 0 in a container is root on the node once it escapes the container runtime.
 * Fix: set `runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or every container; the library
 * does by default (`security.allowRoot` opts out).
 */
export class RunAsNonRootRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-001',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container runs as non-root (runAsNonRoot: true, runAsUser not 0)`,
      fix: 'Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod (or every container); use an image that runs as a non-root user.',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    const podSc = pod.spec?.securityContext ?? {};
    if (podSc.runAsUser === 0) {
      out.push(this.finding(manifest, jsonPath(pod.path, 'securityContext', 'runAsUser'),
        'pod runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid (the library uses 1000)'));
    }
    for (const c of pod.containers) {
      if (sc(c).runAsUser === 0) {
        out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'runAsUser'),
          `container "${c.name}" runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid`));
      }
      const nonRoot = sc(c).runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) {
        out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'runAsNonRoot'),
          `container "${c.name}" may run as root: set securityContext.runAsNonRoot: true on the pod or the container`));
      }
    }
    return out;
  }
}

/**
 * ASYA-PSS-002: no privilege escalation.
 *
 * Why: setuid binaries and file capabilities let a process gain more privileges than its parent.
 * Fix: `allowPrivilegeEscalation: false` on every container (the library's default).
 */
export class NoPrivilegeEscalationRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-002',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container sets allowPrivilegeEscalation: false`,
      fix: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return pod.containers.filter((c) => sc(c).allowPrivilegeEscalation !== false).map((c) =>
      this.finding(manifest, jsonPath(c.path, 'securityContext', 'allowPrivilegeEscalation'),
        `container "${c.name}" allows privilege escalation: set securityContext.allowPrivilegeEscalation: false`));
  }
}

/**
 * ASYA-PSS-003: capabilities dropped.
 *
 * Why: the runtime's default capability set (CHOWN, SETUID, NET_RAW, ...) is more than a model server needs.
 * Fix: `capabilities.drop: ["ALL"]` on every container, and add back NET_BIND_SERVICE at most.
 */
export class DropCapabilitiesRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-003',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container drops ALL capabilities and adds at most NET_BIND_SERVICE`,
      fix: 'Set securityContext.capabilities.drop: ["ALL"]; add back only NET_BIND_SERVICE, or listen on a port above 1023.',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    for (const c of pod.containers) {
      const caps = sc(c).capabilities ?? {};
      const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
      if (!drop.includes('ALL')) {
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
 */
export class SeccompProfileRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-004',
      level: PolicyLevel.ERROR,
      description: `${PSS}: every container runs with seccomp profile RuntimeDefault or Localhost`,
      fix: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile of your own).',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    const podType = pod.spec?.securityContext?.seccompProfile?.type;
    for (const c of pod.containers) {
      const type = sc(c).seccompProfile?.type ?? podType;
      if (type === 'RuntimeDefault' || type === 'Localhost') continue;
      const what = type === undefined ? 'has no seccomp profile' : `has seccomp profile ${JSON.stringify(type)}`;
      out.push(this.finding(manifest, jsonPath(c.path, 'securityContext', 'seccompProfile', 'type'),
        `container "${c.name}" ${what}: set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container`));
    }
    return out;
  }
}

/**
 * ASYA-PSS-005: no privileged containers.
 *
 * Why: a privileged container has every device and capability of the node.
 * Fix: remove `privileged: true`; GPU access goes through the device plugin (`nvidia.com/gpu` limits), not privilege.
 */
export class NoPrivilegedRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-005',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no container is privileged`,
      fix: 'Remove securityContext.privileged; request GPUs through resources.limits["nvidia.com/gpu"].',
    });
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
  public constructor() {
    super({
      id: 'ASYA-PSS-006',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no pod shares the node's network, PID or IPC namespace`,
      fix: 'Remove hostNetwork, hostPID and hostIPC from the pod spec; expose ports through a Service.',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return HOST_NAMESPACES.filter(([field]) => pod.spec?.[field] === true).map(([field, ns]) =>
      this.finding(manifest, jsonPath(pod.path, field),
        `pod sets ${field}: true and shares the node's ${ns} namespace: remove ${field}`));
  }
}

/** Volume types Pod Security `restricted` allows. */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * ASYA-PSS-007: no hostPath (restricted volume types only).
 *
 * Why: a hostPath volume reads or writes the node's file system (the container runtime socket, kubelet credentials).
 * Fix: use emptyDir for scratch space and model caches, a PersistentVolumeClaim or CSI volume for data.
 */
export class RestrictedVolumesRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-PSS-007',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no hostPath volumes; volumes of the restricted types only (${RESTRICTED_VOLUME_TYPES.join(', ')})`,
      fix: 'Replace hostPath (and other node-bound volume types) with emptyDir, a PersistentVolumeClaim, a CSI volume, configMap or secret.',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const volumes = Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : [];
    const out: PolicyFinding[] = [];
    volumes.forEach((v: any, i: number) => {
      const types = Object.keys(v ?? {}).filter((k) => k !== 'name');
      for (const type of types) {
        if (RESTRICTED_VOLUME_TYPES.includes(type)) continue;
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
  public constructor() {
    super({
      id: 'ASYA-PSS-008',
      level: PolicyLevel.ERROR,
      description: `${PSS}: no container port binds a hostPort`,
      fix: 'Remove ports[].hostPort; expose the containerPort through a Service.',
    });
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
