import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeServer, Reply, runHandler, SeenRequest, withServer } from './harness';

const NAMESPACE = 'ai';
const RESOURCE_PATH = `/apis/batch.volcano.sh/v1alpha1/namespaces/${NAMESPACE}/jobs`;
const TOKEN = 'test-token-123';
const ARGS = '/spec/tasks/0/template/spec/containers/0/args';
/** The POST's query: JL-6, the field manager recorded in the created job's managedFields (Kubernetes API conventions: `fieldManager` on create). */
const POST_PATH = `${RESOURCE_PATH}?fieldManager=asya-job-launcher`;
const LAUNCHER = 'training-launcher';

/** A Volcano job with placeholders at the places the parameters target. */
const MANIFEST = {
  apiVersion: 'batch.volcano.sh/v1alpha1',
  kind: 'Job',
  // The construct labels the captured manifest with the launcher's name (JobLauncher.LAUNCHER_LABEL).
  metadata: { name: 'train', labels: { 'team': 'ml', 'asya.sh/launcher': LAUNCHER }, annotations: { note: 'fixed' } },
  spec: {
    schedulerName: 'volcano',
    queue: 'default',
    minAvailable: 1,
    tasks: [{
      name: 'worker',
      replicas: 1,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'trainer',
            image: 'ghcr.io/example/train:1.4.2',
            args: ['--epochs', '1', '--dataset', 'PLACEHOLDER', '--lr', '0.1', '--dry-run', 'false'],
            env: [{ name: 'DATASET', value: 'PLACEHOLDER' }, { name: 'MODE', value: 'train' }],
          }],
        },
      },
    }],
  },
};

const PARAMETERS = [
  { name: 'dataset', type: 'string', required: true, pattern: '[a-z0-9][a-z0-9-]*', targets: [`${ARGS}/3`, '/spec/tasks/0/template/spec/containers/0/env/0/value'] },
  { name: 'epochs', type: 'integer', default: 1, minimum: 1, maximum: 100, targets: [`${ARGS}/1`] },
  { name: 'lr', type: 'number', minimum: 0, maximum: 1, targets: [`${ARGS}/5`] },
  { name: 'dryRun', type: 'boolean', default: false, targets: [`${ARGS}/7`] },
  { name: 'workers', type: 'integer', minimum: 1, targets: ['/spec/tasks/0/replicas', '/spec/minAvailable'] },
];

let tmp: string;
let tokenPath: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-test-'));
  tokenPath = path.join(tmp, 'token');
  fs.writeFileSync(tokenPath, `${TOKEN}\n`);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function envFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LAUNCHER_MANIFEST: JSON.stringify(MANIFEST),
    LAUNCHER_PARAMETERS: JSON.stringify(PARAMETERS),
    LAUNCHER_API_URL: url,
    LAUNCHER_TOKEN_PATH: tokenPath,
    LAUNCHER_NAMESPACE: NAMESPACE,
    LAUNCHER_RESOURCE_PATH: RESOURCE_PATH,
    LAUNCHER_BACKOFF_SECONDS: '0.01',
    LAUNCHER_TIMEOUT_SECONDS: '5',
    ...extra,
  };
}

function envelope(payload: unknown, id = 'msg-0001'): any {
  return {
    id,
    route: { actors: ['prepare', 'launch-training', 'notify'], current: 1 },
    headers: { trace_id: 't-1' },
    payload,
    extra: { kept: true },
  };
}

const hash10 = (id: string): string => createHash('sha256').update(id).digest('hex').slice(0, 10);

/** The API server's answer to a create: the object with server-set fields. */
function created(req: SeenRequest, uid = 'uid-new'): Reply {
  return { status: 201, body: { ...req.json, metadata: { ...req.json.metadata, uid, resourceVersion: '1' }, status: {} } };
}

const status = (code: number, reason: string, message: string): Reply =>
  ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code } });

