import { execFileSync, spawn } from 'child_process';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';

/** The folder holding the Python handlers, put on `sys.path` by the driver. */
export const HANDLERS_DIR = path.join(__dirname, '..', '..', 'handlers');

/**
 * The interpreter to run the handlers with (`ASYA_TEST_PYTHON=python3.10` checks the oldest runtime),
 * resolved once to its real executable so version-manager shims do not slow every run down.
 */
export const PYTHON = execFileSync(process.env.ASYA_TEST_PYTHON ?? 'python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();

/**
 * Runs `<module>.handle(input)` and prints one JSON line: the result, or the exception's class and message.
 * The handler sees exactly what the Asya runtime gives it: the decoded payload (or envelope).
 */
const DRIVER = [
  'import json, sys',
  'sys.path.insert(0, sys.argv[1])',
  'if len(sys.argv) > 3: exec(sys.argv[3])',
  'handler = __import__(sys.argv[2]).handle',
  'try:',
  '    out = {"ok": True, "result": handler(json.load(sys.stdin))}',
  'except Exception as e:',
  '    out = {"ok": False, "type": type(e).__name__, "message": str(e)}',
  'print(json.dumps(out))',
].join('\n');

/** A request the fake server received. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body decoded as JSON, or undefined when it is not JSON. */
  readonly json: any;
  /** Milliseconds since the server started. */
  readonly at: number;
}

/** What the fake server answers: a status with a JSON body (objects) or a raw body (strings). */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** Decides the answer to the n-th request (0-based); 'hang' never answers. */
export type Responder = (request: SeenRequest, index: number) => Reply | 'hang';

/** A local HTTP(S) server on 127.0.0.1 with an ephemeral port that records every request. */
export class FakeServer {
  public readonly requests: SeenRequest[] = [];
  private readonly server: http.Server;
  private started = 0;

  constructor(responder: Responder, tls?: { key: string; cert: string }) {
    const listener: http.RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf-8');
        let json: any;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now() - this.started };
        this.requests.push(seen);
        const reply = responder(seen, this.requests.length - 1);
        if (reply === 'hang') return;
        const raw = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(reply.status, { 'Content-Type': type, ...reply.headers });
        res.end(raw);
      });
    };
    this.server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  }

  /** Starts listening; returns the base URL (`http://127.0.0.1:<port>`). */
  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.started = Date.now();
    const scheme = this.server instanceof https.Server ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops the server, dropping connections that are still waiting for an answer. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts a server, runs `fn` with its base URL, and always stops the server. */
export async function withServer<T>(responder: Responder, fn: (url: string, server: FakeServer) => Promise<T>): Promise<T> {
  const server = new FakeServer(responder);
  const url = await server.start();
  try {
    return await fn(url, server);
  } finally {
    await server.stop();
  }
}

/** What a handler run produced. */
export interface Outcome {
  readonly ok: boolean;
  readonly result?: any;
  /** The exception class name when the handler raised. */
  readonly type?: string;
  readonly message?: string;
  /** Wall-clock milliseconds of the whole Python process. */
  readonly elapsedMs: number;
}

/**
 * Runs a handler in a real `python3` process, asynchronously so the fake server in this process can
 * answer. The environment is the test's own minus proxies and any BRIDGE_* / LAUNCHER_* variables.
 */
export async function runHandler(module: 'bridge' | 'job_launcher', input: unknown, env: Record<string, string>, prelude?: string): Promise<Outcome> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(BRIDGE_|LAUNCHER_)|proxy/i.test(k)) base[k] = v;
  }
  const started = Date.now();
  return new Promise<Outcome>((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', DRIVER, HANDLERS_DIR, module, ...(prelude ? [prelude] : [])], {
      env: { ...base, PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      try {
        resolve({ ...JSON.parse(stdout), elapsedMs: Date.now() - started });
      } catch {
        reject(new Error(`python exited with ${code}: ${stdout}${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
