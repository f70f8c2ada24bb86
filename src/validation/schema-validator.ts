import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { App, Chart } from 'cdk8s';
import { checkObjectNames } from './names';

/**
 * One problem found in one synthesized object.
 */
export interface ValidationIssue {
  /** The object, as `apiVersion/kind namespace/name` (namespace omitted for cluster-scoped objects). */
  readonly object: string;
  /** JSON path inside the object, e.g. `.spec.template.spec.containers[0].image`; `.` for the object itself. */
  readonly path: string;
  /** What is wrong and the rule it breaks. */
  readonly message: string;
}

interface IndexEntry {
  readonly file?: string;
  readonly definition?: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly source: string;
}

/**
 * Fields that a CRD leaves schemaless (`x-kubernetes-preserve-unknown-fields`) but its operator decodes
 * as a typed Kubernetes struct: validated against the Kubernetes 1.28 definition, as the operator would.
 */
const EMBEDDED: Record<string, Array<[string[], string]>> = {
  'asya.sh/v1alpha1/AsyncActor': [
    [['spec', 'workload', 'template', 'spec'], 'io.k8s.api.core.v1.PodSpec'],
    [['spec', 'workload', 'template', 'metadata'], 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
  ],
};

/** Where the shipped schema data lives: `<package>/schemas`, next to `lib/` and `src/`. */
const SCHEMA_DIR = path.join(__dirname, '..', '..', 'schemas');

let ajv: Ajv | undefined;
let index: Record<string, IndexEntry> | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): { ajv: Ajv; index: Record<string, IndexEntry> } {
  if (!ajv || !index) {
    index = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'index.json'), 'utf8')) as Record<string, IndexEntry>;
    ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'k8s-1.28.json'), 'utf8')));
  }
  return { ajv, index };
}

function validatorFor(gvk: string): ValidateFunction | undefined {
  const { ajv: a, index: idx } = load();
  const entry = idx[gvk];
  if (!entry) return undefined;
  let fn = compiled.get(gvk);
  if (!fn) {
    if (entry.file) {
      fn = a.compile(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, entry.file), 'utf8')));
    } else {
      fn = a.getSchema(`k8s#/definitions/${entry.definition}`)!;
    }
    compiled.set(gvk, fn);
  }
  return fn;
}

/** `.spec.containers[0]["asya.sh/asya"]` from ajv's `/spec/containers/0/asya.sh~1asya`. */
function toJsonPath(instancePath: string): string {
  if (!instancePath) return '.';
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? `.${seg}` : `["${seg}"]`))
    .join('');
}

function describe(e: ErrorObject): string {
  const data = JSON.stringify(e.data);
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${(e.params as any).additionalProperty}" (the schema does not allow it)`;
    case 'required':
      return `missing required field "${(e.params as any).missingProperty}"`;
    case 'enum':
      return `value ${data} is not one of ${JSON.stringify((e.params as any).allowedValues)}`;
    case 'const':
      return `value ${data} must be ${JSON.stringify((e.params as any).allowedValue)}`;
    case 'type':
      return `value ${data} must be of type ${(e.params as any).type}`;
    case 'pattern':
      if (String((e.params as any).pattern).includes('[KMGTPE]i')) return `value ${data} is not a valid quantity (e.g. 500m, 1Gi, 2)`;
      return `value ${data} does not match the pattern ${(e.params as any).pattern}`;
    case 'anyOf':
      if (JSON.stringify(e.schema).includes('[KMGTPE]i')) return `value ${data} is not a valid quantity (e.g. 500m, 1Gi, 2)`;
      return `value ${data} matches none of the allowed forms`;
    default:
      return `value ${data} ${e.message}`;
  }
}

/** Drops the per-branch noise under a failed anyOf/oneOf: the branch summary says it better. */
function prune(errors: ErrorObject[]): ErrorObject[] {
  const branchParents = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  return errors.filter((e) => !branchParents.some((p) => e.schemaPath.startsWith(p) && e.schemaPath !== p.slice(0, -1)));
}

