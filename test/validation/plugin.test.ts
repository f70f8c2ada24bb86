import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { asyncActor, denyAll, deployment } from './fixtures/policy/manifests';
import { AsyaValidationPlugin, CliValidationContext, CliViolation } from '../../src/validation/plugin/asya-validation-plugin';

const root = path.resolve(__dirname, '..', '..');

/** A fake of cdk8s-cli's ValidationContext over YAML files written from `docs`. */
function context(files: Record<string, any[]>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asya-plugin-'));
  const manifests = Object.entries(files).map(([name, docs]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join('---\n'));
    return file;
  });
  const violations: CliViolation[] = [];
  const logs: string[] = [];
  const submitted: Array<{ status: string; metadata?: { readonly [key: string]: string } }> = [];
  const ctx: CliValidationContext = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (status, metadata) => submitted.push({ status, metadata }) },
    logger: { log: (m) => logs.push(m) },
  };
  return { ctx, violations, logs, submitted, dir };
}

describe('AsyaValidationPlugin (the class)', () => {
  test('runs the actor rules on AsyncActors and follows kubernetesVersion for Pod Security', async () => {
    const a = asyncActor();
    a.spec.transport = 'kafka';
    const d = deployment();
    d.spec.template.spec.securityContext.sysctls = [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }];
    const latest = context({ 'a.k8s.yaml': [a, d, denyAll()] });
    await new AsyaValidationPlugin().validate(latest.ctx);
    expect(latest.violations.map((v) => v.ruleName.split(' ')[0])).toEqual(['ASYA-ACT-001']);
    const old = context({ 'a.k8s.yaml': [a, d, denyAll()] });
    await new AsyaValidationPlugin({ kubernetesVersion: '1.28' }).validate(old.ctx);
    // check_sysctls.go: net.ipv4.tcp_rmem is allowed from 1.32 only
    expect(old.violations.map((v) => v.ruleName.split(' ')[0])).toEqual(['ASYA-ACT-001', 'ASYA-PSS-012']);
  });

  test('reports schema issues and policy errors per rule, and fails', async () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = 'vllm/vllm-openai:latest';
    d.spec.template.spec.containers[0].bogus = 1;
    const { ctx, violations, submitted, dir } = context({ 'a.k8s.yaml': [d, denyAll()] });
    await new AsyaValidationPlugin().validate(ctx);
    expect(violations.map((v) => v.ruleName)).toEqual([
      'ASYA-SCHEMA objects match the pinned schemas (CRDs in imports/, Kubernetes 1.28)',
      'ASYA-IMG-001 (error) Every image (containers, init containers, AsyncActor sidecar, TrainJob trainer) is pinned to a tag other than latest, or a digest',
    ]);
    expect(violations[0].violatingResources).toEqual([{
      resourceName: 'web',
      manifestPath: path.join(dir, 'a.k8s.yaml'),
      locations: ['apps/v1/Deployment ml/web .spec.template.spec.containers[0]: unknown field "bogus" (the schema does not allow it)'],
    }]);
    expect(violations[1].violatingResources).toEqual([{
      resourceName: 'web',
      manifestPath: path.join(dir, 'a.k8s.yaml'),
      locations: ['apps/v1/Deployment ml/web .spec.template.spec.containers[0].image: container "server" image "vllm/vllm-openai:latest" uses the :latest tag: pin a version tag or a digest'],
    }]);
    expect(violations[1].fix).toBe('Pin a version tag (ghcr.io/acme/tools:1.4.2) or a digest (ghcr.io/acme/tools@sha256:...). Or suppress it on the object with a reason: annotation cdk8s-asya.io/suppress.');
    expect(submitted).toEqual([{ status: 'failure', metadata: { errors: '2', warnings: '0', suppressed: '0' } }]);
  });

  test('warnings are reported but pass, unless failOnWarnings; suppressed findings are logged', async () => {
    const a = asyncActor();
    a.metadata.annotations = { 'cdk8s-asya.io/suppress': '[{"id":"ASYA-NET-001","reason":"covered by the mesh policy"}]' };
    const files = { 'a.k8s.yaml': [deployment(), a] };
    const pass = context(files);
    await new AsyaValidationPlugin().validate(pass.ctx);
    expect(pass.violations.map((v) => v.ruleName)).toEqual([
      'ASYA-NET-002 (warning) Every pod template (Deployment, Job, model server, training job, ...) is selected by a NetworkPolicy of its namespace',
    ]);
    expect(pass.logs).toEqual([expect.stringMatching(/^suppressed ASYA-NET-001 asya.sh\/v1alpha1\/AsyncActor ml\/rag-embed .*\(reason: covered by the mesh policy\)$/)]);
    expect(pass.submitted).toEqual([{ status: 'success', metadata: { errors: '0', warnings: '1', suppressed: '1' } }]);

    const strict = context(files);
    await new AsyaValidationPlugin({ failOnWarnings: true }).validate(strict.ctx);
    expect(strict.submitted[0].status).toBe('failure');
  });

  test('properties turn checks off', async () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = 'nginx';
    d.spec.template.spec.containers[0].bogus = 1;
    const none = context({ 'a.k8s.yaml': [d, denyAll()] });
    await new AsyaValidationPlugin({ schema: false, skipRules: ['ASYA-IMG-001'] }).validate(none.ctx);
    expect(none.violations).toEqual([]);
    expect(none.submitted[0].status).toBe('success');
    const schemaOnly = context({ 'a.k8s.yaml': [d] });
    await new AsyaValidationPlugin({ policy: false }).validate(schemaOnly.ctx);
    expect(schemaOnly.violations.map((v) => v.ruleName.split(' ')[0])).toEqual(['ASYA-SCHEMA']);
  });
});

