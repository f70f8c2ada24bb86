import { PodTemplateRule } from './pod-security';
import { ContainerRole, PodTemplateRef } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel } from './rule';

/**
 * ASYA-RES-001: every container sets cpu and memory limits (and so requests, which default to them).
 *
 * Why: a container without limits can take a whole GPU node's memory or CPU and starve its neighbours;
 * without requests the scheduler packs it blindly. The library never applies hidden defaults.
 * Fix: set `resources.limits.cpu` and `resources.limits.memory` (and requests when they should be lower).
 */
export class ResourceLimitsRule extends PodTemplateRule {
  public constructor() {
    super({
      id: 'ASYA-RES-001',
      level: PolicyLevel.ERROR,
      description: 'Every container sets cpu and memory limits (requests default to the limits)',
      fix: 'Set resources.limits.cpu and resources.limits.memory on every container (and requests when they should be lower).',
    });
  }

  protected checkPod(manifest: any, pod: PodTemplateRef, _context: PolicyContext): PolicyFinding[] {
    const out: PolicyFinding[] = [];
    // Ephemeral containers cannot set resources.
    for (const c of pod.containers.filter((x) => x.role !== ContainerRole.EPHEMERAL)) {
      // A partial pod spec (an override merged by its controller) may leave resources to the base.
      if (pod.partial && c.container?.resources === undefined) continue;
      const limits = c.container?.resources?.limits ?? {};
      const requests = c.container?.resources?.requests ?? {};
      const missing: string[] = [];
      for (const r of ['cpu', 'memory']) {
        if (limits[r] === undefined) missing.push(`limits.${r}`);
        if (requests[r] === undefined && limits[r] === undefined) missing.push(`requests.${r}`);
      }
      if (missing.length > 0) {
        out.push(this.finding(manifest, jsonPath(c.path, 'resources'),
          `container "${c.name}" sets no ${missing.join(', ')}: set resources.limits.cpu and resources.limits.memory (requests default to the limits)`));
      }
    }
    return out;
  }
}
