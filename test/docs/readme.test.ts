import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The README's TypeScript snippets are real programs: each one that imports 'cdk8s-asya' runs (through
 * tsx, against src/) and synthesizes. A snippet that drifts from the API fails here, not in a user's app.
 */
const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'cdk8s-asya'"));

function run(file: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path.join(root, 'node_modules', '.bin', 'tsx'), [file], { cwd, timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test('the README has runnable snippets', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(2);
});

test.each(snippets.map((code, i) => [i + 1, code]))('README snippet %i synthesizes', async (_i, code) => {
  // Inside the repository (`.tmp/` is git-ignored) so that 'cdk8s' resolves from its node_modules.
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, '.tmp', 'readme-'));
  const file = path.join(dir, 'main.ts');
  fs.writeFileSync(file, (code as string).replace(/from 'cdk8s-asya'/g, `from '${path.join(root, 'src')}'`));
  await run(file, dir);
  expect(fs.readdirSync(path.join(dir, 'dist')).some((f) => f.endsWith('.k8s.yaml'))).toBe(true);
}, 90000);