describe('job launcher', () => {
  test('creates the job: name, namespace, labels, values at exactly the declared places, bearer token', async () => {
    await withServer((req) => created(req), async (url, server) => {
      const payload = { dataset: 'imagenet-mini', epochs: 5, lr: 0.01, dryRun: true, workers: 2 };
      const input = envelope(payload);
      const out = await runHandler('job_launcher', input, envFor(url));
      expect(out.ok).toBe(true);

      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe(POST_PATH);
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.headers['content-type']).toBe('application/json');

      // The whole object: anything changed outside these places fails the comparison.
      const expected: any = structuredClone(MANIFEST);
      const name = `train-${hash10('msg-0001')}`;
      expected.metadata = {
        name,
        namespace: NAMESPACE,
        labels: { 'team': 'ml', 'asya.sh/launcher': LAUNCHER, 'asya.sh/launched-by': 'train', 'asya.sh/message-id-hash': hash10('msg-0001') },
        annotations: { note: 'fixed' },
      };
      const container = expected.spec.tasks[0].template.spec.containers[0];
      container.args = ['--epochs', '5', '--dataset', 'imagenet-mini', '--lr', '0.01', '--dry-run', 'true'];
      container.env[0].value = 'imagenet-mini';
      expected.spec.tasks[0].replicas = 2; // an integer slot keeps an integer
      expected.spec.minAvailable = 2;
      expect(req.json).toEqual(expected);

      expect(out.result).toEqual({
        ...input,
        route: { actors: ['prepare', 'launch-training', 'notify'], current: 2 },
        payload: {
          job: { apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', name, namespace: NAMESPACE, uid: 'uid-new' },
          created: true,
          parameters: payload,
        },
      });
    });
  });

  test('defaults are applied; an absent optional parameter leaves the manifest value alone', async () => {
    await withServer((req) => created(req), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out.result.payload.parameters).toEqual({ dataset: 'cifar10', epochs: 1, dryRun: false });
      const body = server.requests[0].json;
      expect(body.spec.tasks[0].template.spec.containers[0].args)
        .toEqual(['--epochs', '1', '--dataset', 'cifar10', '--lr', '0.1', '--dry-run', 'false']);
      expect(body.spec.tasks[0].replicas).toBe(1);
      expect(body.spec.minAvailable).toBe(1);
    });
  });

  test('409 Conflict: GETs the existing job and succeeds with created false', async () => {
    const id = 'redelivered-42';
    const name = `train-${hash10(id)}`;
    const existing = {
      apiVersion: 'batch.volcano.sh/v1alpha1',
      kind: 'Job',
      metadata: { name, namespace: NAMESPACE, uid: 'uid-old', labels: { 'asya.sh/launcher': LAUNCHER, 'asya.sh/message-id-hash': hash10(id) } },
    };
    const responder = (req: SeenRequest): Reply => req.method === 'POST'
      ? status(409, 'AlreadyExists', `jobs.batch.volcano.sh "${name}" already exists`)
      : { status: 200, body: existing };
    await withServer(responder, async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }, id), envFor(url));
      expect(out.ok).toBe(true);
      expect(out.result.payload.created).toBe(false);
      expect(out.result.payload.job).toEqual({ apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', name, namespace: NAMESPACE, uid: 'uid-old' });
      expect(out.result.route.current).toBe(2);
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${POST_PATH}`, `GET ${RESOURCE_PATH}/${name}`]);
      expect(server.requests[1].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });
  });

  test('409 for a job of the same name that another message launched is an error', async () => {
    const responder = (req: SeenRequest): Reply => req.method === 'POST'
      ? status(409, 'AlreadyExists', 'already exists')
      : { status: 200, body: { metadata: { name: 'x', uid: 'u', labels: { 'asya.sh/launcher': LAUNCHER, 'asya.sh/message-id-hash': '0000000000' } } } };
    await withServer(responder, async (url) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'RuntimeError' });
      expect(out.message).toBe(`train-${hash10('msg-0001')} exists in ${NAMESPACE} but was not launched for this message`);
    });
  });

  // JL-5: two launchers whose job templates share a name launch the same name for the same message id;
  // the hash alone cannot tell them apart, the asya.sh/launcher label (set by the construct) can.
  test.each([
    ['another launcher', { 'asya.sh/launcher': 'other-launcher' }, "'other-launcher'"],
    ['no launcher label (created by hand or by an older launcher)', {}, 'None'],
  ])('409 for a job with this message hash from %s is an error', async (_, launcherLabel, shown) => {
    const name = `train-${hash10('msg-0001')}`;
    const responder = (req: SeenRequest): Reply => req.method === 'POST'
      ? status(409, 'AlreadyExists', 'already exists')
      : { status: 200, body: { metadata: { name, uid: 'u', labels: { ...launcherLabel, 'asya.sh/message-id-hash': hash10('msg-0001') } } } };
    await withServer(responder, async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'RuntimeError' });
      expect(out.message).toBe(`${name} exists in ${NAMESPACE} but was launched by ${shown}, not by this launcher ('${LAUNCHER}'): another launcher's job of the same name`);
      expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    });
  });

  test('errors of the POST name the URL with its fieldManager query (JL-6)', async () => {
    await withServer(() => status(403, 'Forbidden', 'forbidden'), async (url) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out.message).toBe(`POST ${url}${POST_PATH}: HTTP 403: forbidden`);
    });
  });

  test('403 Forbidden raises PermissionError with the API message, without retrying', async () => {
    const message = 'jobs.batch.volcano.sh is forbidden: User "system:serviceaccount:ai:launcher" cannot create resource "jobs"';
    await withServer(() => status(403, 'Forbidden', message), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'PermissionError' });
      expect(out.message).toContain(message);
      expect(server.requests).toHaveLength(1);
    });
  });

  test.each([400, 422])('%i raises ValueError with the API message, without retrying', async (code) => {
    const message = 'Job.batch.volcano.sh "train-x" is invalid: spec.tasks[0].name: Invalid value';
    await withServer(() => status(code, 'Invalid', message), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(message);
      expect(out.message).toContain(`HTTP ${code}`);
      expect(server.requests).toHaveLength(1);
    });
  });

  test.each([
    ['wrong type for a string', { dataset: 5 }, 'dataset: expected string, got 5'],
    ['a string for an integer', { dataset: 'ok', epochs: '5' }, 'epochs: expected integer, got "5"'],
    ['a boolean is not an integer', { dataset: 'ok', epochs: true }, 'epochs: expected integer, got true'],
    ['a float is not an integer', { dataset: 'ok', epochs: 1.5 }, 'epochs: expected integer, got 1.5'],
    ['a string for a boolean', { dataset: 'ok', dryRun: 'true' }, 'dryRun: expected boolean, got "true"'],
    ['an unknown key', { dataset: 'ok', image: 'evil:latest', command: 'sh' }, 'unknown parameter(s): command, image'],
    ['a pattern mismatch', { dataset: 'ok; rm -rf /' }, 'does not match pattern'],
    ['a pattern must match the whole value', { dataset: 'ok\n--privileged' }, 'does not match pattern'],
    ['a missing required parameter', { epochs: 3 }, 'dataset: required'],
    ['below the minimum', { dataset: 'ok', epochs: 0 }, 'epochs: 0 is below the minimum 1'],
    ['above the maximum', { dataset: 'ok', lr: 1.5 }, 'lr: 1.5 is above the maximum 1'],
    ['null is not a value', { dataset: null }, 'dataset: expected string, got null'],
    ['a payload that is not an object', ['ok'], 'payload must be a JSON object'],
  ])('invalid parameters (%s) raise ValueError before any request', async (_, payload, message) => {
    await withServer((req) => created(req), async (url, server) => {
      const out = await runHandler('job_launcher', envelope(payload), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(message);
      expect(server.requests).toHaveLength(0);
    });
  });

  // The runtime repeats the error text in its traceback and the sidecar adds the payload to the
  // error-end message (deliveryhero/asya v0.1.1 src/asya-sidecar/internal/router/router.go:489-496): an
  // echoed 100 KB value would exceed SQS's 256 KiB and loop on redelivery, so echoes are clipped.
  test.each([
    ['a long value of the wrong type', { dataset: 7, epochs: 'x'.repeat(100_000) }, 'epochs: expected integer, got "xxx', '(100002 characters)'],
    ['a long value that does not match the pattern', { dataset: 'Y'.repeat(100_000) }, 'dataset: "YYY', '(100002 characters)'],
    ['a long unknown name', { dataset: 'ok', ['k'.repeat(100_000)]: 1 }, 'unknown parameter(s): kkk', '(100000 characters)'],
    ['many unknown names', { dataset: 'ok', ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${String(i).padStart(20, '0')}`, 1])) }, 'unknown parameter(s): p0000', 'and 4990 more'],
  ])('%s is clipped in the error (about 100 characters, with the original length)', async (_, payload, start, tail) => {
    await withServer((req) => created(req), async (url, server) => {
      const out = await runHandler('job_launcher', envelope(payload), envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(start);
      expect(out.message).toContain(tail);
      expect(out.message!.length).toBeLessThan(1500);
      expect(server.requests).toHaveLength(0);
    });
  });

  test('500 on every attempt fails after 1 + LAUNCHER_MAX_RETRIES attempts', async () => {
    await withServer(() => status(500, 'InternalError', 'etcdserver: request timed out'), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url, { LAUNCHER_MAX_RETRIES: '2' }));
      expect(out).toMatchObject({ ok: false, type: 'RuntimeError' });
      expect(out.message).toContain('failed after 3 attempt(s)');
      expect(out.message).toContain('HTTP 500');
      expect(out.message).toContain('etcdserver: request timed out');
      expect(server.requests).toHaveLength(3);
    });
  });

  test('a 503 then a 201 succeeds, posting the same manifest twice', async () => {
    await withServer((req, i) => (i === 0 ? status(503, 'ServiceUnavailable', 'busy') : created(req)), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'cifar10' }), envFor(url));
      expect(out.result.payload.created).toBe(true);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1].json).toEqual(server.requests[0].json);
    });
  });

  test('the same envelope id always gives the same job name; another id another name', async () => {
    await withServer((req) => created(req), async (url, server) => {
      const env = envFor(url);
      const a = await runHandler('job_launcher', envelope({ dataset: 'a' }, 'same-id'), env);
      const b = await runHandler('job_launcher', envelope({ dataset: 'b' }, 'same-id'), env);
      const c = await runHandler('job_launcher', envelope({ dataset: 'a' }, 'other-id'), env);
      expect(a.result.payload.job.name).toBe(`train-${hash10('same-id')}`);
      expect(b.result.payload.job.name).toBe(a.result.payload.job.name);
      expect(c.result.payload.job.name).not.toBe(a.result.payload.job.name);
      expect(server.requests.map((r) => r.json.metadata.name)).toEqual([a, b, c].map((o) => o.result.payload.job.name));
    });
  });

  test('a long base name is truncated so the job name is a DNS-1123 label of at most 63 characters', async () => {
    const base = `${'a'.repeat(51)}-${'b'.repeat(11)}`; // 63 characters, a hyphen right at the cut
    const manifest = { ...MANIFEST, metadata: { name: base } };
    await withServer((req) => created(req), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'x' }), envFor(url, { LAUNCHER_MANIFEST: JSON.stringify(manifest) }));
      const name: string = out.result.payload.job.name;
      expect(name).toBe(`${'a'.repeat(51)}-${hash10('msg-0001')}`);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(server.requests[0].json.metadata.labels['asya.sh/launched-by']).toBe(base);
    });
  });

  test.each([
    ['a target that does not exist', { LAUNCHER_PARAMETERS: JSON.stringify([{ name: 'p', type: 'string', targets: [`${ARGS}/8`] }]) }, 'does not exist in the manifest'],
    ['a protected target', { LAUNCHER_PARAMETERS: JSON.stringify([{ name: 'p', type: 'string', targets: ['/metadata/name'] }]) }, 'is protected'],
    ['a target that is not a scalar', { LAUNCHER_PARAMETERS: JSON.stringify([{ name: 'p', type: 'string', targets: [ARGS] }]) }, 'is not a scalar'],
    ['a default that breaks its own rules', { LAUNCHER_PARAMETERS: JSON.stringify([{ name: 'p', type: 'integer', default: 0, minimum: 1, targets: ['/spec/minAvailable'] }]) }, 'default of p'],
    ['a namespace that differs from the resource path', { LAUNCHER_NAMESPACE: 'other' }, 'is in namespace ai'],
    ['no manifest', { LAUNCHER_MANIFEST: '' }, 'LAUNCHER_MANIFEST must be set'],
    ['no resource path', { LAUNCHER_RESOURCE_PATH: '' }, 'LAUNCHER_RESOURCE_PATH must be set'],
  ])('config error on the first call: %s', async (_, extra, message) => {
    await withServer((req) => created(req), async (url, server) => {
      const out = await runHandler('job_launcher', envelope({ dataset: 'x' }), envFor(url, extra));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain(message);
      expect(server.requests).toHaveLength(0);
    });
  });

  test('an envelope without an id is refused before any request', async () => {
    await withServer((req) => created(req), async (url, server) => {
      const { id: _, ...noId } = envelope({ dataset: 'x' });
      const out = await runHandler('job_launcher', noId, envFor(url));
      expect(out).toMatchObject({ ok: false, type: 'ValueError' });
      expect(out.message).toContain('envelope id');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('over https', () => {
    let tls: { key: string; cert: string };
    let certPath: string;

    let otherCertPath: string;

    /** A self-signed certificate for 127.0.0.1; returns the paths of its key and certificate. */
    function selfSigned(stem: string): [string, string] {
      const [keyPath, crtPath] = [path.join(tmp, `${stem}.key`), path.join(tmp, `${stem}.crt`)];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', crtPath,
        '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      return [keyPath, crtPath];
    }

    beforeAll(() => {
      const [keyPath, crtPath] = selfSigned('server');
      certPath = crtPath;
      otherCertPath = selfSigned('other')[1];
      tls = { key: fs.readFileSync(keyPath, 'utf-8'), cert: fs.readFileSync(certPath, 'utf-8') };
    });

    test('trusts the API server through LAUNCHER_CA_PATH, and only through it', async () => {
      const server = new FakeServer((req) => created(req), tls);
      const url = await server.start();
      try {
        const good = await runHandler('job_launcher', envelope({ dataset: 'x' }), envFor(url, { LAUNCHER_CA_PATH: certPath }));
        expect(good.ok).toBe(true);
        expect(server.requests).toHaveLength(1);
        // Another CA, or none (then only the system's trust store applies): the server is not trusted.
        for (const ca of [otherCertPath, path.join(tmp, 'missing.crt')]) {
          const bad = await runHandler('job_launcher', envelope({ dataset: 'x' }), envFor(url, { LAUNCHER_CA_PATH: ca, LAUNCHER_BACKOFF_SECONDS: '5' }));
          expect(bad).toMatchObject({ ok: false, type: 'RuntimeError' });
          expect(bad.message).toMatch(/certificate verify failed/i);
          expect(bad.elapsedMs).toBeLessThan(4000); // not retried: a wrong CA is a config error
        }
        expect(server.requests).toHaveLength(1);
      } finally {
        await server.stop();
      }
    });
  });
});
