import { Duration } from 'cdk8s';
import { AsyncModel, Transport } from '../../src';
import { ModelProtocol } from '../../src/backends/model-backend';
import { MosecModel, MosecModelProps } from '../../src/backends/mosec-model';
import { EnvValue, Probe, Volume } from '../../src/core';
import { one, synthValid, testChart } from '../util';

const CPU = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };
const IMAGE = 'ghcr.io/acme/mosec-sentiment:1.4.0';

function base(overrides: Partial<MosecModelProps> = {}): MosecModelProps {
  return { image: IMAGE, resources: CPU, ...overrides };
}

describe('MosecModel', () => {
  test('defaults: server.py, 110 s timeout, /inference', () => {
    const chart = testChart('ml');
    const m = new MosecModel(chart, 'sentiment', base());
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'sentiment');
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe(IMAGE);
    expect(c.command).toEqual(['python', 'server.py']);
    expect(c.args).toEqual(['--port', '8000', '--timeout', '110000']);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 8000 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 8000 });
    expect(c.startupProbe.failureThreshold).toBe(120);
    expect(c.resources.limits).toEqual({ cpu: '2', memory: '4Gi' });
    expect(c.securityContext.runAsNonRoot).toBe(true);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(dep.spec.selector.matchLabels).toEqual(m.podSelector);
    const svc = one(manifests, 'Service', 'sentiment');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(m.podSelector);

    expect(m.endpoint).toBe('http://sentiment.ml.svc.cluster.local:8000');
    expect(m.requestPath).toBe('/inference');
    expect(m.protocol).toBe(ModelProtocol.HTTP_JSON);
    expect(m.modelName).toBe('sentiment');
    expect(m.podPort).toBe(8000);
    expect(m.metrics).toEqual({ portName: 'http', path: '/metrics' });
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sentiment', supportsScaleToZero: true });
  });

  test('GPU LLM worker: custom script, route, timeout, env, volumes', () => {
    const chart = testChart('ml');
    const m = new MosecModel(chart, 'x', base({
      name: 'llm',
      script: 'app/serve_llm.py',
      route: '/v1/generate',
      timeout: Duration.minutes(10),
      serverArgs: ['--capacity', '64'],
      resources: { ...CPU, gpu: { count: 1 } },
      env: { HF_TOKEN: EnvValue.fromSecret('hf', 'token') },
      volumes: [Volume.persistentVolumeClaim('weights', 'llm-weights', true)],
      volumeMounts: [{ volume: 'weights', mountPath: '/weights', readOnly: true }],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      replicas: 0,
    }));
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'llm');
    expect(dep.spec.replicas).toBe(0);
    const c = dep.spec.template.spec.containers[0];
    expect(c.command).toEqual(['python', 'app/serve_llm.py']);
    expect(c.args).toEqual(['--port', '8000', '--timeout', '600000', '--capacity', '64']);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } });
    expect(m.requestPath).toBe('/v1/generate');
    expect(m.endpoint).toBe('http://llm.ml.svc.cluster.local:8000');
  });

  test('bound with AsyncModel: KEDA scales the Deployment', () => {
    const chart = testChart('ml');
    const backend = new MosecModel(chart, 'sentiment', base());
    new AsyncModel(chart, 'classify', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const so = one(manifests, 'ScaledObject', 'sentiment-scaler');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sentiment' });
    expect(so.spec.minReplicaCount).toBe(1); // RabbitMQ without managementUrl cannot count in-flight work (binding: min 0 refused)
    expect(one(manifests, 'NetworkPolicy', 'classify-model-ingress').spec.podSelector.matchLabels).toEqual(backend.podSelector);
    const env = one(manifests, 'AsyncActor', 'classify').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_URL', value: 'http://sentiment.ml.svc.cluster.local:8000/inference' });
    expect(env).toContainEqual({ name: 'BRIDGE_PROTOCOL', value: 'http-json' });
  });

  describe('fidelity (field-review 3.9)', () => {
    // MOS-2: Mosec's --timeout (mosecorg/mosec mosec/args.py @ 0.9.7) above the bridge's 2 minute request
    // timeout (AsyncModel requestTimeout default) lets the bridge retry while Mosec still works: duplicate work.
    test('MOS-2: the default Mosec timeout is below the bridge\'s default request timeout', () => {
      const chart = testChart('ml');
      new MosecModel(chart, 'm', base());
      const args = one(synthValid(chart), 'Deployment', 'm').spec.template.spec.containers[0].args;
      const ms = Number(args[args.indexOf('--timeout') + 1]);
      expect(ms).toBeLessThanOrEqual(Duration.minutes(2).toMilliseconds());
      expect(ms).toBe(110000);
    });
    // MOS-1: GET / answers once the Rust front end listens (mosecorg/mosec src/routes.rs index, src/main.rs @ 0.9.7),
    // before the Python workers loaded (mosec/server.py:142,152); inference routes are POST only (src/main.rs).
    test('MOS-1: a readiness probe of the user gates traffic until the model is loaded', () => {
      const chart = testChart('ml');
      new MosecModel(chart, 'm', base({ readinessProbe: Probe.exec(['test', '-f', '/tmp/ready'], { periodSeconds: 5 }) }));
      const c = one(synthValid(chart), 'Deployment', 'm').spec.template.spec.containers[0];
      expect(c.readinessProbe).toEqual({ exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 5 });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 8000 });
    });
    // uid 1000 has no passwd entry: Python's getpass.getuser() reads LOGNAME, USER, LNAME, USERNAME, then pwd
    // (python/cpython Lib/getpass.py), and HOME would be "/" (as OpenAIModel's OAI-1).
    test('runs as uid 1000 with HOME=/tmp, USER and LOGNAME (cpython Lib/getpass.py), overridable', () => {
      const chart = testChart('ml');
      new MosecModel(chart, 'm', base());
      new MosecModel(chart, 'n', base({ env: { USER: EnvValue.fromValue('mosec'), HOME: EnvValue.fromValue('/home/mosec') } }));
      const manifests = synthValid(chart);
      const env = (n: string) => one(manifests, 'Deployment', n).spec.template.spec.containers[0].env;
      expect(one(manifests, 'Deployment', 'm').spec.template.spec.securityContext.runAsUser).toBe(1000);
      expect(env('m')).toEqual([{ name: 'HOME', value: '/tmp' }, { name: 'USER', value: 'model-server' }, { name: 'LOGNAME', value: 'model-server' }]);
      expect(env('n').filter((e: any) => ['USER', 'HOME'].includes(e.name)))
        .toEqual([{ name: 'HOME', value: '/home/mosec' }, { name: 'USER', value: 'mosec' }]);
    });
    // Mosec servers are Python scripts (mosecorg/mosec README.md:157 @ 0.9.7: `python examples/stable_diffusion/server.py ...`): the interpreter is a prop.
    test('pythonExecutable runs the script with another interpreter (default python)', () => {
      const chart = testChart('ml');
      new MosecModel(chart, 'm', base());
      new MosecModel(chart, 'n', base({ pythonExecutable: '/opt/venv/bin/python3' }));
      const manifests = synthValid(chart);
      expect(one(manifests, 'Deployment', 'm').spec.template.spec.containers[0].command).toEqual(['python', 'server.py']);
      expect(one(manifests, 'Deployment', 'n').spec.template.spec.containers[0].command).toEqual(['/opt/venv/bin/python3', 'server.py']);
    });
  });

  describe('errors', () => {
    const cases: Array<[string, Partial<MosecModelProps>, string]> = [
      ['unpinned image', { image: 'ghcr.io/acme/mosec' },
        'test/m: image ("ghcr.io/acme/mosec") has no tag or digest: pin a version (e.g. repo:1.2.3 or repo@sha256:...) or set allowUnpinnedImage'],
      ['no resources', { resources: undefined }, 'test/m: resources (unset) must set cpu.limit and memory.limit of container "server" (policy ASYA-RES-001'],
      ['script not a .py file', { script: 'server.sh' },
        'test/m: script ("server.sh") must be the path of a .py file (letters, digits, ".", "_", "-", "/", no "..")'],
      ['script outside the working directory', { script: '../server.py' },
        'test/m: script ("../server.py") must be the path of a .py file (letters, digits, ".", "_", "-", "/", no "..")'],
      ['python with arguments', { pythonExecutable: 'python -u' },
        'test/m: pythonExecutable ("python -u") must be a command name or an absolute path (letters, digits, ".", "_", "-", "/"; no spaces)'],
      ['relative python path', { pythonExecutable: 'venv/bin/python' },
        'test/m: pythonExecutable ("venv/bin/python") must be a command name or an absolute path (letters, digits, ".", "_", "-", "/"; no spaces)'],
      ['sub-second timeout', { timeout: Duration.millis(500) }, 'test/m: timeout ("500ms") must be a whole number of milliseconds of at least 1000'],
      ['route without a slash', { route: 'inference' }, 'test/m: route ("inference") must be a URL path starting with "/"'],
      ['route on the health check', { route: '/' },
        'test/m: route ("/") is served by Mosec itself (health check or metrics): use e.g. /inference'],
      ['reserved flag', { serverArgs: ['--timeout=1000'] },
        'test/m: serverArgs[0] ("--timeout=1000") is set by the construct (--port 8000, --timeout from timeout, the default address 0.0.0.0): remove it'],
      ['reserved env', { env: { MOSEC_TIMEOUT: EnvValue.fromValue('1000') } },
        'test/m: env ("MOSEC_TIMEOUT") is set by the construct through the matching flag (port, timeout): remove it'],
      ['reserved volume', { volumes: [Volume.emptyDir('tmp')] }, 'test/m: volumes[0].name ("tmp") is reserved: the construct declares the volume tmp'],
      ['reserved mount', { volumes: [Volume.emptyDir('scratch')], volumeMounts: [{ volume: 'scratch', mountPath: '/tmp/' }] },
        'test/m: volumeMounts[0].mountPath ("/tmp/") is reserved: the construct mounts /tmp'],
      ['name starting with a digit', { name: '9m' },
        'test/m: name ("9m") must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)'],
      ['readiness probe not a Probe', { readinessProbe: { exec: { command: ['true'] } } as any },
        'test/m: readinessProbe ({"exec":{"command":["true"]}}) must be a Probe (Probe.exec, Probe.httpGet or Probe.tcpSocket)'],
      ['pod label overriding the selector', { podLabels: { 'app.kubernetes.io/instance': 'other' } },
        'test/m: podLabels["app.kubernetes.io/instance"] ("other") must be "m" or unset: the Deployment and Service select the pods by it'],
    ];
    test.each(cases)('%s', (_t, overrides, message) => {
      const chart = testChart();
      expect(() => new MosecModel(chart, 'm', base(overrides))).toThrow(message);
    });
  });
});
