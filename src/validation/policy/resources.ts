import { PodTemplateRule } from './pod-security';
import { ContainerRole, PodTemplateRef } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel } from './rule';

/** The cpu and memory limits and requests `resources` lacks (a request defaults to its limit). */
function missingLimits(resources: any): string[] {
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  const missing: string[] = [];
  for (const r of ['cpu', 'memory']) {
    if (limits[r] === undefined) missing.push(`limits.${r}`);
    if (requests[r] === undefined && limits[r] === undefined) missing.push(`requests.${r}`);
  }
  return missing;
}

/**
 * ASYA-RES-001: every container sets cpu and memory limits (and so requests, which default to them),
 * the `asya-sidecar` the Asya operator injects into an AsyncActor's pods included: it copies
 * `spec.sidecar.resources` verbatim and applies no default (deliveryhero/asya
 * src/asya-operator/internal/controller/asya_controller.go:686 @ v0.1.1).
 *
 * Why: a container without limits can take a whole GPU node's memory or CPU and starve its neighbours;
 * without requests the scheduler packs it blindly. The library never applies hidden defaults.
 * Fix: set `resources.limits.cpu` and `resources.limits.memory` (and requests when they should be lower);
 * for the sidecar, `spec.sidecar.resources`.
 */
export class ResourceLimitsRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-RES-001',
      level: PolicyLevel.ERROR,
      description: 'Every container, an AsyncActor\'s injected sidecar included, sets cpu and memory limits (requests default to the limits)',
      fix: 'Set resources.limits.cpu and resources.limits.memory on every container, spec.sidecar.resources on an AsyncActor (and requests when they should be lower).',
    });
  }

  public check(manifest: any, context: PolicyContext): PolicyFinding[] {
    const out = super.check(manifest, context);
    if (manifest?.kind === 'AsyncActor' && String(manifest?.apiVersion ?? '').startsWith('asya.sh/')) {
      const missing = missingLimits(manifest.spec?.sidecar?.resources);
      if (missing.length > 0) {
        out.push(this.finding(manifest, '.spec.sidecar.resources',
          `container "asya-sidecar" (injected by the operator from spec.sidecar) sets no ${missing.join(', ')}: set spec.sidecar.resources.limits.cpu and spec.sidecar.resources.limits.memory (the operator applies no default)`));
      }
    }
    return out;
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    // Ephemeral containers cannot set resources.
    for (const c of pod.containers.filter((x) => x.role !== ContainerRole.EPHEMERAL)) {
      // A partial pod spec (an override merged by its controller) may leave resources to the base.
      if (pod.partial && c.container?.resources === undefined) continue;
      const missing = missingLimits(c.container?.resources);
      if (missing.length > 0) {
        out.push(this.finding(manifest, jsonPath(c.path, 'resources'),
          `container "${c.name}" sets no ${missing.join(', ')}: set resources.limits.cpu and resources.limits.memory (requests default to the limits)`));
      }
    }
    return out;
  }
}
