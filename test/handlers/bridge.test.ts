import { FakeServer, Reply, runHandler, withServer } from './harness';

/** One protocol: what the handler gets, what the server must receive, and what it answers. */
interface ProtocolCase {
  readonly protocol: string;
  readonly path: string;
  readonly payload: any;
  readonly expectedBody: any;
  readonly reply: any;
  readonly output: any;
  /** The field the handler reads; undefined when any JSON answer is the output. */
  readonly field?: string;
}

const MODEL = 'phi-3-mini-4k-instruct';
const MESSAGES = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }];
const TENSOR = { name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.5, 1.5] };

const CASES: ProtocolCase[] = [
  {
    protocol: 'openai-chat',
    path: '/v1/chat/completions',
    payload: { messages: MESSAGES, temperature: 0.2, max_tokens: 16, trace: 'kept-not-sent' },
    expectedBody: { model: MODEL, messages: MESSAGES, temperature: 0.2, max_tokens: 16 },
    reply: { id: 'c1', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' } }] },
    output: 'Hello.',
    field: 'choices[0].message.content',
  },
  {
    protocol: 'openai-completions',
    path: '/v1/completions',
    payload: { prompt: 'Once upon', stop: ['\n'], top_p: 0.9 },
    expectedBody: { model: MODEL, prompt: 'Once upon', stop: ['\n'], top_p: 0.9 },
    reply: { choices: [{ index: 0, text: ' a time' }] },
    output: ' a time',
    field: 'choices[0].text',
  },
  {
    protocol: 'openai-embeddings',
    path: '/v1/embeddings',
    payload: { input: ['first', 'second'] },
    expectedBody: { model: MODEL, input: ['first', 'second'] },
    // Out of order on purpose: the output follows `index`.
    reply: { data: [{ index: 1, embedding: [0.3, 0.4] }, { index: 0, embedding: [0.1, 0.2] }] },
    output: [[0.1, 0.2], [0.3, 0.4]],
    field: 'data[].embedding',
  },
  {
    protocol: 'kserve-v1',
    path: '/v1/models/iris:predict',
    payload: { instances: [[6.8, 2.8, 4.8, 1.4]], requestId: 'r1' },
    expectedBody: { instances: [[6.8, 2.8, 4.8, 1.4]] },
    reply: { predictions: [1] },
    output: [1],
    field: 'predictions',
  },
  {
    protocol: 'open-inference',
    path: '/v2/models/iris/infer',
    payload: { inputs: [TENSOR], parameters: { content_type: 'np' }, note: 'kept' },
    expectedBody: { inputs: [TENSOR], parameters: { content_type: 'np' } },
    reply: { model_name: 'iris', outputs: [{ name: 'y', shape: [1], datatype: 'INT64', data: [2] }] },
    output: [{ name: 'y', shape: [1], datatype: 'INT64', data: [2] }],
    field: 'outputs',
  },
  {
    protocol: 'ray-serve-http',
    path: '/classify',
    payload: { text: 'great film', top_k: 2 },
    expectedBody: { text: 'great film', top_k: 2 },
    reply: { label: 'positive', score: 0.98 },
    output: { label: 'positive', score: 0.98 },
  },
  {
    protocol: 'http-json',
    path: '/inference',
    payload: { image_url: 's3://b/cat.png' },
    expectedBody: { image_url: 's3://b/cat.png' },
    reply: { objects: ['cat'] },
    output: { objects: ['cat'] },
  },
];

/** Env for a protocol case against a server; `extra` overrides. Backoff is tiny so retries are fast. */
function envFor(c: ProtocolCase, url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BRIDGE_PROTOCOL: c.protocol,
    BRIDGE_URL: url + c.path,
    BRIDGE_MODEL: MODEL,
    BRIDGE_BACKOFF_SECONDS: '0.01',
    BRIDGE_TIMEOUT_SECONDS: '5',
    ...extra,
  };
}

const ok = (c: ProtocolCase): Reply => ({ status: 200, body: c.reply });
const byProtocol = CASES.map((c) => [c.protocol, c] as const);
const withField = CASES.filter((c) => c.field).map((c) => [c.protocol, c] as const);

