/**
 * Name rules the API server applies and a schema cannot express (apimachinery validation). The name
 * predicates themselves live in core/names.ts, shared with the constructs' own checks.
 */
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, labelValueProblem, qualifiedNameProblem } from '../core/names';

export { isDns1035Label, isDns1123Label, isDns1123Subdomain, labelValueProblem, qualifiedNameProblem };

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Kinds whose names must be DNS-1123 labels (not subdomains). */
const LABEL_NAMED = new Set(['Namespace']);
/** Kinds whose names are only path segments (RBAC allows `system:metrics-reader`). */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** Kinds whose names must be DNS-1035 labels. */
const DNS1035_NAMED = new Set(['Service']);

export interface NameProblem {
  readonly path: string;
  readonly message: string;
}

function checkLabels(labels: unknown, path: string, out: NameProblem[]): void {
  if (!labels || typeof labels !== 'object') return;
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const kp = qualifiedNameProblem(k);
    if (kp) out.push({ path, message: `label ${kp}` });
    if (typeof v === 'string') {
      const vp = labelValueProblem(v);
      if (vp) out.push({ path: `${path}["${k}"]`, message: vp });
    }
  }
}

/**
 * Object name, namespace, labels and ConfigMap/Secret keys, as the API server checks them.
 */
export function checkObjectNames(obj: any, scope: string): NameProblem[] {
  const out: NameProblem[] = [];
  const meta = obj.metadata ?? {};
  const name: unknown = meta.name;
  if (typeof name !== 'string' || name.length === 0) {
    if (typeof meta.generateName !== 'string') out.push({ path: '.metadata.name', message: 'missing required field "name"' });
  } else if (DNS1035_NAMED.has(obj.kind) && !isDns1035Label(name)) {
    out.push({ path: '.metadata.name', message: `"${name}" is not a valid ${obj.kind} name: must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, at most 63 characters)` });
  } else if (LABEL_NAMED.has(obj.kind) && !isDns1123Label(name)) {
    out.push({ path: '.metadata.name', message: `"${name}" is not a valid ${obj.kind} name: must be a DNS-1123 label (at most 63 characters)` });
  } else if (PATH_SEGMENT_NAMED.has(obj.kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      out.push({ path: '.metadata.name', message: `"${name}" is not a valid ${obj.kind} name: must not be "." or ".." or contain "/" or "%"` });
    }
  } else if (!isDns1123Subdomain(name)) {
    out.push({ path: '.metadata.name', message: `"${name}" is not a valid name: must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)` });
  }
  if (meta.namespace !== undefined) {
    if (scope === 'Cluster') {
      out.push({ path: '.metadata.namespace', message: `${obj.kind} is cluster-scoped and must not set a namespace` });
    } else if (typeof meta.namespace !== 'string' || !isDns1123Label(meta.namespace)) {
      out.push({ path: '.metadata.namespace', message: `"${meta.namespace}" is not a valid namespace: must be a DNS-1123 label` });
    }
  }
  checkLabels(meta.labels, '.metadata.labels', out);
  if (meta.annotations && typeof meta.annotations === 'object') {
    for (const k of Object.keys(meta.annotations)) {
      const kp = qualifiedNameProblem(k);
      if (kp) out.push({ path: '.metadata.annotations', message: `annotation ${kp}` });
    }
  }
  checkLabels(obj.spec?.template?.metadata?.labels, '.spec.template.metadata.labels', out);
  if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
    for (const field of ['data', 'binaryData', 'stringData']) {
      for (const k of Object.keys(obj[field] ?? {})) {
        if (k.length > 253 || !CONFIG_KEY.test(k)) {
          out.push({ path: `.${field}`, message: `key "${k}" must consist of alphanumerics, "-", "_" or "." (at most 253 characters)` });
        }
      }
    }
  }
  return out;
}
