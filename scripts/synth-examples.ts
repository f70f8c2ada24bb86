/**
 * `npx projen synth:examples [name...]`: synthesizes each example app into dist/<name>/, validates every
 * object against the pinned schemas, and fails (exit 1) with the validator's messages on any issue.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES } from '../examples';
import { AsyncPipeline } from '../src/pipeline/async-pipeline';
import { SchemaValidator } from '../src/validation/schema-validator';

const root = path.resolve(__dirname, '..');
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(EXAMPLES);
let failed = false;
for (const name of names) {
  const build = EXAMPLES[name];
  if (!build) {
    process.stderr.write(`unknown example "${name}" (known: ${Object.keys(EXAMPLES).join(', ')})\n`);
    process.exit(2);
  }
  const outdir = path.join(root, 'dist', name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = build(outdir);
  const issues = SchemaValidator.validateApp(app);
  if (issues.length) {
    failed = true;
    process.stderr.write(`${name}: ${SchemaValidator.format(issues)}\n`);
    continue;
  }
  AsyncPipeline.synthWithDiagrams(app);
  const files = fs.readdirSync(outdir).sort();
  const objects = app.charts.reduce((n, c) => n + c.toJson().length, 0);
  process.stdout.write(`${name}: ${objects} objects, schema-valid -> ${path.relative(root, outdir)}/ (${files.join(', ')})\n`);
}
process.exit(failed ? 1 : 0);
