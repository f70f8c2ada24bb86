/**
 * The shared HTTP behaviour of the bundled handlers (handlers/asya_http.py) under the conditions of
 * field-review section 4 (deliveryhero/asya @ v0.1.1: the sidecar gives each message one deadline,
 * src/asya-sidecar/internal/runtime/client.go:86-121, and redelivers on expiry, router.go:339-355).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Reply, runHandler, withServer } from './harness';

const CHAT = { BRIDGE_PROTOCOL: 'openai-chat', BRIDGE_MODEL: 'm', BRIDGE_BACKOFF_SECONDS: '0.01' };
const OK_CHAT: Reply = { status: 200, body: { choices: [{ message: { content: 'Hello.' } }] } };

/** A raw server: the handler decides everything about the answer (trickle, redirects, chunked bodies). */
async function withRaw<T>(handler: http.RequestListener, fn: (url: string, hits: () => number) => Promise<T>): Promise<T> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => count);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('one deadline per request (HND-3)', () => {
  test('a server that trickles its answer is cut at the request deadline, not kept alive by each byte', async () => {
    await withRaw((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"choices": [');
      const timer = setInterval(() => res.write(' '), 100); // a byte every 100 ms, forever
      res.on('close', () => clearInterval(timer));
    }, async (url, hits) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_TIMEOUT_SECONDS: '1', BRIDGE_MAX_RETRIES: '0' });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toMatch(/timed out/);
      expect(hits()).toBe(1);
      expect(out.elapsedMs).toBeLessThan(4000); // a per-read timeout would never fire
    });
  });

  test('a read timeout is retried at most once, whatever BRIDGE_MAX_RETRIES says (HND-2)', async () => {
    await withServer(() => 'hang', async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_TIMEOUT_SECONDS: '0.4', BRIDGE_MAX_RETRIES: '5' });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('failed after 2 attempt(s)');
      expect(server.requests).toHaveLength(2);
    });
  });
});