function objectRef(obj: any, scope?: string): string {
  const gvk = `${obj?.apiVersion ?? '<no apiVersion>'}/${obj?.kind ?? '<no kind>'}`;
  const name = obj?.metadata?.name ?? obj?.metadata?.generateName ?? '<no name>';
  const ns = scope === 'Cluster' ? undefined : obj?.metadata?.namespace;
  return `${gvk} ${ns ? `${ns}/` : ''}${name}`;
}

/**
 * Validates synthesized Kubernetes objects against the pinned schemas, the way an API server with
 * strict field validation would: CRD `openAPIV3Schema` of the CRDs in `imports/` and the Kubernetes
 * 1.28 definitions for core kinds. Unknown fields, unknown kinds, missing required fields, values
 * outside enums or patterns, unparsable quantities and invalid object names are reported.
 *
 * It runs offline, from schema data shipped with this package. CEL rules (`x-kubernetes-validations`)
 * are not evaluated here; the constructs enforce the ones that matter in their constructors.
 */
export class SchemaValidator {
  /**
   * The `apiVersion/kind` pairs this validator has schemas for, sorted.
   */
  public static knownKinds(): string[] {
    return Object.keys(load().index).sort();
  }

  /**
   * Validates one manifest (a plain object, as synthesized).
   * @returns the issues found; empty when the object is valid
   */
  public static validateObject(manifest: any): ValidationIssue[] {
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      return [{ object: '<not an object>', path: '.', message: `expected a Kubernetes object, got ${JSON.stringify(manifest)}` }];
    }
    const gvk = `${manifest.apiVersion}/${manifest.kind}`;
    const entry = load().index[gvk];
    const ref = objectRef(manifest, entry?.scope);
    if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
      return [{ object: ref, path: '.', message: 'apiVersion and kind are required' }];
    }
    const fn = validatorFor(gvk);
    if (!fn || !entry) {
      return [{
        object: ref,
        path: '.',
        message: `unknown kind ${gvk}: no pinned schema (known: see SchemaValidator.knownKinds())`,
      }];
    }
    const issues: ValidationIssue[] = [];
    if (!fn(manifest)) {
      for (const e of prune(fn.errors ?? [])) {
        issues.push({ object: ref, path: toJsonPath(e.instancePath), message: describe(e) });
      }
    }
    for (const [fieldPath, definition] of EMBEDDED[gvk] ?? []) {
      const value = fieldPath.reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), manifest);
      if (value === undefined) continue;
      const sub = load().ajv.getSchema(`k8s#/definitions/${definition}`)!;
      if (!sub(value)) {
        const prefix = '/' + fieldPath.join('/');
        for (const e of prune(sub.errors ?? [])) {
          issues.push({ object: ref, path: toJsonPath(prefix + e.instancePath), message: describe(e) });
        }
      }
    }
    for (const n of checkObjectNames(manifest, entry.scope)) issues.push({ object: ref, path: n.path, message: n.message });
    return issues;
  }

  /**
   * Validates many manifests.
   */
  public static validateObjects(manifests: any[]): ValidationIssue[] {
    return manifests.flatMap((m) => SchemaValidator.validateObject(m));
  }

  /**
   * Validates every object of every chart of a cdk8s app (without writing files).
   */
  public static validateApp(app: App): ValidationIssue[] {
    return app.charts.flatMap((c: Chart) => SchemaValidator.validateObjects(c.toJson()));
  }

  /**
   * Validates every object of a chart.
   */
  public static validateChart(chart: Chart): ValidationIssue[] {
    return SchemaValidator.validateObjects(chart.toJson());
  }

  /**
   * Throws one error listing every issue of the app, if there is any.
   */
  public static assertValid(app: App): void {
    const issues = SchemaValidator.validateApp(app);
    if (issues.length > 0) throw new Error(SchemaValidator.format(issues));
  }

  /**
   * Formats issues one per line: `<object> <path>: <message>`.
   */
  public static format(issues: ValidationIssue[]): string {
    return `${issues.length} schema validation issue(s):\n` + issues.map((i) => `  ${i.object} ${i.path}: ${i.message}`).join('\n');
  }
}
