/**
 * Converts upstream schemas (CRD openAPIV3Schema, Kubernetes definitions) into JSON Schema that ajv
 * evaluates the way an API server with strict field validation does:
 * - unknown fields are errors (`additionalProperties: false`) unless `x-kubernetes-preserve-unknown-fields`;
 * - `x-kubernetes-int-or-string` accepts an integer or a string; `nullable` accepts null;
 * - `x-kubernetes-embedded-resource` allows apiVersion/kind/metadata;
 * - Quantity strings must parse; IntOrString is an integer or a string;
 * - descriptions, defaults, formats and CEL rules are dropped (CEL rules that matter are enforced by
 *   the constructs themselves).
 */

const KEEP = new Set([
  'type', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'pattern', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', 'multipleOf',
]);

/** The API server's Quantity grammar (k8s.io/apimachinery/pkg/api/resource). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const K8S_REF = 'k8s#/definitions/';

/**
 * @param node a schema node
 * @param structural true for a node that describes a value (strictness applies), false inside
 *        anyOf/allOf/oneOf/not branches, which only add value validations
 */
function convertCrdNode(node: any, structural: boolean): any {
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const key of Object.keys(node).sort()) {
    if (!KEEP.has(key)) continue;
    const v = node[key];
    if (key === 'properties') {
      out.properties = {};
      for (const p of Object.keys(v).sort()) out.properties[p] = convertCrdNode(v[p], true);
    } else if (key === 'items' || (key === 'additionalProperties' && typeof v === 'object')) {
      out[key] = convertCrdNode(v, true);
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      out[key] = (v as any[]).map((b) => convertCrdNode(b, false));
    } else if (key === 'not') {
      out.not = convertCrdNode(v, false);
    } else {
      out[key] = v;
    }
  }
  // OpenAPI 3.0 boolean exclusive bounds -> JSON Schema draft-07 numeric bounds.
  if (out.exclusiveMinimum === true) { out.exclusiveMinimum = out.minimum; delete out.minimum; }
  if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true) { out.exclusiveMaximum = out.maximum; delete out.maximum; }
  if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;

  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.type = ['integer', 'string'];
  }
  if (node['x-kubernetes-embedded-resource']) {
    out.properties = out.properties ?? {};
    out.properties.apiVersion = out.properties.apiVersion ?? { type: 'string' };
    out.properties.kind = out.properties.kind ?? { type: 'string' };
    out.properties.metadata = out.properties.metadata ?? { type: 'object' };
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (structural && !preserve && out.type === 'object' && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
    if (out.enum) out.enum = [...out.enum, null];
  }
  return out;
}

/** A CRD version's openAPIV3Schema as one self-contained JSON Schema (ObjectMeta from the k8s schema). */
export function crdToJsonSchema(openApi: any, apiVersion: string, kind: string): any {
  const schema = convertCrdNode(openApi, true);
  schema.properties = schema.properties ?? {};
  schema.properties.apiVersion = { const: apiVersion };
  schema.properties.kind = { const: kind };
  schema.properties.metadata = { $ref: `${K8S_REF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` };
  schema.required = Array.from(new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])).sort();
  schema.additionalProperties = false;
  return schema;
}

function convertK8sNode(node: any, structural: boolean): any {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => convertK8sNode(n, structural));
  const out: any = {};
  for (const key of Object.keys(node).sort()) {
    if (!KEEP.has(key)) continue;
    const v = node[key];
    if (key === 'properties') {
      out.properties = {};
      for (const p of Object.keys(v).sort()) out.properties[p] = convertK8sNode(v[p], true);
    } else if (key === '$ref') {
      out.$ref = (v as string).replace('#/definitions/', K8S_REF);
    } else if (key === 'items' || (key === 'additionalProperties' && typeof v === 'object')) {
      out[key] = convertK8sNode(v, true);
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      out[key] = (v as any[]).map((b) => convertK8sNode(b, false));
    } else {
      out[key] = v;
    }
  }
  if (structural && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function collectRefs(node: any, acc: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach((n) => collectRefs(n, acc)); return; }
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') acc.add(v.replace('#/definitions/', ''));
    else collectRefs(v, acc);
  }
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass']);

/**
 * The subset of the Kubernetes definitions reachable from the given kinds, converted for ajv.
 * Returns the schema (with `$id: k8s`) and, per `apiVersion/kind`, its definition name and scope.
 */