describe('cold start and retry budgets (TIM-1, SEL-1)', () => {
  test('503s are retried through BRIDGE_COLD_START_SECONDS even with BRIDGE_MAX_RETRIES=0', async () => {
    const responder = (_: unknown, i: number): Reply => (i < 5 ? { status: 503, body: 'loading', headers: { 'Retry-After': '0' } } : OK_CHAT);
    await withServer(responder, async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_MAX_RETRIES: '0', BRIDGE_COLD_START_SECONDS: '5' });
      expect(out).toMatchObject({ ok: true, result: { prompt: 'x', result: 'Hello.' } });
      expect(server.requests).toHaveLength(6);
    });
  });

  test('without a cold start the same 503s fail after 1 + BRIDGE_MAX_RETRIES attempts', async () => {
    await withServer(() => ({ status: 503, body: 'loading', headers: { 'Retry-After': '0' } }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_MAX_RETRIES: '1' });
      expect(out.message).toContain('failed after 2 attempt(s)');
      expect(server.requests).toHaveLength(2);
    });
  });

  test('connection refused while the model starts, then it listens: the call succeeds', async () => {
    const port = await freePort();
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ choices: [{ message: { content: 'up' } }] })); });
    });
    const late = setTimeout(() => server.listen(port, '127.0.0.1'), 1200);
    try {
      const out = await runHandler('bridge', { prompt: 'x' }, {
        ...CHAT, BRIDGE_URL: `http://127.0.0.1:${port}/v1/chat/completions`, BRIDGE_MAX_RETRIES: '0', BRIDGE_BACKOFF_SECONDS: '0.2', BRIDGE_COLD_START_SECONDS: '10',
      });
      expect(out).toMatchObject({ ok: true, result: { result: 'up' } });
      expect(out.elapsedMs).toBeGreaterThanOrEqual(1000);
    } finally {
      clearTimeout(late);
      server.closeAllConnections();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    }
  });

  // The budget src/asya/handler-budget.ts gives the call, C + t(r+1) + 30r, leaves r retries after the
  // cold-start window (handlers/asya_http.py docstring): refusals inside the window must not use them up.
  test('refused during the cold-start window, then one 500, then 200: the retry after the window is still there', async () => {
    const port = await freePort();
    let hits = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        if (hits === 1) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('warming up');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { content: 'up' } }] }));
      });
    });
    const late = setTimeout(() => server.listen(port, '127.0.0.1'), 1500);
    try {
      const out = await runHandler('bridge', { prompt: 'x' }, {
        ...CHAT, BRIDGE_URL: `http://127.0.0.1:${port}/v1/chat/completions`, BRIDGE_MAX_RETRIES: '1', BRIDGE_BACKOFF_SECONDS: '0.1', BRIDGE_COLD_START_SECONDS: '3',
      });
      expect(out).toMatchObject({ ok: true, result: { result: 'up' } });
      expect(hits).toBe(2);
    } finally {
      clearTimeout(late);
      server.closeAllConnections();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    }
  });

  test('a 404 is retried only with BRIDGE_RETRY_NOT_FOUND (Seldon: no route until the model is scheduled)', async () => {
    const responder = (_: unknown, i: number): Reply => (i < 2 ? { status: 404, body: 'no healthy upstream' } : OK_CHAT);
    await withServer(responder, async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_RETRY_NOT_FOUND: 'true' });
      expect(out.ok).toBe(true);
      expect(server.requests).toHaveLength(3);
    });
    await withServer(responder, async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions` });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('HTTP 404');
      expect(out.message).toContain('(not retried)');
      expect(server.requests).toHaveLength(1);
    });
  });

  test('a bad BRIDGE_RETRY_NOT_FOUND or BRIDGE_PROXY_URL fails the first message with the variable\'s name', async () => {
    const a = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: 'http://127.0.0.1:9/x', BRIDGE_RETRY_NOT_FOUND: 'yes' });
    expect(a).toMatchObject({ ok: false, type: 'ValueError', message: "BRIDGE_RETRY_NOT_FOUND must be true or false; got 'yes'" });
    const b = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: 'http://127.0.0.1:9/x', BRIDGE_PROXY_URL: 'socks5://p:1080' });
    expect(b).toMatchObject({ ok: false, type: 'ValueError', message: "BRIDGE_PROXY_URL must be an http:// URL of a proxy; got 'socks5://p:1080'" });
  });
});

describe('the whole call stays within its worst case (TIM-2)', () => {
  test('503s that arrive just before each deadline, with long Retry-After: elapsed is close to, and below, the computed worst case', async () => {
    // Sleeps are capped at MAX_SLEEP_SECONDS; the test scales it down so the schedule runs in seconds.
    const prelude = 'import asya_http; asya_http.MAX_SLEEP_SECONDS = 0.3';
    const t = 0.5;
    const r = 3;
    const worst = t * (r + 1) + 0.3 * r; // asya_http.worst_case_seconds with the scaled cap
    await withRaw((_, res) => {
      setTimeout(() => { res.writeHead(503, { 'Retry-After': '60' }); res.end('busy'); }, 420);
    }, async (url, hits) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_TIMEOUT_SECONDS: String(t), BRIDGE_MAX_RETRIES: String(r) }, prelude);
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(hits()).toBe(r + 1);
      // Python start-up is part of elapsedMs; the schedule itself is 4 x 0.42 + 3 x 0.3 = 2.58 s.
      expect(out.elapsedMs / 1000).toBeGreaterThan(0.8 * worst);
      expect(out.elapsedMs / 1000).toBeLessThan(worst + 1.5);
    });
  });
});

describe('result size (HND-4)', () => {
  test('a Content-Length above BRIDGE_MAX_RESULT_BYTES fails at once, without a retry', async () => {
    await withServer(() => ({ status: 200, body: { choices: [{ message: { content: 'x'.repeat(5000) } }] } }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_MAX_RESULT_BYTES: '2048', BRIDGE_MAX_RETRIES: '3' });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('exceeds the limit of 2048 bytes');
      expect(out.message).toContain('BRIDGE_MAX_RESULT_BYTES');
      expect(server.requests).toHaveLength(1);
    });
  });

  test('a chunked body without Content-Length is cut as soon as it passes the limit', async () => {
    await withRaw((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no length
      for (let i = 0; i < 50; i++) res.write('x'.repeat(1000));
      res.end();
    }, async (url, hits) => {
      const out = await runHandler('bridge', { a: 1 }, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/predict`, BRIDGE_MAX_RESULT_BYTES: '4096' });
      expect(out.message).toContain('exceeds the limit of 4096 bytes');
      expect(hits()).toBe(1);
    });
  });

  test('payload plus output above the limit fails with the result\'s size, though the answer alone fits', async () => {
    await withServer(() => ({ status: 200, body: { label: 'cat' } }), async (url) => {
      const out = await runHandler('bridge', { doc: 'y'.repeat(3000) }, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/predict`, BRIDGE_MAX_RESULT_BYTES: '2048' });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toMatch(/^result of \d+ bytes \(payload plus result\) exceeds BRIDGE_MAX_RESULT_BYTES \(2048\)/);
    });
  });
});

describe('text answers (HND-1)', () => {
  test.each(['http-json', 'ray-serve-http'])('%s: a text/plain answer passes through as text (BentoML -> str, Ray Serve str)', async (protocol) => {
    await withRaw((_, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; charset=latin-1' }); res.end(Buffer.from('caf\xe9', 'latin1')); }, async (url) => {
      const out = await runHandler('bridge', { text: 'q' }, { BRIDGE_PROTOCOL: protocol, BRIDGE_URL: `${url}/svc` });
      expect(out).toMatchObject({ ok: true, result: { text: 'q', result: 'café' } });
    });
  });

  // uvicorn/Starlette (vLLM's server) and Envoy send lower-case header names; HTTP names are case-insensitive.
  test('a lower-case content-type still gives its charset', async () => {
    await withRaw((_, res) => { res.writeHead(200, { 'content-type': 'text/plain; charset=latin-1' }); res.end(Buffer.from('caf\xe9', 'latin1')); }, async (url) => {
      const out = await runHandler('bridge', { text: 'q' }, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/svc` });
      expect(out).toMatchObject({ ok: true, result: { text: 'q', result: 'café' } });
    });
  });

  test('a lower-case retry-after (uvicorn/Starlette as in vLLM, Envoy) is honoured', async () => {
    let n = 0;
    await withRaw((_, res) => {
      if (n++ === 0) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
        res.end('loading');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'Hello.' } }] }));
    }, async (url, hits) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions` });
      expect(out).toMatchObject({ ok: true, result: { result: 'Hello.' } });
      expect(hits()).toBe(2);
      expect(out.elapsedMs).toBeGreaterThanOrEqual(1000); // the backoff alone would be 0.01 s
    });
  });

  test('JSON stays JSON, also when the answer is a JSON string', async () => {
    await withServer(() => ({ status: 200, body: { n: 1 } }), async (url) => {
      const out = await runHandler('bridge', {}, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/svc` });
      expect(out.result).toEqual({ result: { n: 1 } });
    });
    await withRaw((_, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('"plain"'); }, async (url) => {
      const out = await runHandler('bridge', {}, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/svc` });
      expect(out.result).toEqual({ result: 'plain' });
    });
  });

  test('a binary answer (Mosec msgpack) is an error naming its type', async () => {
    await withRaw((_, res) => { res.writeHead(200, { 'Content-Type': 'application/msgpack' }); res.end(Buffer.from([0x81, 0xa1, 0x61, 0x01])); }, async (url) => {
      const out = await runHandler('bridge', {}, { BRIDGE_PROTOCOL: 'http-json', BRIDGE_URL: `${url}/inference` });
      expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
      expect(out.message).toContain('answer of type application/msgpack is neither JSON nor text');
    });
  });
});

describe('no redirects, no proxies (HND-6, HND-7)', () => {
  test('a 307 is an error: the request is not resent, and the headers never reach the other host', async () => {
    await withServer(() => OK_CHAT, async (elsewhere, other) => {
      await withRaw((_, res) => { res.writeHead(307, { Location: `${elsewhere}/v1/chat/completions` }); res.end(); }, async (url, hits) => {
        const out = await runHandler('bridge', { prompt: 'x' }, {
          ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_HEADERS: JSON.stringify({ Authorization: 'Bearer sk-secret' }), BRIDGE_MAX_RETRIES: '3',
        });
        expect(out).toMatchObject({ ok: false, type: 'BridgeError' });
        expect(out.message).toContain('HTTP 307 redirect');
        expect(out.message).toContain('not followed');
        expect(hits()).toBe(1);
        expect(other.requests).toHaveLength(0);
      });
    });
  });

  test('the launcher does not follow a redirect either (the ServiceAccount token stays home)', async () => {
    await withRaw((_, res) => { res.writeHead(302, { Location: 'http://127.0.0.1:9/steal' }); res.end(); }, async (url, hits) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asya-redirect-'));
      fs.writeFileSync(path.join(dir, 'token'), 'sa-token');
      const manifest = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: {} };
      const out = await runHandler('job_launcher', { id: 'm1', route: { actors: ['l'], current: 0 }, payload: {} }, {
        LAUNCHER_MANIFEST: JSON.stringify(manifest),
        LAUNCHER_NAMESPACE: 'ai',
        LAUNCHER_RESOURCE_PATH: '/apis/batch/v1/namespaces/ai/jobs',
        LAUNCHER_API_URL: url,
        LAUNCHER_TOKEN_PATH: path.join(dir, 'token'),
      });
      expect(out).toMatchObject({ ok: false, type: 'RuntimeError' });
      expect(out.message).toContain('HTTP 302 redirect to http://127.0.0.1:9/steal not followed');
      expect(hits()).toBe(1);
    });
  });

  test('HTTP_PROXY / HTTPS_PROXY in the environment are ignored: in-cluster calls go straight to the server', async () => {
    await withServer(() => OK_CHAT, async (url, server) => {
      const dead = `http://127.0.0.1:${await freePort()}`;
      const out = await runHandler('bridge', { prompt: 'x' }, {
        ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, HTTP_PROXY: dead, http_proxy: dead, HTTPS_PROXY: dead, ALL_PROXY: dead, NO_PROXY: '',
      });
      expect(out).toMatchObject({ ok: true, result: { result: 'Hello.' } });
      expect(server.requests).toHaveLength(1);
    });
  });

  test('an explicit BRIDGE_PROXY_URL is used (absolute-form request to the proxy)', async () => {
    await withServer(() => OK_CHAT, async (proxyUrl, proxy) => {
      const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: 'http://llm.ai.svc.cluster.local:8000/v1/chat/completions', BRIDGE_PROXY_URL: proxyUrl });
      expect(out.ok).toBe(true);
      expect(proxy.requests[0].path).toBe('http://llm.ai.svc.cluster.local:8000/v1/chat/completions');
    });
  });
});