describe('bridge handler, per protocol', () => {
  test.each(byProtocol)('%s: posts the mapped body and returns payload + output', async (_, c) => {
    await withServer(() => ok(c), async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url));
      expect(out).toMatchObject({ ok: true });
      expect(out.result).toEqual({ ...c.payload, result: c.output });
      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe(c.path);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.json).toEqual(c.expectedBody);
    });
  });

  test.each(byProtocol)('%s: a 429 with Retry-After: 0 is retried, then succeeds', async (_, c) => {
    const responder = (__: unknown, i: number): Reply =>
      i === 0 ? { status: 429, body: { error: 'rate limited' }, headers: { 'Retry-After': '0' } } : ok(c);
    await withServer(responder, async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url, { BRIDGE_BACKOFF_SECONDS: '5' }));
      expect(out.result).toEqual({ ...c.payload, result: c.output });
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1].json).toEqual(c.expectedBody);
      // Retry-After: 0 wins over the 5 s backoff.
      expect(out.elapsedMs).toBeLessThan(4000);
    });
  });

  test.each(byProtocol)('%s: a 500 on every attempt fails after 1 + BRIDGE_MAX_RETRIES attempts', async (_, c) => {
    await withServer(() => ({ status: 500, body: 'upstream exploded: CUDA OOM' }), async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url, { BRIDGE_MAX_RETRIES: '2' }));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain(`${url}${c.path}`);
      expect(out.message).toContain('HTTP 500');
      expect(out.message).toContain('CUDA OOM');
      expect(out.message).toContain('after 3 attempt(s)');
      expect(server.requests).toHaveLength(3);
    });
  });

  test.concurrent.each(byProtocol)('%s: a server that never answers times out, is retried, then fails', async (_, c) => {
    await withServer(() => 'hang', async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url, { BRIDGE_TIMEOUT_SECONDS: '0.5', BRIDGE_MAX_RETRIES: '1' }));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toMatch(/timed out/i);
      expect(out.message).toContain(`${url}${c.path}`);
      expect(server.requests).toHaveLength(2);
      expect(out.elapsedMs).toBeGreaterThanOrEqual(1000);
    });
  });

  test.each(withField)('%s: a response that is not JSON fails without a retry', async (_, c) => {
    await withServer(() => ({ status: 200, body: '<html>502 Bad Gateway from proxy</html>' }), async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('not JSON');
      expect(out.message).toContain('HTTP 200');
      expect(out.message).toContain('Bad Gateway from proxy');
      expect(server.requests).toHaveLength(1);
    });
  });

  test.each(withField)('%s: JSON without the expected field fails, naming the field', async (_, c) => {
    await withServer(() => ({ status: 200, body: { object: 'error', detail: 'no choices today' } }), async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain(`has no ${c.field}`);
      expect(out.message).toContain('no choices today');
      expect(server.requests).toHaveLength(1);
    });
  });

  test.each(byProtocol)('%s: a 400 is not retried and its body is in the error', async (_, c) => {
    await withServer(() => ({ status: 400, body: { error: { message: 'max_tokens is too large' } } }), async (url, server) => {
      const out = await runHandler('bridge', c.payload, envFor(c, url, { BRIDGE_MAX_RETRIES: '3' }));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('HTTP 400');
      expect(out.message).toContain('max_tokens is too large');
      expect(server.requests).toHaveLength(1);
    });
  });
});

