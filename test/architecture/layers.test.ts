import * as fs from 'fs';
import * as path from 'path';

/**
 * Dependencies point down only (docs/architecture.md): a layer may import itself and the layers listed
 * here, nothing above it. A new import that points up fails this test with the file and the import.
 */
const ALLOWED: { [layer: string]: string[] } = {
  core: ['core', 'imports'],
  validation: ['validation', 'core'],
  asya: ['asya', 'core', 'imports'],
  backends: ['backends', 'core', 'imports'],
  jobs: ['jobs', 'asya', 'core', 'imports'],
  binding: ['binding', 'asya', 'backends', 'core', 'imports'],
  pipeline: ['pipeline', 'binding', 'backends', 'jobs', 'asya', 'core', 'imports'],
  cli: ['cli', 'validation', 'core'],
};

const SRC = path.join(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('every import in src/ points to the same layer or one below it', () => {
  const violations: string[] = [];
  for (const layer of fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'imports').map((e) => e.name)) {
    const allowed = ALLOWED[layer];
    if (!allowed) {
      violations.push(`src/${layer}/: a new layer: add it to ALLOWED in this test (and to docs/architecture.md)`);
      continue;
    }
    for (const f of files(path.join(SRC, layer))) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(path.dirname(f), m[1])).split(path.sep)[0];
        if (target && !target.startsWith('..') && !allowed.includes(target)) violations.push(`${path.relative(SRC, f)} imports ${m[1]} (layer ${target})`);
      }
    }
  }
  expect(violations).toEqual([]);
});
