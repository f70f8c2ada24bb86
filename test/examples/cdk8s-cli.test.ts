import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { EXAMPLES } from '../../examples';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

/** `cdk8s synth` (the real CLI, offline) works on every example and writes the YAML and the diagrams. */
test.each(Object.keys(EXAMPLES))('cdk8s synth works on %s', async (name) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `cli-${name}-`));
  const app = `${path.join(root, 'node_modules', '.bin', 'tsx')} examples/${name}/main.ts`;
  await run(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--app', app, '--output', out, '--check-upgrade', 'false'], { cwd: root });
  const files = fs.readdirSync(out);
  expect(files.filter((f) => f.endsWith('.k8s.yaml')).length).toBeGreaterThan(0);
  if (name !== 'hello-asya') expect(files.filter((f) => f.endsWith('.md')).length).toBeGreaterThan(0);
}, 120000);