describe('bridge handler, details', () => {
  const chat = CASES[0];

  test('a prompt becomes a single user message; only known parameters are forwarded', async () => {
    await withServer(() => ok(chat), async (url, server) => {
      const payload = { prompt: 'Summarise: ...', response_format: { type: 'json_object' }, user_id: 7, stream: true };
      const out = await runHandler('bridge', payload, envFor(chat, url));
      expect(out.result).toEqual({ ...payload, result: 'Hello.' });
      expect(server.requests[0].json).toEqual({
        model: MODEL,
        messages: [{ role: 'user', content: 'Summarise: ...' }],
        response_format: { type: 'json_object' },
      });
    });
  });

  test('a single embedding input still gives a list of vectors; `text` is accepted for `input`', async () => {
    const emb = CASES[2];
    await withServer(() => ({ status: 200, body: { data: [{ index: 0, embedding: [1, 2, 3] }] } }), async (url, server) => {
      const out = await runHandler('bridge', { text: 'one' }, envFor(emb, url));
      expect(out.result).toEqual({ text: 'one', result: [[1, 2, 3]] });
      expect(server.requests[0].json).toEqual({ model: MODEL, input: 'one' });
    });
  });

  test('BRIDGE_HEADERS are sent and BRIDGE_OUTPUT_KEY names the output', async () => {
    await withServer(() => ok(chat), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, {
        BRIDGE_HEADERS: JSON.stringify({ 'Authorization': 'Bearer sk-test', 'X-Tenant': 'ml' }),
        BRIDGE_OUTPUT_KEY: 'answer',
      }));
      expect(out.result).toEqual({ prompt: 'x', answer: 'Hello.' });
      expect(server.requests[0].headers.authorization).toBe('Bearer sk-test');
      expect(server.requests[0].headers['x-tenant']).toBe('ml');
    });
  });

  test('a payload that is not an object is posted as-is and wrapped in the output key', async () => {
    const raw = CASES[6];
    await withServer(() => ({ status: 200, body: [3, 1, 2] }), async (url, server) => {
      const out = await runHandler('bridge', ['a', 'b'], envFor(raw, url));
      expect(out.result).toEqual({ result: [3, 1, 2] });
      expect(server.requests[0].json).toEqual(['a', 'b']);
    });
  });

  test('Retry-After seconds on a 503 are honoured', async () => {
    const responder = (_: unknown, i: number): Reply =>
      i === 0 ? { status: 503, body: 'warming up', headers: { 'Retry-After': '1' } } : ok(chat);
    await withServer(responder, async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_BACKOFF_SECONDS: '0' }));
      expect(out.ok).toBe(true);
      expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    });
  });

  test('without Retry-After the backoff doubles: BACKOFF, then 2 x BACKOFF', async () => {
    await withServer(() => ({ status: 502, body: 'bad gateway' }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_BACKOFF_SECONDS: '0.3', BRIDGE_MAX_RETRIES: '2' }));
      expect(out.ok).toBe(false);
      const [a, b, c] = server.requests.map((r) => r.at);
      expect(b - a).toBeGreaterThanOrEqual(280);
      expect(c - b).toBeGreaterThanOrEqual(580);
    });
  });

  test('a refused connection is retried, then fails naming the URL', async () => {
    const server = new FakeServer(() => ok(chat));
    const url = await server.start();
    await server.stop(); // nothing listens on this port any more
    const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_MAX_RETRIES: '2', BRIDGE_BACKOFF_SECONDS: '0.2' }));
    expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
    expect(out.message).toContain(`${url}/v1/chat/completions failed after 3 attempt(s)`);
    expect(out.message).toMatch(/refused/i);
    expect(out.elapsedMs).toBeGreaterThanOrEqual(600); // 0.2 + 0.4 s of backoff: it really retried
  });

  test('other 4xx (404) are not retried either', async () => {
    await withServer(() => ({ status: 404, body: { detail: 'model iris not found' } }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url));
      expect(out.message).toContain('HTTP 404');
      expect(out.message).toContain('model iris not found');
      expect(server.requests).toHaveLength(1);
    });
  });

  test('the error keeps a short body excerpt and drops the query string (it may hold a key)', async () => {
    await withServer(() => ({ status: 400, body: 'x'.repeat(5000) }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_URL: `${url}/v1/chat/completions?api-key=s3cret` }));
      expect(server.requests[0].path).toBe('/v1/chat/completions?api-key=s3cret');
      expect(out.message).not.toContain('s3cret');
      expect(out.message!.length).toBeLessThan(600);
      expect(out.message).toContain('xxxx...');
    });
  });

  test.each([
    ['BRIDGE_URL missing', { BRIDGE_URL: '' }, 'BRIDGE_URL must be set'],
    ['unknown protocol', { BRIDGE_PROTOCOL: 'grpc' }, 'BRIDGE_PROTOCOL must be one of'],
    ['openai without a model', { BRIDGE_MODEL: '' }, 'BRIDGE_MODEL must be set'],
    ['headers not an object', { BRIDGE_HEADERS: '["a"]' }, 'BRIDGE_HEADERS must be a JSON object'],
    ['bad timeout', { BRIDGE_TIMEOUT_SECONDS: 'soon' }, 'BRIDGE_TIMEOUT_SECONDS must be a float'],
    ['negative retries', { BRIDGE_MAX_RETRIES: '-1' }, 'BRIDGE_MAX_RETRIES must be a finite number >= 0'],
  ])('config error on the first call: %s', async (_, extra, message) => {
    await withServer(() => ok(chat), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, extra));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(message);
      expect(server.requests).toHaveLength(0);
    });
  });

  test.each([
    ['openai-chat', { text: 'no prompt or messages' }, 'needs \'messages\''],
    ['openai-completions', { messages: [] }, 'needs \'prompt\''],
    ['openai-embeddings', { input: [1, 2] }, 'a list of strings'],
    ['kserve-v1', { inputs: [] }, 'needs \'instances\''],
    ['open-inference', { instances: [[1]] }, 'needs \'inputs\''],
  ])('%s: a payload that does not fit fails before any request', async (protocol, payload, message) => {
    const c = CASES.find((x) => x.protocol === protocol)!;
    await withServer(() => ok(c), async (url, server) => {
      const out = await runHandler('bridge', payload, envFor(c, url));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(message);
      expect(server.requests).toHaveLength(0);
    });
  });
});

