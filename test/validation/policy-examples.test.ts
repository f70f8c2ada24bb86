import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLES } from '../../examples';
import { Policy } from '../../src/validation';

/** With the policy on, every example passes: no finding at all, error or warning. */
describe.each(Object.keys(EXAMPLES))('example %s', (name) => {
  const build = () => EXAMPLES[name](fs.mkdtempSync(path.join(os.tmpdir(), `policy-${name}-`)));

  test('has no policy finding', () => {
    expect(Policy.check(build()).map((f) => `${f.ruleId} ${f.object} ${f.path}: ${f.message}`)).toEqual([]);
  });

  test('Policy.assertCompliant passes', () => {
    expect(() => Policy.assertCompliant(build())).not.toThrow();
  });
});
