import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLES, MAIN_EXAMPLE } from '../../examples';
import { synthAppValid } from '../util';

const root = path.resolve(__dirname, '..', '..');

describe.each(Object.keys(EXAMPLES))('example %s', (name) => {
  test('every object is schema-valid (snapshot)', () => {
    const app = EXAMPLES[name](fs.mkdtempSync(path.join(os.tmpdir(), `ex-${name}-`)));
    const charts = synthAppValid(app);
    expect(Object.keys(charts).length).toBeGreaterThan(0);
    expect(charts).toMatchSnapshot();
  });

  test('synthesizes byte-identical YAML twice in separate processes', () => {
    const out = (n: number) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ex-${name}-${n}-`));
      execFileSync(path.join(root, 'node_modules', '.bin', 'ts-node'),
        ['--transpile-only', '--project', 'test/tsconfig.json', `examples/${name}/main.ts`, dir], { cwd: root, stdio: 'pipe' });
      return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    };
    const first = out(1);
    const second = out(2);
    expect(Object.keys(first).length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });
});

test('the README main example exists', () => {
  expect(Object.keys(EXAMPLES)).toContain(MAIN_EXAMPLE);
});