describe('bridge result size as the sidecar publishes it (review A2 item 1)', () => {
  const chat = CASES[0];
  const answer = (content: string): Reply => ({ status: 200, body: { choices: [{ message: { content } }] } });

  // deliveryhero/asya v0.1.1: the runtime serialises with json.dumps' default ensure_ascii=True
  // (src/asya-runtime/asya_runtime.py:518) and the sidecar re-encodes with Go json.Marshal
  // (src/asya-sidecar/internal/router/router.go:396), which writes < > & as 6-byte \u003c escapes;
  // an oversize publish is NACKed and redelivered (router.go:872-877), calling the model again.
  test.each([
    ['CJK text (3 bytes in UTF-8, 6 on the wire)', '字'.repeat(1000)],
    ['emoji (4 bytes in UTF-8, 12 on the wire)', '😀'.repeat(500)],
    ['< > & (1 byte in UTF-8, 6 on the wire)', '<>&'.repeat(350)],
  ])('%s: measured escaped, so a result that fits in UTF-8 but not on the wire is refused', async (_, content) => {
    expect(Buffer.byteLength(JSON.stringify({ prompt: 'x', result: content }), 'utf-8')).toBeLessThan(4096);
    await withServer(() => answer(content), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_MAX_RESULT_BYTES: '4096' }));
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toMatch(/^result of \d+ bytes \(payload plus result\) exceeds BRIDGE_MAX_RESULT_BYTES \(4096\)/);
      expect(Number(/^result of (\d+) bytes/.exec(out.message!)![1])).toBeGreaterThan(5000);
      expect(server.requests).toHaveLength(1);
    });
  });

  test('an ASCII answer just under the cap still passes', async () => {
    await withServer(() => answer('a'.repeat(3900)), async (url) => {
      const out = await runHandler('bridge', { prompt: 'x' }, envFor(chat, url, { BRIDGE_MAX_RESULT_BYTES: '4096' }));
      expect(out).toMatchObject({ ok: true });
      expect(out.result.result).toHaveLength(3900);
    });
  });
});

describe('answers the Asya runtime cannot carry, and the last second of the deadline (review A2 item 6)', () => {
  const json = (body: string): Reply => ({ status: 200, body, headers: { 'Content-Type': 'application/json' } });

  // json.loads accepts NaN/Infinity; the runtime would write them back as bare NaN (invalid JSON) and
  // the sidecar fail with "failed to parse runtime response" (deliveryhero/asya v0.1.1
  // src/asya-sidecar/internal/runtime/client.go:116), redelivering the message.
  test.each(['NaN', 'Infinity', '-Infinity'])('an answer holding %s is refused once, not retried', async (constant) => {
    await withServer(() => json(`{"score": ${constant}}`), async (url, server) => {
      const out = await runHandler('bridge', { a: 1 }, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/predict` });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain(`HTTP 200 response holds ${constant}, which is not JSON`);
      expect(server.requests).toHaveLength(1);
    });
  });

  test('no retry is started with less than about 1 s left of the call deadline', async () => {
    // The call deadline is cut to 1.5 s: after a 500 and a 0.8 s backoff only 0.7 s would be left.
    const prelude = 'import asya_http, time\n_r = asya_http.request\nasya_http.request = lambda *a, **k: _r(*a, **{**k, "deadline": time.monotonic() + 1.5})';
    await withServer(() => ({ status: 500, body: 'boom' }), async (url, server) => {
      const out = await runHandler('bridge', { a: 1 }, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/predict`, BRIDGE_BACKOFF_SECONDS: '0.8', BRIDGE_MAX_RETRIES: '3' }, prelude);
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('(deadline reached)');
      expect(server.requests).toHaveLength(1);
    });
  });
});
