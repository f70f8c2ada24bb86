import * as fs from 'fs';
import * as path from 'path';

/** docs/cluster.md names every pinned upstream version and every CRD the library can emit. */
const root = path.resolve(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'cluster.md'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'imports', 'crds.json'), 'utf8'));

test.each(manifest.crds.map((c: any) => [c.file, c]))('docs/cluster.md lists %s with its version and CRD name', (_file, c: any) => {
  const version = String(c.version).split(' ')[0];
  expect(doc).toContain(version);
  const yaml = fs.readFileSync(path.join(root, 'imports', c.file), 'utf8');
  const crdName = /\n {2}name: (\S+)/.exec(yaml)![1];
  expect(doc).toContain(crdName);
});
