/**
 * Synthesis benchmark of cdk8s-asya.
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json bench/bench.ts [--quick] [--sizes=10,100,1000]
 *   ... bench/bench.ts --ratios [--quick]       (only the issue 13 ratios)
 *   ... bench/bench.ts --user-synth [--quick]   (only a user's synth through ts-node vs a cdk8s-plus-28 app)
 *
 * For each N (10, 100, 1000 steps) a child Node process (so that its peak RSS is its own) builds a generated
 * app: one crew, N/10 AsyncPipelines of 10 steps each (7 AsyncActors, 3 AsyncModels over an OpenAIModel and a
 * KServeModel of the pipeline), two routes and a gateway tool per pipeline. It measures, per run:
 *
 * - synth: construct tree + `App.synthYaml()` (validation, dependency ordering, toJson, YAML); no file writes;
 * - floor: the same documents (deep copies of what the library produced) written with the same `yaml` package
 *   and the same options as cdk8s (`yaml.stringify` per document, joined with `---`), no constructs;
 * - validation: `SchemaValidator.validateObjects` over every object;
 * - where synth time goes: two light timers wrap `AsyncPipeline#validatePipeline` and cdk8s `Yaml.stringify`.
 *
 * Then, once per N, a what-if run with `validatePipeline` memoized per pipeline (the fix suggested in
 * docs/benchmark.md), and, in fresh processes, the cold start of the RAG example from precompiled JavaScript.
 * Writes bench/results.json and prints a Markdown table.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import type * as Cdk8s from 'cdk8s';
// eslint-disable-next-line import/no-extraneous-dependencies -- a dev tool of the benchmark, types only; loaded on demand
import type * as Ts from 'typescript';
import type * as Yaml from 'yaml';
import type * as Lib from '../src';

const ROOT = path.resolve(__dirname, '..');
/** Loads modules on demand: the parent process never pays for loading the library (and its 250k lines of L1 classes). */
const load = createRequire(__filename);
const RESULTS = path.join(__dirname, 'results.json');
const DEFAULT_SIZES = [10, 100, 1000];
const RUNS: Record<number, number> = { 10: 9, 100: 5, 1000: 3 };
const QUICK_RUNS: Record<number, number> = { 10: 3, 100: 2, 1000: 1 };
const COLD_RUNS = 5;
const STEPS_PER_PIPELINE = 10;
const WARM_UP_STEPS = 100;
/** cdk8s' own YAML options (cdk8s/lib/yaml.js, `Yaml.stringify`). */
const CDK8S_YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' as const };

interface RunResult {
  /** construct tree */
  readonly buildMs: number;
  /** App.synthYaml(): validate + dependencies + toJson + YAML */
  readonly synthYamlMs: number;
  /** buildMs + synthYamlMs */
  readonly synthMs: number;
  /** inside synthYaml: time in AsyncPipeline#validatePipeline (all calls) */
  readonly pipelineValidationMs: number;
  readonly pipelineValidationCalls: number;
  /** inside synthYaml: cdk8s Yaml.stringify */
  readonly yamlMs: number;
  /** plain yaml.stringify of deep copies of the same documents */
  readonly floorMs: number;
  /** SchemaValidator.validateObjects over all objects */
  readonly validationMs: number;
  readonly objects: number;
  readonly yamlBytes: number;
  /** the floor wrote byte-identical YAML */
  readonly floorIdentical: boolean;
  readonly validationIssues: number;
  readonly heapUsedMb: number;
  readonly rssMb: number;
}

