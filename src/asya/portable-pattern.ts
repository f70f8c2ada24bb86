/**
 * The regular-expression subset that JavaScript (no flags, as checked at synth) and Python's `re` (as
 * compiled by `handlers/job_launcher.py`, `portable_pattern`) read the same way. Outside it the two
 * engines disagree (HND-5): `(?<n>...)`, `\p{L}`, `\k<x>`, `\u{41}`, `[]`, `\z` fail in Python; `\A`,
 * `\Z`, `{,2}`, `\s`, `$` before a final newline mean other things. The rules here and in the handler
 * are the same; a test runs both engines over the same cases.
 *
 * Allowed: literal characters of the Basic Multilingual Plane; `.` (Python is given JavaScript's
 * meaning: anything but `\n`, `\r`, U+2028, U+2029); `^`, `$` (the very end in both); `|`; `*`, `+`,
 * `?`, `{n}`, `{n,}`, `{n,m}` and their lazy forms; `(...)` and `(?:...)`; non-empty classes `[...]`
 * and `[^...]`; escapes of punctuation, `\d \D \w \W` (ASCII in both), `\b \B` (outside classes) and
 * `\n \t \r \f \v`.
 */

const META = new Set('\\^$.|?*+()[]{}/-'.split(''));
const SHORTHAND = new Set(['d', 'D', 'w', 'W']);
const CONTROL = new Set(['n', 't', 'r', 'f', 'v']);
const QUANTIFIER = /^\{[0-9]+(,[0-9]*)?\}/;
/** `[\d-z]`, `[a-\d]`: JavaScript reads a literal `-`, Python refuses ("bad character range"). */
const RANGE_PROBLEM = 'has a - next to \\d \\D \\w \\W inside a class (JavaScript reads a literal -, Python a bad range): escape it as \\- or put it first or last';

/** Why a pattern is outside the portable subset, or undefined when it is inside (and compiles in JavaScript). */
export function portablePatternProblem(pattern: string): string | undefined {
  if (/[\uD800-\uDFFF]/.test(pattern)) {
    return 'uses a character outside the Basic Multilingual Plane (JavaScript reads it as two UTF-16 units, Python as one)';
  }
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (!e || !(META.has(e) || SHORTHAND.has(e) || CONTROL.has(e) || e === 'b' || e === 'B')) {
        return `uses the escape \\${e}, which JavaScript and Python read differently (allowed: escaped punctuation, \\d \\D \\w \\W \\b \\B \\n \\t \\r \\f \\v)`;
      }
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') return 'has an empty class [] or [^], which JavaScript and Python read differently';
      const first = j;
      while (j < n && pattern[j] !== ']') {
        if (pattern[j] === '\\') {
          const e = pattern[j + 1] ?? '';
          if (!e || !(META.has(e) || SHORTHAND.has(e) || CONTROL.has(e))) return `uses the escape \\${e} in a class, which JavaScript and Python read differently`;
          if (SHORTHAND.has(e) && pattern[j + 2] === '-' && pattern[j + 3] !== ']') return RANGE_PROBLEM;
          j += 2;
        } else if (pattern[j] === '-' && j > first && pattern[j + 1] === '\\' && SHORTHAND.has(pattern[j + 2] ?? '')) {
          return RANGE_PROBLEM;
        } else if ('-&~|'.includes(pattern[j]) && pattern[j + 1] === pattern[j]) {
          return `has ${pattern[j]}${pattern[j]} inside a class (Python warns of a future set operation on every compile): escape one of them`;
        } else if (pattern[j] === '[') {
          return 'has [ inside a class (Python may read it as a nested set): escape it as \\[';
        } else {
          j++;
        }
      }
      if (j >= n) return 'has an unterminated character class';
      i = j + 1;
    } else if (c === '(') {
      if (pattern.startsWith('(?', i) && !pattern.startsWith('(?:', i)) {
        return 'uses a group other than (...) and (?:...) (named groups, lookarounds and inline flags differ between JavaScript and Python)';
      }
      i += pattern.startsWith('(?:', i) ? 3 : 1;
    } else if (c === '{') {
      const m = QUANTIFIER.exec(pattern.slice(i));
      if (!m) return 'has a { that does not start a quantifier {n}, {n,} or {n,m} (escape a literal { as \\{)';
      i += m[0].length;
    } else if (c === '}') {
      return 'has a lone } (escape it as \\})';
    } else {
      i++;
    }
  }
  try {
    new RegExp(pattern);
  } catch {
    return 'is not a valid regular expression';
  }
  return undefined;
}
