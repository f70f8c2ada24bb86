import { PodSecurityRuleProps, PodTemplateRule } from './pod-security';
import { PodContainerRef, PodTemplateRef } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel } from './rule';

/*
 * The Pod Security `baseline` checks that `restricted` inherits, faithful to
 * kubernetes/pod-security-admission @ 8f84a87 (`policy/check_*.go`), at the rule's Kubernetes version.
 * Every one looks at the pod, init, main and ephemeral containers, as upstream's `visitContainers`.
 */

const BASELINE = 'Pod Security Standard "baseline" (and "restricted")';

function sc(c: PodContainerRef): any {
  return c.container?.securityContext ?? {};
}

/** The security context of the pod, then of each container, with its JSON path and who sets it. */
function contexts(pod: PodTemplateRef): Array<{ path: string; who: string; sc: any }> {
  return [
    { path: jsonPath(pod.path, 'securityContext'), who: 'pod', sc: pod.spec?.securityContext ?? {} },
    ...pod.containers.map((c) => ({ path: jsonPath(c.path, 'securityContext'), who: `container "${c.name}"`, sc: sc(c) })),
  ];
}

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * ASYA-PSS-009: AppArmor profile not overridden.
 *
 * Upstream `policy/check_appArmorProfile.go`: `appArmorProfile.type` of the pod and containers is
 * `RuntimeDefault`, `Localhost` or unset; the beta annotations `container.apparmor.security.beta.kubernetes.io/*`
 * are `runtime/default`, `localhost/*` or empty.
 */
export class AppArmorProfileRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-009',
      level: PolicyLevel.ERROR,
      description: `${BASELINE}: AppArmor profile is RuntimeDefault, Localhost or unset (never Unconfined)`,
      fix: 'Remove appArmorProfile (the runtime default applies) or set appArmorProfile.type: RuntimeDefault or Localhost.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    for (const x of contexts(pod)) {
      const p = x.sc.appArmorProfile;
      if (p === undefined || p === null) continue;
      if (p.type === 'RuntimeDefault' || p.type === 'Localhost') continue;
      out.push(this.finding(manifest, jsonPath(x.path, 'appArmorProfile', 'type'),
        `${x.who} sets AppArmor profile type ${JSON.stringify(p.type)}: use RuntimeDefault or Localhost, or remove it`));
    }
    for (const [k, v] of Object.entries(pod.annotations ?? {})) {
      if (!k.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
      if (v === '' || v === 'runtime/default' || (typeof v === 'string' && v.startsWith('localhost/'))) continue;
      out.push(this.finding(manifest, jsonPath(pod.path.replace(/\.spec$/, '.metadata'), 'annotations', k),
        `annotation ${k}=${JSON.stringify(v)} sets a forbidden AppArmor profile: use runtime/default or localhost/<profile>`));
    }
    return out;
  }
}

/**
 * ASYA-PSS-010: no custom SELinux user, role or type.
 *
 * Upstream `policy/check_seLinuxOptions.go`: `seLinuxOptions.type` is empty, `container_t`,
 * `container_init_t`, `container_kvm_t` (and `container_engine_t` from 1.31); `user` and `role` unset.
 */
export class SeLinuxOptionsRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-010',
      level: PolicyLevel.ERROR,
      description: `${BASELINE}: seLinuxOptions sets no user or role, and only the container SELinux types`,
      fix: 'Remove seLinuxOptions.user and .role; leave .type unset or use container_t.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const allowed = ['', 'container_t', 'container_init_t', 'container_kvm_t', ...(this.minor >= 31 ? ['container_engine_t'] : [])];
    const out: PolicyFinding[] = [];
    for (const x of contexts(pod)) {
      const o = x.sc.seLinuxOptions;
      if (o === undefined || o === null) continue;
      if (!allowed.includes(o.type ?? '')) {
        out.push(this.finding(manifest, jsonPath(x.path, 'seLinuxOptions', 'type'),
          `${x.who} sets SELinux type ${JSON.stringify(o.type)}: use one of ${allowed.filter((t) => t).join(', ')} or leave it unset`));
      }
      for (const f of ['user', 'role']) {
        if (typeof o[f] === 'string' && o[f].length > 0) {
          out.push(this.finding(manifest, jsonPath(x.path, 'seLinuxOptions', f),
            `${x.who} sets SELinux ${f} ${JSON.stringify(o[f])}: remove seLinuxOptions.${f}`));
        }
      }
    }
    return out;
  }
}

/**
 * ASYA-PSS-011: default /proc mount.
 *
 * Upstream `policy/check_procMount_baseline.go` and `check_procMount_restricted.go`: `procMount` is unset or
 * `Default` (from 1.35 baseline allows any value with `hostUsers: false`, restricted still does not; this
 * pack checks restricted).
 */
