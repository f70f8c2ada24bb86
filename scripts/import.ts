/**
 * `npx projen import`: regenerate everything derived from the pinned upstream files in `imports/`.
 *
 * 1. Checks the sha256 of every file listed in `imports/crds.json` (fails on any mismatch).
 * 2. Regenerates `src/imports/` with `cdk8s import` (offline: local files only), keeping only what the
 *    library uses: the full L1 classes of the modules in `TYPED_MODULES` (the objects it constructs), and
 *    for every other CRD a small module that exports, under the same class names, only each kind's
 *    `GVK` (apiVersion and kind). The full L1 code of every CRD was 39 of the 45 MB of the published `lib/`
 *    and most of the library's `require` time (docs/benchmark.md).
 * 3. Regenerates the minified validation schemas in `schemas/` (CRD storage versions and the subset of
 *    the Kubernetes 1.28 definitions this library emits), converted for ajv.
 *
 * Deterministic: the same inputs always produce byte-identical outputs.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { crdToJsonSchema, dedupeSubschemas, k8sDefinitionsToJsonSchema } from './schema-convert';

const root = path.resolve(__dirname, '..');
const importsDir = path.join(root, 'imports');
const l1Dir = path.join(root, 'src', 'imports');
const schemaDir = path.join(root, 'schemas');

interface CrdEntry {
  readonly project: string;
  readonly repository: string;
  readonly version: string;
  readonly file: string;
  readonly module: string;
  readonly sha256: string;
}

interface Manifest {
  readonly crds: CrdEntry[];
  readonly kubernetes: { file: string; sha256: string; version: string };
}

/** Core kinds the library (or its users through it) emits; their definitions closure is shipped. */
const CORE_KINDS: Array<[string, string]> = [
  ['v1', 'Namespace'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'Pod'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['scheduling.k8s.io/v1', 'PriorityClass'],
];

/**
 * The `imports/crds.json` modules whose typed L1 classes the library constructs (`new X(...)` in src/);
 * they are shipped whole. Every other module is reduced to the apiVersion/kind of its kinds. None today:
 * every object is an `ApiObject` of plain JSON (an L1 class converts its props once more at every synth,
 * docs/benchmark.md). Add a module here only when a construct must build the L1 class itself.
 */
const TYPED_MODULES: ReadonlySet<string> = new Set<string>();

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function checkHashes(manifest: Manifest): void {
  const bad: string[] = [];
  for (const e of [...manifest.crds, manifest.kubernetes]) {
    const actual = sha256(path.join(importsDir, e.file));
    if (actual !== e.sha256) bad.push(`${e.file}: expected ${e.sha256}, got ${actual}`);
  }
  if (bad.length) {
    throw new Error(`imports/: sha256 mismatch (a pinned file changed; update imports/crds.json deliberately):\n  ${bad.join('\n  ')}`);
  }
}

function generateL1(manifest: Manifest): void {
  fs.rmSync(l1Dir, { recursive: true, force: true });
  fs.mkdirSync(l1Dir, { recursive: true });
  // Run in an empty directory so cdk8s never reads or writes a cdk8s.yaml of ours; write to a scratch
  // directory, then keep in src/imports/ only what is used.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-asya-import-'));
  const out = path.join(tmp, 'out');
  const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
  const unknown = [...TYPED_MODULES].filter((m) => !manifest.crds.some((e) => e.module === m));
  if (unknown.length) throw new Error(`TYPED_MODULES names modules absent from imports/crds.json: ${unknown.join(', ')}`);
  const lines: string[] = [];
  try {
    for (const e of manifest.crds) {
      execFileSync(cli, ['import', `${e.module}:=${path.join(importsDir, e.file)}`, '-o', out, '-l', 'typescript', '--no-check-upgrade'], {
        cwd: tmp,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    // cdk8s names each file `<module>-<group>.ts`; keep the names (src/ imports these paths).
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.ts')).sort();
    for (const e of manifest.crds) {
      const file = files.find((f) => f.startsWith(`${e.module}-`));
      if (!file) throw new Error(`cdk8s import wrote no file for ${e.module}`);
      const source = fs.readFileSync(path.join(out, file), 'utf8');
      const text = TYPED_MODULES.has(e.module) ? source : gvkModule(source, e, file);
      fs.writeFileSync(path.join(l1Dir, file), text);
      lines.push(`export * as ${camel(e.module)} from './${file.replace(/\.ts$/, '')}';`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const header = '// generated by `npx projen import` from imports/crds.json; do not edit\n';
  fs.writeFileSync(path.join(l1Dir, 'index.ts'), header + lines.sort().join('\n') + '\n');
}

/**
 * The apiVersion/kind-only module of one CRD: for each L1 class `cdk8s import` generated (one per served
 * version), a constant of the same name with the same `GVK`, so `X.GVK` in src/ reads the same values.
 */
function gvkModule(source: string, e: CrdEntry, file: string): string {
  const classes = [...source.matchAll(/^export class (\w+) extends ApiObject \{/gm)].map((m) => m[1]);
  const gvks = [...source.matchAll(
    /^export class (\w+) extends ApiObject \{\n(?:.*\n){0,6}?\s*public static readonly GVK: GroupVersionKind = \{\n\s*apiVersion: '([^']+)',\n\s*kind: '([^']+)',\n\s*\}/gm)]
    .map((m) => ({ name: m[1], apiVersion: m[2], kind: m[3] }));
  if (!classes.length || gvks.length !== classes.length) {
    throw new Error(`${file}: found ${classes.length} L1 classes but ${gvks.length} GVKs; has the cdk8s import output changed?`);
  }
  const out = [
    `// generated by \`npx projen import\` from imports/${e.file} (${e.repository} ${e.version}); do not edit`,
    '// apiVersion/kind only: the library builds these objects as ApiObjects and validates them against schemas/.',
    '// The full L1 classes are generated only for the modules in TYPED_MODULES (scripts/import.ts).',
    "import type { GroupVersionKind } from 'cdk8s';",
  ];
  for (const g of gvks) {
    out.push('',
      `/** apiVersion and kind of "${g.kind}" (${g.apiVersion}). */`,
      `export const ${g.name}: { readonly GVK: GroupVersionKind } = {`,
      `  GVK: { apiVersion: '${g.apiVersion}', kind: '${g.kind}' },`,
      '};');
  }
  return out.join('\n') + '\n';
}

function camel(s: string): string {
  return s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function generateSchemas(manifest: Manifest): void {
  fs.rmSync(schemaDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(schemaDir, 'crds'), { recursive: true });
  const index: Record<string, string> = {};
  for (const e of manifest.crds) {
    const crd = parse(fs.readFileSync(path.join(importsDir, e.file), 'utf8'));
    const group: string = crd.spec.group;
    const kind: string = crd.spec.names.kind;
    const storage = (crd.spec.versions as any[]).find((v) => v.storage);
    const apiVersion = `${group}/${storage.name}`;
    const schema = dedupeSubschemas(crdToJsonSchema(storage.schema.openAPIV3Schema, apiVersion, kind));
    const file = `crds/${group}_${storage.name}_${kind}.json`;
    fs.writeFileSync(path.join(schemaDir, file), JSON.stringify(schema));
    index[`${apiVersion}/${kind}`] = JSON.stringify({ file, scope: crd.spec.scope, source: `${e.repository}@${e.version}` });
  }
  const defs = JSON.parse(fs.readFileSync(path.join(importsDir, manifest.kubernetes.file), 'utf8')).definitions;
  const { schema, kinds } = k8sDefinitionsToJsonSchema(defs, CORE_KINDS);
  fs.writeFileSync(path.join(schemaDir, 'k8s-1.28.json'), JSON.stringify(schema));
  for (const [gvk, info] of Object.entries(kinds)) {
    index[gvk] = JSON.stringify({ definition: info.definition, scope: info.scope, source: `kubernetes@${manifest.kubernetes.version}` });
  }
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(index).sort()) sorted[k] = JSON.parse(index[k]);
  fs.writeFileSync(path.join(schemaDir, 'index.json'), JSON.stringify(sorted, null, 1) + '\n');
}

function main(): void {
  const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(importsDir, 'crds.json'), 'utf8'));
  checkHashes(manifest);
  const only = process.argv.includes('--schemas-only');
  if (!only) generateL1(manifest);
  generateSchemas(manifest);
  process.stdout.write(`imports: ${manifest.crds.length} CRDs verified; ${only ? '' : 'src/imports/ and '}schemas/ regenerated\n`);
}

main();
