/**
 * `cdk8s-asya lint`: checks any Kubernetes manifests (written by hand, rendered by Helm, synthesized by
 * anything) with the schema validation, the Pod Security and policy rules and the Asya actor rules.
 *
 * Not part of the jsii API (not exported from the package index): the `cdk8s-asya` command runs it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { podSecurityMinor } from '../validation/policy/pod-security';
import { Policy } from '../validation/policy/policy';
import { IPolicyRule, PolicyContext, PolicyLevel, PolicyRule } from '../validation/policy/rule';
import { readSuppressions } from '../validation/policy/suppressions';
import { SchemaValidator } from '../validation/schema-validator';

/** The rule id schema issues are reported under (suppressible like any rule). */
export const LINT_SCHEMA_RULE = 'ASYA-SCHEMA';
/** The rule id of a file or document that cannot be read or parsed. */
export const LINT_PARSE_RULE = 'ASYA-YAML';

/** One finding of the linter. */
export interface LintFinding {
  readonly file: string;
  /** 1-based line of the document (or of the parse error). */
  readonly line: number;
  readonly ruleId: string;
  readonly level: PolicyLevel;
  readonly object: string;
  readonly path: string;
  readonly message: string;
  readonly suppressed?: boolean;
  readonly suppressionReason?: string;
}

/** What `lint` writes and returns. */
export interface LintResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly findings: LintFinding[];
}

const USAGE = `Usage: cdk8s-asya lint [options] <file or directory>...

Checks Kubernetes manifests (YAML or JSON, multi-document files included; directories are searched for
*.yaml, *.yml and *.json) with the pinned schemas, the Pod Security and policy rules and the Asya actor rules.

Options:
  --format text|json            output format (default text: one line per finding)
  --skip-rule <id>              do not run a rule (repeatable; prefer per-object suppressions)
  --kubernetes-version <1.N>    Pod Security version to follow (default: latest, 1.37)
  --no-schema                   skip the schema validation
  --fail-on-warnings            exit 1 on warnings too
  --show-suppressed             list suppressed findings in text output
  -h, --help                    this help

Suppress a finding on one object with the annotation
  cdk8s-asya.io/suppress: '[{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]'

Exit codes: 0 no error, 1 findings, 2 usage error.`;

