/**
 * Block-style YAML text of plain JSON data (maps, lists, strings, numbers, booleans, null), for config files
 * the library writes into ConfigMaps (the gateway's tool config). One pass, no YAML document model: the
 * `yaml` package builds a node tree per document and costs about as much as a whole NetworkPolicy to render
 * a small config (measured in docs/benchmark.md).
 *
 * The text parses back to the same data in the `yaml` package (YAML 1.2 and 1.1) and in gopkg.in/yaml.v3 v3.0.1,
 * the gateway's parser (deliveryhero/asya src/asya-gateway/go.mod @ v0.1.1): a string is written plain only when it cannot
 * read as anything else (a letter, `_` or `/` first, a conservative set of characters after, not a YAML 1.1
 * boolean, null or number); every other string is double-quoted with JSON escapes, which YAML's double-quoted
 * style shares, plus `\uXXXX` for the characters YAML does not allow unescaped. Layout follows the `yaml`
 * package's defaults (two spaces, sequences indented under their key), so plain configs read the same.
 */
export function blockYaml(data: { [key: string]: unknown }): string {
  const lines = mapLines(data, '');
  return `${lines.length ? lines.join('\n') : '{}'}\n`;
}

/** Words YAML 1.1 or 1.2 reads as booleans or null (any case). */
const RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);
/** A plain scalar that cannot read as anything but a string. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9 _.,/()'?!+=-]*$/;
/** Strings a lax YAML 1.1 number resolver reads as a number even without a digit first (`e0`, `_1`). */
const NUMBER_LIKE = /^[-+]?[0-9_.]*([eE][-+]?[0-9_]+)?$/;
/** A plain key. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/**
 * Characters YAML wants escaped inside double quotes that JSON.stringify leaves as they are (gopkg.in/yaml.v3
 * v3.0.1, which the Asya gateway parses with, refuses U+FFFE and U+FFFF anywhere in a file: readerc.go:375-379).
 */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
/** Half of a surrogate pair: JSON.stringify escapes it as `\udXXX`, which yaml.v3 refuses (scannerc.go:2573-2575). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` is well-formed Unicode text (no lone surrogate), as every YAML parser requires. */
export function isUnicodeText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

function quoted(s: string): string {
  if (!isUnicodeText(s)) throw new Error(`blockYaml: ${JSON.stringify(s)} has a lone surrogate: it is not Unicode text`);
  return JSON.stringify(s).replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`blockYaml: ${v} is not a JSON number`);
    return String(v);
  }
  if (typeof v === 'string') {
    return plain(v) ? v : quoted(v);
  }
  throw new Error(`blockYaml: ${typeof v} is not JSON data`);
}

function plain(s: string): boolean {
  return PLAIN.test(s) && !s.endsWith(' ') && !RESERVED.has(s.toLowerCase()) && !NUMBER_LIKE.test(s);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) && plain(k) ? k : quoted(k);
}

/** True for a non-empty map or list (written as a block; everything else fits on its key's line). */
function isBlock(v: unknown): v is object {
  if (Array.isArray(v)) return v.length > 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length > 0;
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}

function blockLines(v: object, indent: string): string[] {
  return Array.isArray(v) ? listLines(v, indent) : mapLines(v as { [key: string]: unknown }, indent);
}

function mapLines(m: { [key: string]: unknown }, indent: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    if (isBlock(v)) {
      out.push(`${indent}${key(k)}:`);
      out.push(...blockLines(v, `${indent}  `));
    } else {
      out.push(`${indent}${key(k)}: ${inline(v)}`);
    }
  }
  return out;
}

function listLines(l: unknown[], indent: string): string[] {
  const out: string[] = [];
  for (const v of l) {
    if (!isBlock(v)) {
      out.push(`${indent}- ${inline(v === undefined ? null : v)}`);
      continue;
    }
    // The item's block at the item's indent plus two, its first line moved up after the dash.
    const lines = blockLines(v, `${indent}  `);
    out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
  }
  return out;
}
