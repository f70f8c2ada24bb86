/**
 * blockYaml: the gateway config text without the `yaml` document model. It must parse back to the same data
 * (YAML 1.2 core and 1.1), and read like the `yaml` package's output for configs of plain words.
 */
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { blockYaml, isUnicodeText } from '../../src/core/yaml-text';
import { FC_RUNS } from '../property/arbitraries';

const RAG = {
  routes: { ingest: ['rag-embed', 'rag-store'], ask: ['rag-embed', 'rag-retrieve', 'rag-answer'] },
  tools: [
    {
      name: 'ingest_document',
      description: 'Embed a document and store it in the vector store',
      parameters: { doc_id: { type: 'string', required: true }, input: { type: 'string', description: 'The text to index', required: true } },
      route: 'ingest',
    },
    { name: 'ask', description: 'Answer a question', parameters: { top_k: { type: 'integer', default: 4 } }, route: 'ask', timeout: 300, progress: false },
  ],
};

describe('blockYaml', () => {
  test('a config of plain words reads exactly as the yaml package writes it', () => {
    expect(blockYaml(RAG)).toBe(YAML.stringify(RAG, { lineWidth: 0 }));
  });

  test('strings that would read as another type, or need escapes, are double-quoted', () => {
    const text = blockYaml({ a: 'true', b: 'No', c: '4', d: '1.5', e: '', f: ' x', g: 'a: b', h: 'x #y', i: '*ref', j: '- x', k: 'two\nlines', l: 'null', m: '~', n: 'x ', o: 'e0', p: '_1' });
    expect(text).toBe([
      'a: "true"', 'b: "No"', 'c: "4"', 'd: "1.5"', 'e: ""', 'f: " x"', 'g: "a: b"', 'h: "x #y"', 'i: "*ref"', 'j: "- x"', 'k: "two\\nlines"',
      'l: "null"', 'm: "~"', '"n": "x "', 'o: "e0"', 'p: "_1"', '',
    ].join('\n'));
  });

  test('characters YAML does not allow unescaped are escaped (yaml.v3 refuses U+FFFE and U+FFFF even quoted)', () => {
    expect(blockYaml({ a: 'x\u0085y\u2028z\ufeff' })).toBe('a: "x\\u0085y\\u2028z\\ufeff"\n');
    expect(blockYaml({ a: '\ufffe\uffff' })).toBe('a: "\\ufffe\\uffff"\n');
  });

  test('a lone surrogate is not Unicode text: refused (yaml.v3 refuses its escape); a surrogate pair is kept', () => {
    expect(isUnicodeText('a\ud800')).toBe(false);
    expect(isUnicodeText('\udc00a')).toBe(false);
    expect(isUnicodeText('emoji \ud83d\ude00')).toBe(true);
    expect(() => blockYaml({ a: 'x\ud800' })).toThrow('blockYaml: "x\\ud800" has a lone surrogate: it is not Unicode text');
    expect(blockYaml({ a: 'emoji \ud83d\ude00' })).toBe('a: "emoji \ud83d\ude00"\n');
  });

  test('empty collections, null, nested lists and keys that need quotes', () => {
    const data = { 'a b': {}, 'c': [], 'd': null, 'e': [[1, 2], [], { x: [true] }], 'true': 1 };
    expect(blockYaml(data)).toBe(['"a b": {}', 'c: []', 'd: null', 'e:', '  - - 1', '    - 2', '  - []', '  - x:', '      - true', '"true": 1', ''].join('\n'));
    expect(YAML.parse(blockYaml(data))).toEqual(data);
  });

  test('values that are not JSON data are refused', () => {
    expect(() => blockYaml({ a: NaN })).toThrow('blockYaml: NaN is not a JSON number');
    expect(() => blockYaml({ a: () => 1 })).toThrow('blockYaml: function is not JSON data');
  });

  test('any JSON data parses back to itself under YAML 1.2 and YAML 1.1', () => {
    const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)));
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary' }), json), (data) => {
      const text = blockYaml(data);
      expect(YAML.parse(text)).toEqual(data);
      expect(YAML.parse(text, { version: '1.1' })).toEqual(data);
    }), { numRuns: FC_RUNS * 2 });
  });
});