interface Options {
  format: 'text' | 'json';
  skipRules: string[];
  kubernetesVersion?: string;
  schema: boolean;
  failOnWarnings: boolean;
  showSuppressed: boolean;
  paths: string[];
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = { format: 'text', skipRules: [], schema: true, failOnWarnings: false, showSuppressed: false, paths: [] };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') && a.includes('=') ? a.indexOf('=') : -1;
    const flag = eq >= 0 ? a.substring(0, eq) : a;
    const inline = eq >= 0 ? a.substring(eq + 1) : undefined;
    const take = () => { if (inline !== undefined) return inline; const v = value(i, flag); i++; return v; };
    switch (flag) {
      case '--format': {
        const f = take();
        if (f !== 'text' && f !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(f)}`);
        o.format = f;
        break;
      }
      case '--skip-rule': o.skipRules.push(take()); break;
      case '--kubernetes-version': {
        o.kubernetesVersion = take();
        try { podSecurityMinor(o.kubernetesVersion); } catch (e) { throw new UsageError((e as Error).message); }
        break;
      }
      case '--no-schema': o.schema = false; break;
      case '--fail-on-warnings': o.failOnWarnings = true; break;
      case '--show-suppressed': o.showSuppressed = true; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  if (o.paths.length === 0) throw new UsageError('no file or directory to lint');
  return o;
}

function filesOf(p: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new UsageError(`${p}: no such file or directory`);
  }
  if (st.isFile()) return [p];
  if (!st.isDirectory()) throw new UsageError(`${p}: not a file or directory`);
  return fs.readdirSync(p).sort().flatMap((name) => {
    const child = path.join(p, name);
    if (name.startsWith('.') || name === 'node_modules') return [];
    if (fs.statSync(child).isDirectory()) return filesOf(child);
    return /\.(ya?ml|json)$/i.test(name) ? [child] : [];
  });
}

interface Doc {
  readonly manifest: any;
  readonly file: string;
  readonly line: number;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Reads every document of a file (`kind: List` items expanded); parse problems become findings. */
function readDocs(file: string, problems: LintFinding[]): Doc[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Doc[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    const line = lineAt(text, (doc.contents as any)?.range?.[0] ?? doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({ file, line: e.linePos?.[0]?.line ?? line, ruleId: LINT_PARSE_RULE, level: PolicyLevel.ERROR, object: '<document>', path: '.', message: e.message.split('\n')[0].replace(/:$/, '') });
      }
      continue;
    }
    const m = doc.toJS();
    if (m === null || m === undefined) continue; // empty documents (comments only, `---` runs): Helm emits them
    if (typeof m !== 'object' || Array.isArray(m)) {
      problems.push({ file, line, ruleId: LINT_PARSE_RULE, level: PolicyLevel.ERROR, object: '<document>', path: '.', message: `expected a Kubernetes object, got ${JSON.stringify(m).substring(0, 60)}` });
      continue;
    }
    if (typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items)) {
      for (const item of m.items) out.push({ manifest: item, file, line });
    } else {
      out.push({ manifest: m, file, line });
    }
  }
  return out;
}

function suppress(f: LintFinding, manifest: any): LintFinding {
  if (f.ruleId === 'ASYA-SUP-001') return f;
  const s = readSuppressions(manifest).suppressions.find((x) => x.id === f.ruleId);
  return s ? { ...f, suppressed: true, suppressionReason: s.reason } : f;
}

function check(docs: Doc[], o: Options): LintFinding[] {
  const out: LintFinding[] = [];
  const skip = new Set(o.skipRules);
  if (o.schema && !skip.has(LINT_SCHEMA_RULE)) {
    for (const d of docs) {
      for (const i of SchemaValidator.validateObject(d.manifest)) {
        // A kind without a pinned schema (another operator's CRD) is not an error of the manifest.
        const level = i.message.startsWith('unknown kind ') ? PolicyLevel.WARNING : PolicyLevel.ERROR;
        out.push(suppress({ file: d.file, line: d.line, ruleId: LINT_SCHEMA_RULE, level, object: i.object, path: i.path, message: i.message }, d.manifest));
      }
    }
  }
  const rules: IPolicyRule[] = Policy.defaultRules({ kubernetesVersion: o.kubernetesVersion }).filter((r) => !skip.has(r.id) || r.id === 'ASYA-SUP-001');
  const context = new PolicyContext(docs.map((d) => d.manifest));
  for (const d of docs) {
    for (const rule of rules) {
      for (const f of rule.check(d.manifest, context)) {
        const object = f.object || PolicyRule.objectRef(d.manifest);
        out.push(suppress({ file: d.file, line: d.line, ruleId: f.ruleId, level: f.level, object, path: f.path, message: f.message }, d.manifest));
      }
    }
  }
  return out;
}

function formatText(findings: LintFinding[], o: Options, files: number, objects: number): string {
  const lines = findings.filter((f) => !f.suppressed || o.showSuppressed).map((f) => f.suppressed
    ? `${f.file}:${f.line}: [suppressed] ${f.ruleId} ${f.object} ${f.path}: ${f.message} (reason: ${f.suppressionReason})`
    : `${f.file}:${f.line}: [${f.level}] ${f.ruleId} ${f.object} ${f.path}: ${f.message}`);
  const s = summary(findings);
  lines.push(`${files} file(s), ${objects} object(s): ${s.errors} error(s), ${s.warnings} warning(s), ${s.suppressed} suppressed`);
  return lines.join('\n') + '\n';
}

function summary(findings: LintFinding[]) {
  return {
    errors: findings.filter((f) => !f.suppressed && f.level === PolicyLevel.ERROR).length,
    warnings: findings.filter((f) => !f.suppressed && f.level === PolicyLevel.WARNING).length,
    suppressed: findings.filter((f) => f.suppressed).length,
  };
}

/**
 * Runs the linter on command-line arguments (after `lint`), without exiting the process.
 * @returns the exit code (0 clean, 1 findings, 2 usage error) and what to print
 */
export function lint(argv: string[]): LintResult {
  let o: Options;
  let files: string[];
  try {
    if (argv.includes('-h') || argv.includes('--help')) return { exitCode: 0, stdout: USAGE + '\n', stderr: '', findings: [] };
    o = parseArgs(argv);
    files = [...new Set(o.paths.flatMap(filesOf))];
    if (files.length === 0) throw new UsageError(`no *.yaml, *.yml or *.json file in ${o.paths.join(', ')}`);
  } catch (e) {
    if (e instanceof UsageError) return { exitCode: 2, stdout: '', stderr: `cdk8s-asya lint: ${e.message}\n\n${USAGE}\n`, findings: [] };
    throw e;
  }
  const parseProblems: LintFinding[] = [];
  const docs = files.flatMap((f) => readDocs(f, parseProblems));
  const findings = [...parseProblems, ...check(docs, o)];
  const s = summary(findings);
  const failed = s.errors > 0 || (o.failOnWarnings && s.warnings > 0);
  const stdout = o.format === 'json'
    ? JSON.stringify({ files: files.length, objects: docs.length, ...s, findings }, undefined, 2) + '\n'
    : formatText(findings, o, files.length, docs.length);
  return { exitCode: failed ? 1 : 0, stdout, stderr: '', findings };
}

/**
 * The `cdk8s-asya` command: `cdk8s-asya lint <files or dirs>`.
 * @returns the exit code
 */
export function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number {
  const [command, ...rest] = argv;
  if (command === 'lint') {
    const r = lint(rest);
    if (r.stdout) out(r.stdout);
    if (r.stderr) err(r.stderr);
    return r.exitCode;
  }
  if (command === '-h' || command === '--help') {
    out(USAGE + '\n');
    return 0;
  }
  err(`cdk8s-asya: unknown command ${JSON.stringify(command ?? '')}\n\n${USAGE}\n`);
  return 2;
}