describe('opt-in pass-through and whole answers (HND-8)', () => {
  const toolCall = {
    id: 'c1',
    choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] } }],
    usage: { prompt_tokens: 5, completion_tokens: 7 },
  };

  test('BRIDGE_PASS_THROUGH forwards the named payload keys; BRIDGE_OUTPUT=response keeps tool_calls, finish_reason and usage', async () => {
    await withServer(() => ({ status: 200, body: toolCall }), async (url, server) => {
      const payload = { prompt: 'x', seed: 7, tools: [{ type: 'function' }], secret: 'not sent' };
      const out = await runHandler('bridge', payload, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions`, BRIDGE_PASS_THROUGH: 'seed, tools', BRIDGE_OUTPUT: 'response' });
      expect(out).toMatchObject({ ok: true, result: { ...payload, result: toolCall } });
      expect(server.requests[0].json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'x' }], seed: 7, tools: [{ type: 'function' }] });
    });
  });

  test('without them, the same answer (content null) is an error naming the field, and extra keys are not sent', async () => {
    await withServer(() => ({ status: 200, body: toolCall }), async (url, server) => {
      const out = await runHandler('bridge', { prompt: 'x', seed: 7 }, { ...CHAT, BRIDGE_URL: `${url}/v1/chat/completions` });
      expect(out.message).toContain('has no choices[0].message.content');
      expect(server.requests[0].json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    });
  });

  test.each([
    ['BRIDGE_PASS_THROUGH', 'messages', 'BRIDGE_PASS_THROUGH: messages cannot be passed through'],
    ['BRIDGE_OUTPUT', 'choice', "BRIDGE_OUTPUT must be one of field, response; got 'choice'"],
  ])('a bad %s fails the first message with the variable\'s name', async (name, value, message) => {
    const out = await runHandler('bridge', { prompt: 'x' }, { ...CHAT, BRIDGE_URL: 'http://127.0.0.1:9/x', [name]: value });
    expect(out).toMatchObject({ ok: false, type: 'ValueError' });
    expect(out.message).toContain(message);
  });
});