interface ChildResult {
  readonly n: number;
  readonly runs: RunResult[];
  /** synth with validatePipeline memoized, one per run */
  readonly whatIfMemoizedSynthMs: number[];
  readonly validationColdMs: number;
  readonly baselineHeapMb: number;
  readonly maxRssMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const round = (x: number, d: number = 1) => Math.round(x * 10 ** d) / 10 ** d;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------------------------------------
// The generated app
// ---------------------------------------------------------------------------------------------------------

/** An outdir never written (synthYaml writes nothing), computed once: `os.tmpdir()` reads the environment. */
const UNUSED_OUTDIR = path.join(os.tmpdir(), 'cdk8s-asya-bench-unused');

/** N steps: one crew, N/10 pipelines of 10 steps (7 actors, 3 model bindings over 2 backends), 2 routes, 1 tool. */
export function buildGeneratedApp(lib: typeof Lib, cdk8s: typeof Cdk8s, n: number): Cdk8s.App {
  const app = new cdk8s.App({ outdir: UNUSED_OUTDIR });
  const transport = lib.Transport.rabbitmq({
    host: 'rabbitmq.asya-system.svc.cluster.local',
    managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
    brokerNamespace: 'asya-system',
    brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' },
  });
  const system = new cdk8s.Chart(app, 'asya-system', { namespace: 'asya-system' });
  new lib.AsyaCrew(system, 'crew', {
    transport,
    storage: lib.ResultStorage.minio({ bucket: 'results', endpoint: 'http://minio.asya-system.svc.cluster.local:9000', credentialsSecret: 'minio-credentials' }),
  });
  const pipelines = Math.max(1, Math.round(n / STEPS_PER_PIPELINE));
  for (let p = 0; p < pipelines; p++) {
    const pipeline = new lib.AsyncPipeline(app, `p${p}`, {
      namespace: `team-${p}`,
      monitoringNamespace: 'monitoring',
      tools: [{ name: `ask_${p}`, description: 'Answer a question', route: 'main', parameters: [{ name: 'input', type: lib.ToolParameterType.STRING, required: true }] }],
    });
    const llm = new lib.OpenAIModel(pipeline, `p${p}-llm`, {
      model: lib.ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
    });
    const embedder = new lib.KServeModel(pipeline, `p${p}-embed`, {
      modelFormat: { name: 'huggingface' },
      storageUri: 'hf://BAAI/bge-small-en-v1.5',
      openAIProtocol: lib.ModelProtocol.OPENAI_EMBEDDINGS,
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } },
      autoscalerClass: lib.KServeAutoscalerClass.EXTERNAL,
      minReplicas: 0,
      maxReplicas: 3,
    });
    const steps: Lib.IAsyncStep[] = [];
    for (let j = 0; j < STEPS_PER_PIPELINE; j++) {
      const name = `p${p}-s${j}`;
      if (j === 2) {
        steps.push(new lib.AsyncModel(pipeline, name, { backend: embedder, transport, outputKey: 'embedding' }));
      } else if (j === 5) {
        steps.push(new lib.AsyncModel(pipeline, name, { backend: llm, transport, modelScaling: { maxReplicas: 2 } }));
      } else if (j === 8) {
        // A second binding of the LLM: it adds its queue as a trigger of the model's one ScaledObject.
        steps.push(new lib.AsyncModel(pipeline, name, { backend: llm, transport, modelScaling: { maxReplicas: 2 } }));
      } else {
        steps.push(new lib.AsyncActor(pipeline, name, {
          transport,
          handler: `steps.step_${j}.run`,
          image: 'ghcr.io/acme/pipeline-steps:1.4.2',
          env: { LOG_LEVEL: lib.EnvValue.fromValue('info'), API_KEY: lib.EnvValue.fromSecret('step-credentials', 'api-key') },
          resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
          processingTimeout: cdk8s.Duration.seconds(30 + j),
          scaling: { maxReplicas: 5 + j },
          ...(j % 3 === 0 ? { egress: [{ ipBlock: '10.0.0.0/8', ports: [443] }] } : {}),
        }));
      }
    }
    pipeline.addRoute('main', steps);
    pipeline.addRoute('short', [steps[0], steps[2], steps[5]]);
  }
  return app;
}

// ---------------------------------------------------------------------------------------------------------
// Child: all runs of one N
// ---------------------------------------------------------------------------------------------------------

