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
      description: 'No Role or ClusterRole rule has "*" in verbs, resources, apiGroups or nonResourceURLs',
      fix: 'List exactly the verbs, resources and apiGroups the workload needs (e.g. verbs: ["get", "list", "watch"]).',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    if (manifest?.apiVersion !== 'rbac.authorization.k8s.io/v1' || !['Role', 'ClusterRole'].includes(manifest.kind)) return [];
    const rules = Array.isArray(manifest.rules) ? manifest.rules : [];
    const out: PolicyFinding[] = [];
    rules.forEach((r: any, i: number) => {
      for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs']) {
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

function isRbacRole(manifest: any): boolean {
  return manifest?.apiVersion === 'rbac.authorization.k8s.io/v1' && ['Role', 'ClusterRole'].includes(manifest.kind);
}

/** Verbs that let a subject gain permissions it does not hold. */
const ESCALATING_VERBS: Array<[string, string]> = [
  ['escalate', 'create or update Roles granting permissions the subject does not hold'],
  ['bind', 'bind any Role, including ones with permissions the subject does not hold'],
  ['impersonate', 'act as other users, groups or ServiceAccounts'],
];

/**
 * ASYA-RBAC-002: no privilege-escalating verbs, and `nonResourceURLs` only in ClusterRoles.
 *
 * Why: `escalate`, `bind` and `impersonate` bypass RBAC's escalation prevention (kubernetes
 * `pkg/registry/rbac/escalation_check.go`, docs "Privilege escalation prevention and bootstrapping");
 * `nonResourceURLs` in a namespaced Role is rejected by the API server (`pkg/apis/rbac/validation`:
 * "namespaced rules cannot apply to non-resource URLs").
 * Fix: remove the verbs (a controller that must create RoleBindings gets the exact Roles via `resourceNames`
 * and its own permissions); move `nonResourceURLs` to a ClusterRole.
 */
export class NoRbacEscalationRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-RBAC-002',
      level: PolicyLevel.ERROR,
      description: 'No Role or ClusterRole grants escalate, bind or impersonate; only ClusterRoles set nonResourceURLs',
      fix: 'Remove the escalate, bind and impersonate verbs; put nonResourceURLs in a ClusterRole.',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    if (!isRbacRole(manifest)) return [];
    const rules = Array.isArray(manifest.rules) ? manifest.rules : [];
    const out: PolicyFinding[] = [];
    rules.forEach((r: any, i: number) => {
      const verbs: unknown[] = Array.isArray(r?.verbs) ? r.verbs : [];
      for (const [verb, what] of ESCALATING_VERBS) {
        const at = verbs.indexOf(verb);
        if (at >= 0) {
          out.push(this.finding(manifest, jsonPath('.', 'rules', i, 'verbs', at),
            `rule ${i} grants "${verb}", which lets the subject ${what}: remove it`));
        }
      }
      if (manifest.kind === 'Role' && Array.isArray(r?.nonResourceURLs) && r.nonResourceURLs.length > 0) {
        out.push(this.finding(manifest, jsonPath('.', 'rules', i, 'nonResourceURLs'),
          `rule ${i} of a namespaced Role sets nonResourceURLs, which the API server rejects: move it to a ClusterRole`));
      }
    });
    return out;
  }
}