export class ProcMountRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-011',
      level: PolicyLevel.ERROR,
      description: 'Pod Security Standard "restricted": every container keeps the Default /proc mount',
      fix: 'Remove securityContext.procMount (or set it to Default).',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return pod.containers.filter((c) => sc(c).procMount !== undefined && sc(c).procMount !== null && sc(c).procMount !== 'Default').map((c) =>
      this.finding(manifest, jsonPath(c.path, 'securityContext', 'procMount'),
        `container "${c.name}" sets procMount ${JSON.stringify(sc(c).procMount)}: remove it (the Default /proc masks apply)`));
  }
}

const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_BY_VERSION: Array<[number, string[]]> = [
  [0, SYSCTLS_1_0],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

/** The sysctls Pod Security allows at Kubernetes `1.<minor>` (`policy/check_sysctls.go` @ 8f84a87). */
export function safeSysctls(minor: number): string[] {
  return SYSCTLS_BY_VERSION.filter(([v]) => minor >= v).flatMap(([, names]) => names);
}

/**
 * ASYA-PSS-012: safe sysctls only.
 *
 * Upstream `policy/check_sysctls.go`: `securityContext.sysctls[*].name` is one of the namespaced, isolated
 * sysctls of the version (5 at 1.0; more at 1.27, 1.29, 1.32 and 1.37).
 */
export class SafeSysctlsRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-012',
      level: PolicyLevel.ERROR,
      description: `${BASELINE}: the pod sets only the safe sysctls`,
      fix: 'Remove the sysctl, or set it on the node (a tuned node pool) instead of the pod.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const list = pod.spec?.securityContext?.sysctls;
    if (!Array.isArray(list)) return [];
    const safe = safeSysctls(this.minor);
    const out: PolicyFinding[] = [];
    list.forEach((s: any, i: number) => {
      if (safe.includes(s?.name)) return;
      out.push(this.finding(manifest, jsonPath(pod.path, 'securityContext', 'sysctls', i, 'name'),
        `pod sets sysctl ${JSON.stringify(s?.name)}, which Pod Security (Kubernetes 1.${this.minor}) forbids: allowed are ${safe.join(', ')}`));
    });
    return out;
  }
}

/**
 * ASYA-PSS-013: no Windows HostProcess containers.
 *
 * Upstream `policy/check_windowsHostProcess.go`: `windowsOptions.hostProcess` of the pod and containers is
 * unset or false.
 */
export class NoWindowsHostProcessRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-013',
      level: PolicyLevel.ERROR,
      description: `${BASELINE}: no pod or container is a Windows HostProcess`,
      fix: 'Remove securityContext.windowsOptions.hostProcess.',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    return contexts(pod).filter((x) => x.sc.windowsOptions?.hostProcess === true).map((x) =>
      this.finding(manifest, jsonPath(x.path, 'windowsOptions', 'hostProcess'),
        `${x.who} sets windowsOptions.hostProcess: true and runs on the host: remove it`));
  }
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const HOOKS = ['postStart', 'preStop'];

/**
 * ASYA-PSS-014: probes and lifecycle hooks target the pod itself.
 *
 * Upstream `policy/check_hostProbesAndhostLifecycle.go` (from Kubernetes 1.34): `httpGet.host` and
 * `tcpSocket.host` of probes and lifecycle handlers are unset or empty (a host makes the kubelet a proxy
 * to any address).
 */
export class NoProbeHostRule extends PodTemplateRule {
  public constructor(options: PodSecurityRuleProps = {}) {
    super({
      id: 'ASYA-PSS-014',
      level: PolicyLevel.ERROR,
      description: `${BASELINE} (Kubernetes 1.34+): probes and lifecycle hooks set no host`,
      fix: 'Remove httpGet.host and tcpSocket.host from probes and lifecycle hooks (they target the pod IP).',
    }, options);
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    if (this.minor < 34) return [];
    const out: PolicyFinding[] = [];
    for (const c of pod.containers) {
      const handlers: Array<[Array<string>, any]> = [
        ...PROBES.map((p): [string[], any] => [[p], c.container?.[p]]),
        ...HOOKS.map((h): [string[], any] => [['lifecycle', h], c.container?.lifecycle?.[h]]),
      ];
      for (const [keys, handler] of handlers) {
        for (const action of ['httpGet', 'tcpSocket']) {
          const host = handler?.[action]?.host;
          if (typeof host === 'string' && host !== '') {
            out.push(this.finding(manifest, jsonPath(c.path, ...keys, action, 'host'),
              `container "${c.name}" ${keys.join('.')} targets host ${JSON.stringify(host)}: remove ${action}.host (the kubelet probes the pod IP)`));
          }
        }
      }
    }
    return out;
  }
}
