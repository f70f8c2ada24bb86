/**
 * HND-5 (field-review section 4): launch parameter patterns are checked with JavaScript at synth
 * (src/jobs/job-launcher.ts) and compiled per message by Python's re (handlers/job_launcher.py). Both
 * sides implement one subset; this test runs both engines over the same patterns and strings.
 */
import { execFileSync } from 'child_process';
import { portablePatternProblem } from '../../src/asya/portable-pattern';
import { HANDLERS_DIR, PYTHON } from '../handlers/harness';

const PORTABLE = [
  '^s3://[a-z0-9.-]+/[A-Za-z0-9._/-]+$',
  '^s3://[a-z0-9.-]+/.+$',
  '[a-z0-9][a-z0-9-]*',
  '\\d{2,4}',
  '\\w+(?:-\\w+)*',
  'a{2}|b{1,}c?',
  '(ab)+?x',
  '[^\\n]*',
  '\\bword\\b',
  '\\.\\*\\{\\}',
  'v[0-9]+\\.[0-9]+',
  '[\\w-]+', // a - last or first next to a shorthand is a literal in both
  '[-\\d]+',
];

/** Outside the subset, with why (the JavaScript/Python difference named in field-review HND-5). */
const NOT_PORTABLE: Array<[string, string]> = [
  ['(?<n>a)', 'uses a group other than (...) and (?:...)'], // named group: Python spells it (?P<n>...)
  ['\\p{L}+', 'uses the escape \\p'], // Unicode property: Python's re has none
  ['(a)\\k<x>', 'uses the escape \\k'],
  ['\\u{41}', 'uses the escape \\u'],
  ['a[]', 'has an empty class [] or [^]'], // JS: matches nothing; Python: a syntax error
  ['[^]', 'has an empty class [] or [^]'],
  ['abc\\z', 'uses the escape \\z'],
  ['\\Aabc', 'uses the escape \\A'], // Python: start of string; JS: the letter A
  ['abc\\Z', 'uses the escape \\Z'],
  ['a{,2}', 'has a { that does not start a quantifier'], // Python: 0..2; JS: the literal "a{,2}"
  ['\\s+', 'uses the escape \\s'], // whitespace sets differ (Unicode in JS, ASCII under re.ASCII)
  ['(?=a)a', 'uses a group other than (...) and (?:...)'],
  ['(?i)abc', 'uses a group other than (...) and (?:...)'],
  ['[[:alpha:]]', 'has [ inside a class'],
  ['a}', 'has a lone }'],
  ['\\1', 'uses the escape \\1'],
  ['\u{1F600}', 'uses a character outside the Basic Multilingual Plane'],
  ['(', 'is not a valid regular expression'],
  // Python's sre_parse (CPython Lib/re/_parser.py, parse_class): a range with a shorthand end is
  // "bad character range"; a doubled - & ~ | in a class raises a FutureWarning (possible set operation).
  ['[\\d-z]', 'has a - next to \\d \\D \\w \\W inside a class'],
  ['[a-\\d]', 'has a - next to \\d \\D \\w \\W inside a class'],
  ['[\\w-\\d]', 'has a - next to \\d \\D \\w \\W inside a class'],
  ['[&&a]', 'has && inside a class'],
  ['[--a]', 'has -- inside a class'],
  ['[a~~]', 'has ~~ inside a class'],
  ['[a||b]', 'has || inside a class'],
];

const SAMPLES = ['', 'a', 'ab', 'abab', 'abx', 'ababx', 'word', 'a word b', '42', '123', '12345', '\u0663\u0664', 'caf\u00e9', 'x-y', 'v1.2',
  's3://bucket/data/x.csv', 's3://bucket/', 's3://b/x\n', 'line\n', 'line\r', 'a\u2028b', '.*{}', 'bc', 'aac', 'aab'];

/** Runs the handler's own checker: for each pattern, its error or the full matches over SAMPLES. */
function python(patterns: string[]): Array<{ error?: string; matches?: boolean[] }> {
  const script = [
    'import json, re, sys',
    'sys.path.insert(0, sys.argv[1])',
    'import job_launcher',
    'patterns, samples = json.load(sys.stdin)',
    'out = []',
    'for p in patterns:',
    '    try:',
    '        c = re.compile(job_launcher.portable_pattern(p), re.ASCII)',
    '        out.append({"matches": [c.fullmatch(s) is not None for s in samples]})',
    '    except ValueError as e:',
    '        out.append({"error": str(e)})',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync(PYTHON, ['-c', script, HANDLERS_DIR], { input: JSON.stringify([patterns, SAMPLES]) });
  return JSON.parse(stdout.toString());
}

describe('portable launch patterns (HND-5)', () => {
  const py = python([...PORTABLE, ...NOT_PORTABLE.map(([p]) => p)]);

  test.each(PORTABLE.map((p, i) => [p, i] as const))('%s: accepted by both, and both engines match the same strings', (p, i) => {
    expect(portablePatternProblem(p)).toBeUndefined();
    expect(py[i].error).toBeUndefined();
    const js = new RegExp(`^(?:${p})$`);
    const jsMatches = SAMPLES.map((s) => js.test(s));
    expect(py[i].matches).toEqual(jsMatches);
  });

  test.each(NOT_PORTABLE.map(([p, why], i) => [p, why, i] as const))('%s: refused by both (%s)', (p, why, i) => {
    expect(portablePatternProblem(p)).toContain(why);
    expect(py[PORTABLE.length + i].error).toBeDefined();
  });
});