describe('AsyaValidationPlugin under the real `cdk8s synth`', () => {
  let work: string;

  beforeAll(() => {
    // The CLI loads a local plugin with require(): compile it (and what it imports) to JavaScript, laid out
    // like the package (lib/ next to schemas/ and node_modules/).
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'asya-cli-'));
    const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), [
      '--ignoreConfig', '--outDir', path.join(work, 'lib'), '--rootDir', path.join(root, 'src'), '--module', 'node16',
      '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--strict', '--types', 'node',
      path.join(root, 'src', 'validation', 'plugin', 'asya-validation-plugin.ts'),
    ], { cwd: root, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    fs.symlinkSync(path.join(root, 'schemas'), path.join(work, 'schemas'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'policy', 'cli-app.js'), path.join(work, 'app.js'));
  }, 120_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function synth(variant: 'good' | 'bad') {
    const dir = fs.mkdtempSync(path.join(work, `${variant}-`));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      `app: node ../app.js ${variant}`,
      'language: typescript',
      'validations:',
      `  - package: ${path.join(work, 'lib', 'validation', 'plugin', 'asya-validation-plugin.js')}`,
      '    class: AsyaValidationPlugin',
      '    version: 0.0.0',
      '',
    ].join('\n'));
    return spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
  }

  test('a good app synthesizes and passes validation', () => {
    const r = synth('good');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Validations ended succesfully');
    expect(r.stdout).toMatch(/suppressed ASYA-NET-002 apps\/v1\/Deployment demo\/web .*\(reason: demo app, reached by nobody\)/);
  }, 60_000);

  test('a bad app reports every violation and fails the synth', () => {
    const r = synth('bad');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Validation failed');
    for (const line of [
      'ASYA-SCHEMA objects match the pinned schemas',
      'apps/v1/Deployment demo/web .spec.template.spec.containers[0].livenessProbe: unknown field "unknownField" (the schema does not allow it)',
      'ASYA-IMG-001 (error)',
      'apps/v1/Deployment demo/web .spec.template.spec.containers[0].image: container "web" image "nginx:latest" uses the :latest tag: pin a version tag or a digest',
      'ASYA-RBAC-001 (error)',
      'rbac.authorization.k8s.io/v1/Role demo/everything .rules[0].apiGroups: rule 0 grants "*" in apiGroups: list the apiGroups the workload needs',
      'ASYA-NET-002 (warning)',
      'Construct Path: demo/role',
    ]) {
      expect(r.stdout).toContain(line);
    }
  }, 60_000);
});
