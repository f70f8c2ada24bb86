import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { AsyncActor, Transport } from '../../src';
import { lint, main } from '../../src/cli/lint';

const FIX = path.join(__dirname, 'fixtures');
const GOOD = path.join(FIX, 'good');
const BAD = path.join(FIX, 'bad');
const rel = (p: string) => path.relative(process.cwd(), p);

describe('cdk8s-asya lint', () => {
  test('good fixtures (a hand-written actor with its NetworkPolicy, a JSON ConfigMap): exit 0, a summary line only', () => {
    const r = lint([GOOD]);
    expect(r.stdout).toBe('2 file(s), 3 object(s): 0 error(s), 0 warning(s), 0 suppressed\n');
    expect(r.exitCode).toBe(0);
  });

  test('a Helm-rendered multi-document file (---, comments, empty documents): one line per finding, at the object\'s line', () => {
    const file = path.join(BAD, 'helm-rendered.yaml');
    const r = lint([rel(file)]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe('1 file(s), 2 object(s): 13 error(s), 0 warning(s), 0 suppressed');
    const at = `${rel(file)}:7: [error]`;
    expect(lines).toContain(`${at} ASYA-ACT-001 asya.sh/v1alpha1/AsyncActor ai/translate .spec.transport: transport "kafka" is not one the operator knows: use "rabbitmq" or "sqs" (and enable it in the operator's values)`);
    expect(lines).toContain(`${at} ASYA-ACT-005 asya.sh/v1alpha1/AsyncActor ai/translate .spec.workload.template.spec.containers[0].command: asya-runtime cannot set command: the operator runs [pythonExecutable, /opt/asya/asya_runtime.py] (use args, or spec.workload.pythonExecutable)`);
    expect(lines).toContain(`${at} ASYA-IMG-001 asya.sh/v1alpha1/AsyncActor ai/translate .spec.workload.template.spec.containers[0].image: container "asya-runtime" image "ghcr.io/acme/translate:latest" uses the :latest tag: pin a version tag or a digest`);
    // The operator injects asya-sidecar with spec.sidecar.resources as given: none here.
    expect(lines).toContain(`${at} ASYA-RES-001 asya.sh/v1alpha1/AsyncActor ai/translate .spec.sidecar.resources: container "asya-sidecar" (injected by the operator from spec.sidecar) `
      + 'sets no limits.cpu, requests.cpu, limits.memory, requests.memory: set spec.sidecar.resources.limits.cpu and spec.sidecar.resources.limits.memory (the operator applies no default)');
    expect(lines.filter((l) => l.includes('ASYA-PSS-')).map((l) => l.split(' ')[2])).toEqual(['ASYA-PSS-001', 'ASYA-PSS-002', 'ASYA-PSS-003', 'ASYA-PSS-004']);
  });

  test('--format json: every finding with file, line, rule, level, object, path and message', () => {
    const r = lint(['--format', 'json', BAD]);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout);
    expect({ files: out.files, objects: out.objects, errors: out.errors, warnings: out.warnings, suppressed: out.suppressed })
      .toEqual({ files: 3, objects: 3, errors: 14, warnings: 0, suppressed: 1 });
    expect(out.findings[0]).toEqual({
      file: path.join(BAD, 'not-yaml.yml'),
      line: 6,
      ruleId: 'ASYA-YAML',
      level: 'error',
      object: '<document>',
      path: '.',
      message: 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 6, column 1',
    });
    expect(out.findings.find((f: any) => f.suppressed)).toEqual({
      file: path.join(BAD, 'suppressed.yaml'),
      line: 1,
      ruleId: 'ASYA-PSS-006',
      level: 'error',
      object: 'v1/Pod ai/debug',
      path: '.spec.hostNetwork',
      message: 'pod sets hostNetwork: true and shares the node\'s network namespace: remove hostNetwork',
      suppressed: true,
      suppressionReason: 'node debugging pod, deleted after use',
    });
  });

  test('suppressions: the policy annotation hides a finding (shown with --show-suppressed); a suppressed-only file exits 0', () => {
    const file = path.join(BAD, 'suppressed.yaml');
    expect(lint([file]).exitCode).toBe(0);
    expect(lint([file]).stdout).not.toContain('[suppressed]');
    expect(lint(['--show-suppressed', file]).stdout).toContain('[suppressed] ASYA-PSS-006 v1/Pod ai/debug .spec.hostNetwork: pod sets hostNetwork: true and shares the node\'s network namespace: remove hostNetwork (reason: node debugging pod, deleted after use)');
  });

  test('--skip-rule, --no-schema and --fail-on-warnings', () => {
    const file = path.join(BAD, 'helm-rendered.yaml');
    const skipped = lint(['--skip-rule', 'ASYA-ACT-001', '--skip-rule=ASYA-IMG-001', file]);
    expect(skipped.stdout).not.toContain('ASYA-ACT-001');
    expect(skipped.stdout).not.toContain('ASYA-IMG-001');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    fs.writeFileSync(path.join(dir, 'cert.yaml'), 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: tls\n  namespace: ai\nspec: {}\n');
    const unknown = lint([dir]);
    expect(unknown.exitCode).toBe(0);
    expect(unknown.stdout).toContain('[warning] ASYA-SCHEMA cert-manager.io/v1/Certificate ai/tls .: unknown kind cert-manager.io/v1/Certificate');
    expect(lint(['--fail-on-warnings', dir]).exitCode).toBe(1);
    expect(lint(['--no-schema', dir]).stdout).toBe('1 file(s), 1 object(s): 0 error(s), 0 warning(s), 0 suppressed\n');
  });

  test('schema errors are reported too (a hand-written Deployment with a bad quantity)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    const actor = fs.readFileSync(path.join(GOOD, 'actor.yaml'), 'utf8').replace('{ cpu: 100m, memory: 256Mi }', '{ cpu: 100m, memory: 256MB }');
    fs.writeFileSync(path.join(dir, 'actor.yaml'), actor);
    const r = lint([dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('ASYA-SCHEMA asya.sh/v1alpha1/AsyncActor ai/summarize .spec.workload.template.spec.containers[0].resources.requests.memory: value "256MB" is not a valid quantity (e.g. 500m, 1Gi, 2)');
  });

  test('a synthesized app passes: cdk8s synth output is linted like any YAML', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-synth-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'ai', { namespace: 'ai' });
    new AsyncActor(chart, 'embed', {
      transport: Transport.rabbitmq(),
      handler: 'pipeline.embed',
      image: 'ghcr.io/acme/embed:1.2.0',
      resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
    });
    app.synth();
    const r = lint([outdir]);
    expect(r.stdout).toMatch(/^1 file\(s\), \d+ object\(s\): 0 error\(s\), 0 warning\(s\), 0 suppressed\n$/);
    expect(r.exitCode).toBe(0);
  });

  test.each([
    [[], 'no file or directory to lint'],
    [['--format', 'xml', GOOD], '--format must be text or json, got "xml"'],
    [['--format'], '--format needs a value'],
    [['--bogus', GOOD], 'unknown option --bogus'],
    [['/nonexistent/x.yaml'], '/nonexistent/x.yaml: no such file or directory'],
    [['--kubernetes-version', '1.20', GOOD], 'Pod Security kubernetesVersion ("1.20") must be "latest" or "1.N" with N >= 25'],
  ])('usage error %j: exit 2 with the reason and the usage', (argv, reason) => {
    const r = lint(argv as string[]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`cdk8s-asya lint: ${reason}`);
    expect(r.stderr).toContain('Usage: cdk8s-asya lint [options] <file or directory>...');
  });

  test('an empty directory is a usage error; --help exits 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-empty-'));
    expect(lint([dir]).stderr.split('\n')[0]).toBe(`cdk8s-asya lint: no *.yaml, *.yml or *.json file in ${dir}`);
    expect(lint(['--help']).exitCode).toBe(0);
  });

  test('main: unknown command exits 2', () => {
    let err = '';
    expect(main(['check'], () => undefined, (s) => { err += s; })).toBe(2);
    expect(err.split('\n')[0]).toBe('cdk8s-asya: unknown command "check"');
  });

  test('the bin script sets the process exit code (main maps 0 clean, 1 findings, 2 usage)', () => {
    const bin = path.join(__dirname, '..', '..', 'src', 'cli', 'cdk8s-asya.ts');
    const run = (...args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', bin, ...args], { encoding: 'utf8' });
    const bad = run('lint', BAD);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('ASYA-ACT-001');
  });
});