function child(n: number, runs: number, libEntry: string): void {
  const cdk8s: typeof Cdk8s = load('cdk8s');
  const YAML: typeof Yaml = load('yaml');
  const lib: typeof Lib = load(libEntry);
  const gc = (globalThis as any).gc as (() => void) | undefined;

  // Light instrumentation: two timers, one per call of a function cdk8s calls during synthYaml.
  const pipelineProto: any = lib.AsyncPipeline.prototype;
  const validatePipeline = pipelineProto.validatePipeline;
  let pvMs = 0;
  let pvCalls = 0;
  const timedValidatePipeline = function timed(this: any) {
    const t = performance.now();
    try { return validatePipeline.call(this); } finally { pvMs += performance.now() - t; pvCalls++; }
  };
  pipelineProto.validatePipeline = timedValidatePipeline;
  const yamlClass: any = cdk8s.Yaml;
  const yamlStringify = yamlClass.stringify;
  let yamlMs = 0;
  let lastDocs: any[] = [];
  yamlClass.stringify = function timed(...docs: any[]) {
    lastDocs = docs;
    const t = performance.now();
    try { return yamlStringify.apply(this, docs); } finally { yamlMs += performance.now() - t; }
  };

  const once = (size: number): RunResult => {
    gc?.();
    pvMs = 0; pvCalls = 0; yamlMs = 0;
    const t0 = performance.now();
    const app = buildGeneratedApp(lib, cdk8s, size);
    const t1 = performance.now();
    const out = app.synthYaml();
    const t2 = performance.now();
    const docs = lastDocs;
    const mem = process.memoryUsage();

    const copies = structuredClone(docs);
    const t3 = performance.now();
    const floor = copies.map((d: any) => YAML.stringify(d, CDK8S_YAML_OPTIONS)).join('---\n');
    const t4 = performance.now();

    const t5 = performance.now();
    const issues = lib.SchemaValidator.validateObjects(docs);
    const t6 = performance.now();
    if (issues.length) console.error(lib.SchemaValidator.format(issues.slice(0, 10)));
    return {
      buildMs: t1 - t0,
      synthYamlMs: t2 - t1,
      synthMs: t2 - t0,
      pipelineValidationMs: pvMs,
      pipelineValidationCalls: pvCalls,
      yamlMs,
      floorMs: t4 - t3,
      validationMs: t6 - t5,
      objects: docs.length,
      yamlBytes: Buffer.byteLength(out),
      floorIdentical: floor === out,
      validationIssues: issues.length,
      heapUsedMb: mb(Math.max(mem.heapUsed, process.memoryUsage().heapUsed)),
      rssMb: mb(Math.max(mem.rss, process.memoryUsage().rss)),
    };
  };

  // What-if: validatePipeline computed once per pipeline per synth (the tree it checks does not change).
  const memo = new WeakMap<object, string[]>();
  const memoized = function memoized(this: any) {
    if (!memo.has(this)) memo.set(this, validatePipeline.call(this));
    return memo.get(this);
  };
  const whatIfOnce = (size: number): number => {
    pipelineProto.validatePipeline = memoized;
    gc?.();
    const t0 = performance.now();
    buildGeneratedApp(lib, cdk8s, size).synthYaml();
    const ms = performance.now() - t0;
    pipelineProto.validatePipeline = timedValidatePipeline;
    return ms;
  };

  gc?.();
  const baselineHeapMb = mb(process.memoryUsage().heapUsed);
  // One warm-up (JIT, ajv schema compilation) of 100 steps, whatever N: enough for the JIT, within budget at N=1000.
  const warm = once(WARM_UP_STEPS);
  whatIfOnce(WARM_UP_STEPS);
  const results: RunResult[] = [];
  const whatIf: number[] = [];
  // Interleaved, so that neither series profits from a warmer JIT or suffers a fuller heap.
  for (let i = 0; i < runs; i++) {
    results.push(once(n));
    whatIf.push(whatIfOnce(n));
  }

  const out: ChildResult = {
    n,
    runs: results,
    whatIfMemoizedSynthMs: whatIf,
    validationColdMs: warm.validationMs,
    baselineHeapMb,
    // Node 20 reports maxRSS in kilobytes.
    maxRssMb: round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// Cold start of the RAG example
// ---------------------------------------------------------------------------------------------------------

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listTs(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

interface Compiled {
  /** How the library's JavaScript was obtained. */
  readonly mode: string;
  /** Temp dir holding the compiled files (removed at the end). */
  readonly dir: string;
  /** The library's entry point: ROOT/lib or the transpiled src/. */
  readonly libEntry: string;
  /** examples/rag/app.js */
  readonly appJs: string;
  /** this file, compiled: the children run it without ts-node. */
  readonly benchJs: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Precompiled JavaScript for the children and the cold start, so that neither pays (nor counts in its memory)
 * ts-node transpiling the library. With an up-to-date `lib/` (jsii output; no src/ file newer than
 * lib/index.js) the library is lib/ and only examples/rag/app.ts and this file are compiled. Otherwise every
 * src/ file is transpiled too (TypeScript transpileModule, no type check) into a temp dir.
 */
function compileJs(): Compiled {
  const ts: typeof Ts = load('typescript');
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-asya-bench-'));
  const emit = (file: string, rewrite: (js: string) => string = (js) => js): string => {
    const out = path.join(dir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, rewrite(ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText));
    return out;
  };
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
  const libIndex = path.join(ROOT, 'lib', 'index.js');
  const benchJs = emit(__filename);
  let fresh = false;
  if (fs.existsSync(libIndex)) {
    const built = fs.statSync(libIndex).mtimeMs;
    fresh = listTs(path.join(ROOT, 'src')).every((f) => fs.statSync(f).mtimeMs <= built);
  }
  if (fresh) {
    const libDir = path.join(ROOT, 'lib');
    const appJs = emit(path.join(ROOT, 'examples', 'rag', 'app.ts'), (js) => js.replace(/require\((["'])\.\.\/\.\.\/src\1\)/g, `require(${JSON.stringify(libDir)})`));
    return { mode: 'lib/ (jsii output); examples/rag/app.ts compiled to JS', dir, libEntry: libDir, appJs, benchJs, env };
  }
  for (const file of listTs(path.join(ROOT, 'src'))) emit(file);
  const appJs = emit(path.join(ROOT, 'examples', 'rag', 'app.ts'));
  // Data the library reads next to src/ at run time.
  fs.symlinkSync(path.join(ROOT, 'schemas'), path.join(dir, 'schemas'));
  fs.symlinkSync(path.join(ROOT, 'handlers'), path.join(dir, 'handlers'));
  const why = fs.existsSync(libIndex) ? 'lib/ is older than src/' : 'no lib/';
  return { mode: `src/ and examples/rag/app.ts transpiled to JS in a temp dir (${why})`, dir, libEntry: path.join(dir, 'src'), appJs, benchJs, env };
}

interface ColdRun {
  readonly wallMs: number;
  readonly requireMs: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly yamlBytes: number;
}

function coldStart(compiled: Compiled): any {
  const driver = [
    'const now = () => Number(process.hrtime.bigint()) / 1e6;',
    'const t0 = now();',
    `const { buildRag } = require(${JSON.stringify(compiled.appJs)});`,
    'const t1 = now();',
    `const app = buildRag(${JSON.stringify(path.join(compiled.dir, 'out'))});`,
    'const t2 = now();',
    'const yaml = app.synthYaml();',
    'const t3 = now();',
    'process.stdout.write(JSON.stringify({ requireMs: t1 - t0, buildMs: t2 - t1, synthMs: t3 - t2, yamlBytes: Buffer.byteLength(yaml) }));',
  ].join('\n');
  const timeNode = (code: string): { wallMs: number; stdout: string } => {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['-e', code], { cwd: compiled.dir, env: compiled.env, encoding: 'utf8' });
    const wallMs = performance.now() - t;
    if (r.status !== 0) throw new Error(`cold start child failed: ${r.stderr}`);
    return { wallMs, stdout: r.stdout };
  };
  const nodeBoot = median([0, 1, 2].map(() => timeNode('0').wallMs));
  timeNode(driver); // warm the OS file cache once
  const runs: ColdRun[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const { wallMs, stdout } = timeNode(driver);
    runs.push({ wallMs, ...JSON.parse(stdout) });
  }
  return {
    mode: compiled.mode,
    synth: 'buildRag() + App.synthYaml() (no file writes), in `node -e` with precompiled JS',
    nodeBootMs: round(nodeBoot),
    median: {
      wallMs: round(median(runs.map((r) => r.wallMs))),
      requireMs: round(median(runs.map((r) => r.requireMs))),
      buildMs: round(median(runs.map((r) => r.buildMs))),
      synthMs: round(median(runs.map((r) => r.synthMs))),
    },
    runs: runs.map((r) => ({
      wallMs: round(r.wallMs), requireMs: round(r.requireMs), buildMs: round(r.buildMs), synthMs: round(r.synthMs), yamlBytes: r.yamlBytes,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------------------

function runChild(compiled: Compiled, n: number, runs: number): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', compiled.benchJs, '--child', String(n), String(runs), compiled.libEntry], {
    cwd: ROOT,
    env: compiled.env,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (r.status !== 0 || !line) throw new Error(`benchmark child for N=${n} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(line.substring('BENCH_RESULT '.length));
}

function summarize(c: ChildResult): any {
  const m = (f: (r: RunResult) => number) => median(c.runs.map(f));
  const objects = c.runs[0].objects;
  const synthMs = m((r) => r.synthMs);
  const floorMs = m((r) => r.floorMs);
  const validationMs = m((r) => r.validationMs);
  return {
    n: c.n,
    objects,
    yamlBytes: c.runs[0].yamlBytes,
    runs: c.runs.length,
    floorIdentical: c.runs.every((r) => r.floorIdentical),
    validationIssues: Math.max(...c.runs.map((r) => r.validationIssues)),
    median: {
      synthMs: round(synthMs),
      buildMs: round(m((r) => r.buildMs)),
      synthYamlMs: round(m((r) => r.synthYamlMs)),
      pipelineValidationMs: round(m((r) => r.pipelineValidationMs)),
      pipelineValidationCalls: m((r) => r.pipelineValidationCalls),
      yamlMs: round(m((r) => r.yamlMs)),
      floorMs: round(floorMs),
      validationMs: round(validationMs),
    },
    perObjectUs: {
      synth: round((synthMs * 1000) / objects, 0),
      floor: round((floorMs * 1000) / objects, 0),
      validation: round((validationMs * 1000) / objects, 0),
    },
    ratioToFloor: round(synthMs / floorMs, 1),
    whatIfMemoizedPipelineValidation: {
      synthMs: round(median(c.whatIfMemoizedSynthMs)),
      ratioToFloor: round(median(c.whatIfMemoizedSynthMs) / floorMs, 1),
      raw: c.whatIfMemoizedSynthMs.map((x) => round(x, 2)),
    },
    validationColdMs: round(c.validationColdMs),
    memory: {
      maxRssMb: c.maxRssMb,
      peakHeapUsedMb: Math.max(...c.runs.map((r) => r.heapUsedMb)),
      peakRssSampledMb: Math.max(...c.runs.map((r) => r.rssMb)),
      baselineHeapMb: c.baselineHeapMb,
    },
    raw: c.runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 2) : v]))),
  };
}

function table(sizes: any[], cold: any): string {
  const rows = [
    '| N steps | objects | synth ms | µs/object | YAML floor ms | × floor | validatePipeline ms (calls) | synth ms, validatePipeline memoized | validation ms | µs/object | max RSS MB | peak heap MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...sizes.map((s) => `| ${s.n} | ${s.objects} | ${s.median.synthMs} | ${s.perObjectUs.synth} | ${s.median.floorMs} | ${s.ratioToFloor} | ` +
      `${s.median.pipelineValidationMs} (${s.median.pipelineValidationCalls}) | ${s.whatIfMemoizedPipelineValidation.synthMs} (× ${s.whatIfMemoizedPipelineValidation.ratioToFloor}) | ` +
      `${s.median.validationMs} | ${s.perObjectUs.validation} | ${s.memory.maxRssMb} | ${s.memory.peakHeapUsedMb} |`),
  ];
  if (cold) {
    rows.push('', `Cold start, RAG example (${cold.mode}): ${cold.median.wallMs} ms wall per fresh \`node\` process ` +
      `(require ${cold.median.requireMs} ms, build ${cold.median.buildMs} ms, synthYaml ${cold.median.synthMs} ms; bare \`node -e 0\` ${cold.nodeBootMs} ms), median of ${cold.runs.length}.`);
  }
  return rows.join('\n');
}

function pkgVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Issue 13 ratios: package size, require time, synth cost against raw cdk8s ApiObjects
// ---------------------------------------------------------------------------------------------------------

function dirBytes(dir: string, skip: (p: string) => boolean = () => false): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) total += dirBytes(p, skip);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Unpacked size of the package as `npm pack` would ship it (lib/ as built), and of cdk8s-plus-28 as installed. */
function packageSizes(): any {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const ours = r.status === 0 ? JSON.parse(r.stdout)[0] : undefined;
  const plusDir = path.join(ROOT, 'node_modules', 'cdk8s-plus-28');
  const plus = dirBytes(plusDir, (p) => p.endsWith(`${path.sep}node_modules`));
  const imports = fs.existsSync(path.join(ROOT, 'lib', 'imports')) ? dirBytes(path.join(ROOT, 'lib', 'imports')) : 0;
  const schemas = fs.existsSync(path.join(ROOT, 'schemas')) ? dirBytes(path.join(ROOT, 'schemas')) : 0;
  return {
    oursUnpackedMb: ours ? mb(ours.unpackedSize) : undefined,
    oursFiles: ours?.entryCount,
    libImportsMb: mb(imports),
    schemasMb: mb(schemas),
    cdk8sPlus28Mb: mb(plus),
    ratio: ours ? round(ours.unpackedSize / plus, 2) : undefined,
    note: 'ours: npm pack --dry-run of the working tree (lib/ as last built); cdk8s-plus-28: its installed files',
  };
}

/** Median `require` time in fresh node processes: the library entry vs cdk8s-plus-28. */
function requireTimes(compiled: Compiled, runs: number): any {
  const time = (entry: string): number[] => {
    const code = `const t=process.hrtime.bigint();require(${JSON.stringify(entry)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
    const out: number[] = [];
    spawnSync(process.execPath, ['-e', code], { cwd: compiled.dir, env: compiled.env }); // warm the file cache
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['-e', code], { cwd: compiled.dir, env: compiled.env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`require child failed: ${r.stderr}`);
      out.push(Number(r.stdout));
    }
    return out;
  };
  const ours = median(time(compiled.libEntry));
  const plus = median(time(path.join(ROOT, 'node_modules', 'cdk8s-plus-28')));
  return { oursMs: round(ours), cdk8sPlus28Ms: round(plus), ratio: round(ours / plus, 2), libEntry: compiled.mode };
}

/**
 * The library against raw cdk8s ApiObjects holding the same documents in the same charts (issue 13), with one
 * pipeline chart (N = 10: the crew's chart and one pipeline chart) and 100 charts of 10 steps. See vsRaw.
 */
export function rawRatio(lib: typeof Lib, cdk8s: typeof Cdk8s, n: number, runs: number, warmUps = 1): any {
  return { n, ...vsRaw(cdk8s, () => buildGeneratedApp(lib, cdk8s, n), runs, warmUps) };
}

/**
 * The same measurement for cdk8s-plus-28, the reference construct library: an app of the same charts and object
 * count (units of ServiceAccount, ConfigMap, Deployment with a mounted volume, Service) against raw ApiObjects
 * holding its documents. It shows what building documents from props costs a construct library at all.
 */
export function plusRawRatio(cdk8s: typeof Cdk8s, charts: number, objects: number, runs: number, warmUps = 1): any {
  const kplus: typeof import('cdk8s-plus-28') = load('cdk8s-plus-28');
  const units = Math.ceil(objects / 4);
  const build = (): Cdk8s.App => {
    const app = new cdk8s.App({ outdir: UNUSED_OUTDIR });
    const cs = Array.from({ length: charts }, (_, i) => new cdk8s.Chart(app, `c${i}`, { namespace: `ns${i}` }));
    for (let i = 0; i < units; i++) {
      const chart = cs[i % cs.length];
      const sa = new kplus.ServiceAccount(chart, `sa${i}`);
      const cm = new kplus.ConfigMap(chart, `cm${i}`, { data: { 'config.yaml': `step: ${i}\n` } });
      const d = new kplus.Deployment(chart, `d${i}`, { serviceAccount: sa, replicas: 1 });
      const c = d.addContainer({
        image: 'ghcr.io/example/step:1.0.0',
        portNumber: 8080,
        resources: { cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) } },
      });
      c.mount('/config', kplus.Volume.fromConfigMap(chart, `v${i}`, cm));
      d.exposeViaService();
    }
    return app;
  };
  return { app: `${units} × (ServiceAccount + ConfigMap + Deployment + Service) in ${charts} charts`, ...vsRaw(cdk8s, build, runs, warmUps) };
}

/**
 * A construct app against raw cdk8s ApiObjects holding the same documents in the same charts: `warmUps`
 * unmeasured runs of each side, then `runs` alternated runs, medians. Each side is timed in two parts: building
 * the app (the construct side computes the documents from props; the raw side only wraps finished documents)
 * and `synthYaml()` (cdk8s's validation passes, dependency ordering, toJson and YAML, plus the constructs' own
 * checks and Lazy content). `synthYamlRatio` compares the synth, `ratio` both parts. Everything the raw side
 * needs (the charts, the documents in order, fresh copies) is prepared before its clock starts. Once-per-process
 * work of the construct side (e.g. the library reading and hashing its handler sources) happens in the warm-up,
 * as `require` does. Besides the flat raw app (one ApiObject per document under its chart), a raw app with the
 * construct tree (plain Constructs where the app has constructs, ApiObjects holding the documents) separates
 * cdk8s's per-chart passes over a bigger tree from the constructs' own work.
 */
function vsRaw(cdk8s: typeof Cdk8s, buildApp: () => Cdk8s.App, runs: number, warmUps: number): any {
  const { Construct } = load('constructs') as typeof import('constructs');
  const warm = buildApp();
  const yaml = warm.synthYaml();
  const docs = new Map<unknown, any>();
  // The raw app's plan: each chart's id, namespace and ApiObjects in order (computed once, outside the clock).
  const plan = warm.charts.map((c) => {
    const objects = c.node.findAll().filter((o) => o instanceof cdk8s.ApiObject && cdk8s.Chart.of(o) === c);
    for (const o of objects) docs.set(o, (o as Cdk8s.ApiObject).toJson());
    return { id: c.node.id, namespace: c.namespace, objects };
  });
  const outdir = UNUSED_OUTDIR;
  const flat = (copies: Map<unknown, any>): Cdk8s.App => {
    const app = new cdk8s.App({ outdir });
    for (const c of plan) {
      const chart = new cdk8s.Chart(app, c.id, { namespace: c.namespace });
      c.objects.forEach((o, i) => new cdk8s.ApiObject(chart, `o${i}`, copies.get(o)));
    }
    return app;
  };
  const sameTree = (copies: Map<unknown, any>): Cdk8s.App => {
    const app = new cdk8s.App({ outdir });
    const copy = (from: Cdk8s.App | import('constructs').IConstruct, to: import('constructs').Construct): void => {
      for (const ch of from.node.children) {
        const made = ch instanceof cdk8s.Chart ? new cdk8s.Chart(to, ch.node.id, { namespace: ch.namespace })
          : copies.has(ch) ? new cdk8s.ApiObject(to, ch.node.id, copies.get(ch)) : new Construct(to, ch.node.id);
        copy(ch, made);
      }
    };
    copy(warm, app);
    return app;
  };
  const fresh = (): Map<unknown, any> => new Map([...docs].map(([k, v]) => [k, structuredClone(v)]));
  const rawYaml = flat(fresh()).synthYaml();
  if (rawYaml !== yaml) throw new Error('bench: the raw app does not write the same YAML as the construct app');
  const time = (build: (copies: Map<unknown, any>) => Cdk8s.App, copies: Map<unknown, any>): { build: number; synth: number } => {
    const t0 = performance.now();
    const app = build(copies);
    const t1 = performance.now();
    app.synthYaml();
    return { build: t1 - t0, synth: performance.now() - t1 };
  };
  const none = new Map<unknown, any>();
  const sides: Record<string, [(copies: Map<unknown, any>) => Cdk8s.App, () => Map<unknown, any>]> = {
    library: [() => buildApp(), () => none], raw: [flat, fresh], rawSameTree: [sameTree, fresh],
  };
  const t: Record<string, Array<{ build: number; synth: number }>> = { library: [], raw: [], rawSameTree: [] };
  for (let i = 0; i < warmUps; i++) for (const [build, copies] of Object.values(sides)) time(build, copies());
  for (let i = 0; i < runs; i++) for (const k of Object.keys(sides)) t[k].push(time(sides[k][0], sides[k][1]()));
  const m = (k: string, f: (x: { build: number; synth: number }) => number) => median(t[k].map(f));
  const total = (x: { build: number; synth: number }) => x.build + x.synth;
  const l = m('library', total);
  const r = m('raw', total);
  return {
    runs,
    warmUps,
    charts: warm.charts.length,
    objects: docs.size,
    sameYaml: true,
    constructs: { library: warm.node.findAll().length, raw: docs.size + warm.charts.length + 1 },
    libraryMs: round(l),
    libraryBuildMs: round(m('library', (x) => x.build)),
    librarySynthYamlMs: round(m('library', (x) => x.synth)),
    rawApiObjectsMs: round(r),
    rawBuildMs: round(m('raw', (x) => x.build)),
    rawSynthYamlMs: round(m('raw', (x) => x.synth)),
    rawSameTreeSynthYamlMs: round(m('rawSameTree', (x) => x.synth)),
    ratio: round(l / r, 2),
    synthYamlRatio: round(m('library', (x) => x.synth) / m('raw', (x) => x.synth), 2),
  };
}

/**
 * A user's `cdk8s synth` through ts-node: the app command of a `cdk8s init typescript-app` project
 * (`npx ts-node main.ts`, type-checked) in a fresh temp project, for the RAG example against the built
 * package (`cdk8s-asya` resolving to lib/) and for a cdk8s-plus-28 app with the same number of objects
 * (Deployments exposed by Services, ConfigMaps and ServiceAccounts in the same number of charts).
 * Fresh node processes, runs alternated, median wall time. Needs a built lib/ (npx jsii).
 */
function userSynthTsNode(runs: number): any {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js')) || !fs.existsSync(path.join(ROOT, 'lib', 'index.d.ts'))) {
    return 'not measured: no built lib/ (run npx jsii first)';
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-asya-usersynth-'));
  try {
    const nm = path.join(dir, 'node_modules');
    fs.mkdirSync(nm);
    for (const dep of ['cdk8s', 'constructs', 'cdk8s-plus-28', '@types']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(nm, dep));
    fs.symlinkSync(ROOT, path.join(nm, 'cdk8s-asya'));
    // The tsconfig of `cdk8s init typescript-app` (cdk8s-cli templates), lib raised to what cdk8s-plus needs.
    const tsconfig = {
      compilerOptions: {
        alwaysStrict: true,
        declaration: true,
        experimentalDecorators: true,
        inlineSourceMap: true,
        inlineSources: true,
        lib: ['es2020'],
        module: 'CommonJS',
        noEmitOnError: true,
        noFallthroughCasesInSwitch: true,
        noImplicitAny: true,
        noImplicitReturns: true,
        noImplicitThis: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        resolveJsonModule: true,
        strict: true,
        strictNullChecks: true,
        strictPropertyInitialization: true,
        stripInternal: true,
        target: 'ES2020',
      },
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    };
    const project = (name: string, app: string, entry: string): string => {
      const d = path.join(dir, name);
      fs.mkdirSync(d);
      fs.symlinkSync(nm, path.join(d, 'node_modules'));
      fs.writeFileSync(path.join(d, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
      fs.writeFileSync(path.join(d, 'app.ts'), app);
      fs.writeFileSync(path.join(d, 'main.ts'), entry);
      return d;
    };
    const ragApp = fs.readFileSync(path.join(ROOT, 'examples', 'rag', 'app.ts'), 'utf8').replace(/from '\.\.\/\.\.\/src'/g, "from 'cdk8s-asya'");
    const asyaDir = project('asya', ragApp, "import { buildRag } from './app';\n\nbuildRag('dist').synth();\n");
    const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
    const run = (d: string): { ms: number; objects: number; charts: number } => {
      fs.rmSync(path.join(d, 'dist'), { recursive: true, force: true });
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [tsNode, 'main.ts'], { cwd: d, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`user synth in ${d} failed: ${r.stderr}`);
      const files = fs.readdirSync(path.join(d, 'dist')).filter((f) => f.endsWith('.yaml'));
      const objects = files.reduce((a, f) => a + (fs.readFileSync(path.join(d, 'dist', f), 'utf8').match(/^kind: /gm) ?? []).length, 0);
      return { ms, objects, charts: files.length };
    };
    const first = run(asyaDir);
    // cdk8s-plus-28: the same number of charts and objects (4 per unit: Deployment, Service, ConfigMap, ServiceAccount).
    const units = Math.ceil(first.objects / 4);
    const plusApp = [
      "import { App, Chart } from 'cdk8s';",
      "import * as kplus from 'cdk8s-plus-28';",
      '',
      'export function build(outdir: string): App {',
      '  const app = new App({ outdir });',
      `  const charts = Array.from({ length: ${first.charts} }, (_, i) => new Chart(app, \`c\${i}\`, { namespace: \`ns\${i}\` }));`,
      `  for (let i = 0; i < ${units}; i++) {`,
      '    const chart = charts[i % charts.length];',
      '    const sa = new kplus.ServiceAccount(chart, `sa${i}`);',
      '    const cm = new kplus.ConfigMap(chart, `cm${i}`, { data: { \'config.yaml\': `step: ${i}\\n` } });',
      '    const d = new kplus.Deployment(chart, `d${i}`, { serviceAccount: sa, replicas: 1 });',
      "    const c = d.addContainer({ image: 'ghcr.io/example/step:1.0.0', portNumber: 8080, resources: {",
      '      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },',
      '    } });',
      "    c.mount('/config', kplus.Volume.fromConfigMap(chart, `v${i}`, cm));",
      '    d.exposeViaService();',
      '  }',
      '  return app;',
      '}',
      '',
    ].join('\n');
    const plusDir = project('plus', plusApp, "import { build } from './app';\n\nbuild('dist').synth();\n");
    const firstPlus = run(plusDir);
    const asya: number[] = [];
    const plus: number[] = [];
    for (let i = 0; i < runs; i++) {
      asya.push(run(asyaDir).ms);
      plus.push(run(plusDir).ms);
    }
    const a = median(asya);
    const p = median(plus);
    return {
      oursMs: round(a),
      cdk8sPlus28Ms: round(p),
      ratio: round(a / p, 2),
      ours: { app: 'examples/rag (cdk8s-asya from lib/)', charts: first.charts, objects: first.objects },
      cdk8sPlus28: { app: `${units} × (Deployment + Service + ConfigMap + ServiceAccount)`, charts: firstPlus.charts, objects: firstPlus.objects },
      method: 'node ts-node/dist/bin.js main.ts (type-checked, cdk8s init tsconfig) in a temp project; wall time of a fresh process, runs alternated after one warm-up each',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function ratios(compiled: Compiled, quick: boolean): any {
  const cdk8s: typeof Cdk8s = load('cdk8s');
  // The library's JS in the temp dir resolves its dependencies through a node_modules link (in-process).
  const link = path.join(compiled.dir, 'node_modules');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, 'node_modules'), link);
  const lib: typeof Lib = load(compiled.libEntry);
  process.stderr.write('bench: ratios (package size, require, synth vs raw ApiObjects)...\n');
  return {
    goals: { packageSize: 1.5, require: 2, userSynthTsNode: 1.2, synthVsRaw: 1.1 },
    packageSize: packageSizes(),
    require: requireTimes(compiled, quick ? 3 : 7),
    // One chart is about 20 ms a run: enough runs after a warm-up for a steady median (the JIT warms both sides).
    synthVsRaw: [rawRatio(lib, cdk8s, 10, quick ? 9 : 41, quick ? 2 : 5), rawRatio(lib, cdk8s, 1000, quick ? 1 : 3)],
    // The reference: cdk8s-plus-28 against raw ApiObjects, same charts and object count as one pipeline chart.
    cdk8sPlus28VsRaw: plusRawRatio(cdk8s, 2, 36, quick ? 9 : 41, quick ? 2 : 5),
    userSynthTsNode: userSynthTsNode(quick ? 3 : 5),
  };
}

async function main(argv: string[]): Promise<void> {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) return child(Number(argv[childAt + 1]), Number(argv[childAt + 2]), argv[childAt + 3]);
  if (argv.includes('--user-synth')) {
    process.stdout.write(`${JSON.stringify(userSynthTsNode(argv.includes('--quick') ? 3 : 5), null, 2)}\n`);
    return;
  }
  if (argv.includes('--ratios')) {
    const compiledOnly = compileJs();
    const r = ratios(compiledOnly, argv.includes('--quick'));
    fs.rmSync(compiledOnly.dir, { recursive: true, force: true });
    const previous = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : {};
    fs.writeFileSync(RESULTS, JSON.stringify({ ...previous, ratios: { date: new Date().toISOString(), ...r } }, null, 2) + '\n');
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }

  const quick = argv.includes('--quick');
  const sizesArg = argv.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.substring('--sizes='.length).split(',').map(Number) : DEFAULT_SIZES;
  const started = performance.now();
  process.stderr.write('bench: compiling to JavaScript...\n');
  const compiled = compileJs();
  const results = [];
  for (const n of sizes) {
    const runs = (quick ? QUICK_RUNS : RUNS)[n] ?? (n >= 1000 ? 3 : 5);
    process.stderr.write(`bench: N=${n}, ${runs} run(s) after a warm-up...\n`);
    results.push(summarize(runChild(compiled, n, runs)));
  }
  process.stderr.write('bench: cold start of the RAG example...\n');
  const cold = coldStart(compiled);
  const issue13 = ratios(compiled, quick);
  fs.rmSync(compiled.dir, { recursive: true, force: true });
  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGb: round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()} ${os.arch()}` },
    versions: { cdk8s: pkgVersion('cdk8s'), constructs: pkgVersion('constructs'), yaml: pkgVersion('yaml'), ajv: pkgVersion('ajv') },
    method: {
      app: `1 AsyaCrew + N/${STEPS_PER_PIPELINE} AsyncPipelines of ${STEPS_PER_PIPELINE} steps (7 AsyncActors, 3 AsyncModels over 1 OpenAIModel + 1 KServeModel), 2 routes, 1 gateway tool each`,
      synth: 'construct tree + App.synthYaml() (cdk8s validation, dependency ordering, toJson, YAML), no file writes',
      floor: 'structuredClone of the documents synthYaml wrote, yaml.stringify per document with cdk8s options, joined with ---',
      validation: 'SchemaValidator.validateObjects over all objects (warm; validationColdMs includes ajv compilation)',
      memory: 'one child process per N running precompiled JS: maxRSS from process.resourceUsage() (includes the warm-up and what-if runs), heapUsed/rss sampled after each synth',
      whatIf: 'AsyncPipeline#validatePipeline memoized per pipeline (same output), runs interleaved with the normal runs',
      instrumentation: 'normal runs wrap AsyncPipeline#validatePipeline and cdk8s Yaml.stringify with a timer each',
      runs: quick ? QUICK_RUNS : RUNS,
      warmUp: `one run of ${WARM_UP_STEPS} steps (and one what-if run) per child, not counted`,
      statistic: 'median',
    },
    sizes: results,
    coldStart: cold,
    ratios: issue13,
    benchSeconds: round((performance.now() - started) / 1000),
  };
  fs.writeFileSync(RESULTS, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`${table(results, cold)}\n\n${report.machine.cpu} × ${report.machine.cores}, Node ${report.node}; ` +
    `bench took ${report.benchSeconds} s; results in ${path.relative(process.cwd(), RESULTS)}\n`);
}

// Run only as a script: importing buildGeneratedApp (e.g. for a profile) must not start the whole benchmark.
if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
