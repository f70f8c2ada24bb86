import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from './rule';

/**
 * ASYA-RBAC-001: no wildcard in Role and ClusterRole rules.
 *
 * Why: `*` grants every verb, resource or API group, including the ones added later by new CRDs
 * (secrets, pods/exec, the operator's own resources).
 * Fix: list exactly the verbs, resources and API groups the workload needs.
 */
export class NoRbacWildcardRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-RBAC-001',
      level: PolicyLevel.ERROR,
      description: 'No Role or ClusterRole rule has "*" in verbs, resources or apiGroups',
      fix: 'List exactly the verbs, resources and apiGroups the workload needs (e.g. verbs: ["get", "list", "watch"]).',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    if (manifest?.apiVersion !== 'rbac.authorization.k8s.io/v1' || !['Role', 'ClusterRole'].includes(manifest.kind)) return [];
    const rules = Array.isArray(manifest.rules) ? manifest.rules : [];
    const out: PolicyFinding[] = [];
    rules.forEach((r: any, i: number) => {
      for (const field of ['apiGroups', 'resources', 'verbs']) {
        const list = r?.[field];
        if (Array.isArray(list) && list.includes('*')) {
          out.push(this.finding(manifest, jsonPath('.', 'rules', i, field),
            `rule ${i} grants "*" in ${field}: list the ${field} the workload needs`));
        }
      }
    });
    return out;
  }
}