export function k8sDefinitionsToJsonSchema(
  defs: Record<string, any>,
  kinds: Array<[string, string]>,
): { schema: any; kinds: Record<string, { definition: string; scope: string }> } {
  const found: Record<string, { definition: string; scope: string }> = {};
  for (const [apiVersion, kind] of kinds) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const name = Object.keys(defs).find((d) =>
      (defs[d]['x-kubernetes-group-version-kind'] ?? []).some((g: any) => g.group === group && g.version === version && g.kind === kind),
    );
    if (!name) throw new Error(`k8s definitions: no definition for ${apiVersion}/${kind}`);
    found[`${apiVersion}/${kind}`] = { definition: name, scope: CLUSTER_SCOPED.has(kind) ? 'Cluster' : 'Namespaced' };
  }
  // Closure over $ref, always including ObjectMeta (CRD schemas reference it).
  const needed = new Set<string>([...Object.values(found).map((f) => f.definition), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  const queue = [...needed];
  while (queue.length) {
    const d = queue.pop()!;
    const refs = new Set<string>();
    collectRefs(defs[d], refs);
    for (const r of refs) if (!needed.has(r)) { needed.add(r); queue.push(r); }
  }
  const out: Record<string, any> = {};
  for (const d of [...needed].sort()) {
    if (d === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
      out[d] = { anyOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] };
    } else if (d === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') {
      out[d] = { type: ['integer', 'string'] };
    } else {
      out[d] = convertK8sNode(defs[d], true);
    }
  }
  // Top-level objects: apiVersion and kind must be exactly the kind's, and metadata is required. This goes
  // in a wrapper definition: the same definition is also embedded (e.g. PVCs in volumeClaimTemplates),
  // where apiVersion and kind are optional.
  for (const [gvk, f] of Object.entries(found)) {
    const [apiVersion, kind] = [gvk.substring(0, gvk.lastIndexOf('/')), gvk.substring(gvk.lastIndexOf('/') + 1)];
    const wrapper = `toplevel.${gvk.replace(/\//g, '.')}`;
    out[wrapper] = {
      allOf: [{ $ref: `${K8S_REF}${f.definition}` }],
      properties: { apiVersion: { const: apiVersion }, kind: { const: kind } },
      required: ['apiVersion', 'kind', 'metadata'],
    };
    f.definition = wrapper;
  }
  return { schema: { $id: 'k8s', definitions: out }, kinds: found };
}

/**
 * Factors repeated subschemas (CRDs repeat whole PodSpecs many times) into `definitions` referenced by
 * `$ref`, so the shipped data is smaller and ajv compiles each shape once. Deterministic: definitions
 * are numbered in traversal order (keys are sorted).
 */
export function dedupeSubschemas(schema: any, minSize = 400): any {
  const defs = new Map<string, { name: string; node: any; uses: number }>();
  const walk = (node: any, isRoot: boolean): any => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    const out: any = {};
    for (const k of Object.keys(node)) {
      if (k === 'properties') {
        out.properties = {};
        for (const p of Object.keys(node.properties)) out.properties[p] = walk(node.properties[p], false);
      } else {
        out[k] = walk(node[k], false);
      }
    }
    if (isRoot) return out;
    const key = JSON.stringify(out);
    if (key.length < minSize) return out;
    let d = defs.get(key);
    if (!d) {
      d = { name: `s${defs.size}`, node: out, uses: 0 };
      defs.set(key, d);
    }
    d.uses++;
    return { $ref: `#/definitions/${d.name}` };
  };
  const root = walk(schema, true);
  // Inline the definitions used once: indirection only pays for shapes that repeat.
  const byName = new Map([...defs.values()].map((d) => [d.name, d]));
  const inline = (node: any): any => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(inline);
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/definitions/s')) {
      const d = byName.get(node.$ref.substring('#/definitions/'.length))!;
      if (d.uses === 1) return inline(d.node);
      return node;
    }
    const out: any = {};
    for (const k of Object.keys(node)) {
      if (k === 'properties') {
        out.properties = {};
        for (const p of Object.keys(node.properties)) out.properties[p] = inline(node.properties[p]);
      } else {
        out[k] = inline(node[k]);
      }
    }
    return out;
  };
  const result = inline(root);
  const kept = [...defs.values()].filter((d) => d.uses > 1);
  if (kept.length) {
    result.definitions = {};
    for (const d of kept) result.definitions[d.name] = inline(d.node);
  }
  return result;
}
