import { Duration } from 'cdk8s';
import { AsyncActor, AsyncActorProps, EnvValue, HandlerMode, Probe, Transport, Volume } from '../../src';
import { one, synthValid, testChart } from '../util';

const base: AsyncActorProps = {
  transport: Transport.rabbitmq(),
  handler: 'pipeline.embed',
  image: 'ghcr.io/acme/embed:1.2.0',
  resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
};

function actor(props: Partial<AsyncActorProps> = {}, id: string = 'embed', namespace: string = 'ai') {
  const chart = testChart(namespace);
  const a = new AsyncActor(chart, id, { ...base, ...props } as AsyncActorProps);
  return { chart, actor: a };
}

function synthActor(props: Partial<AsyncActorProps> = {}, id: string = 'embed') {
  const { chart, actor: a } = actor(props, id);
  const manifests = synthValid(chart);
  return { actor: a, manifests, obj: one(manifests, 'AsyncActor', a.actorName) };
}

function runtime(obj: any): any {
  return obj.spec.workload.template.spec.containers.find((c: any) => c.name === 'asya-runtime');
}

describe('AsyncActor: valid configurations', () => {
  test('defaults: scale to zero, explicit timeouts, pinned sidecar, restricted pod security', () => {
    const { actor: a, manifests, obj } = synthActor();
    expect(manifests).toMatchSnapshot();
    expect(a.queueName).toBe('asya-embed');
    expect(a.namespace).toBe('ai');
    expect(a.podSelector).toEqual({ 'asya.sh/asya': 'embed' });
    expect(obj.spec.transport).toBe('rabbitmq');
    expect(obj.spec.workload.kind).toBe('Deployment');
    expect(obj.spec.scaling).toEqual({ enabled: true, minReplicas: 0, maxReplicas: 50, queueLength: 5, pollingInterval: 10, cooldownPeriod: 60 });
    // The operator ignores workload.replicas while scaling is on (KEDA's HPA owns the Deployment's
    // replicas: deliveryhero/asya src/asya-operator/internal/controller/asya_controller.go:1033-1041 @ v0.1.1).
    expect(obj.spec.workload.replicas).toBeUndefined();
    expect(obj.spec.timeout).toEqual({ processing: 300, gracefulShutdown: 30 });
    expect(obj.spec.sidecar.image).toBe('ghcr.io/deliveryhero/asya-sidecar:0.1.1');
    const podSpec = obj.spec.workload.template.spec;
    expect(podSpec.securityContext).toEqual({ fsGroup: 1000, runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSpec.terminationGracePeriodSeconds).toBe(30);
    const c = runtime(obj);
    expect(c.command).toBeUndefined();
    expect(c.env.slice(0, 2)).toEqual([{ name: 'ASYA_HANDLER', value: 'pipeline.embed' }, { name: 'ASYA_HANDLER_MODE', value: 'payload' }]);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'asya-metrics' }]);
  });

  test('everything set: GPU, secrets by reference, volumes, sidecars, init containers, envelope mode, sidecar overrides', () => {
    const { manifests, obj, actor: a } = synthActor({
      name: 'llm-judge',
      handlerMode: HandlerMode.ENVELOPE,
      args: ['--verbose'],
      pythonExecutable: '/usr/local/bin/python3.11',
      chunkSize: 131072,
      env: { MODEL: EnvValue.fromValue('judge'), API_KEY: EnvValue.fromSecret('judge-creds', 'api-key'), MODE: EnvValue.fromConfigMap('judge-cfg', 'mode') },
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
      volumes: [Volume.emptyDir('cache', { sizeLimit: '10Gi' }), Volume.persistentVolumeClaim('weights', 'model-weights', true)],
      volumeMounts: [{ volume: 'cache', mountPath: '/cache' }, { volume: 'weights', mountPath: '/models', readOnly: true }],
      sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.4', args: ['-c', '/etc/fb.conf'], resources: { cpu: { limit: '100m' }, memory: { limit: '64Mi' } } }],
      initContainers: [{ name: 'warmup', image: 'busybox:1.36.1', args: ['true'], resources: { cpu: { limit: '100m' }, memory: { limit: '64Mi' } } }],
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'judge',
      priorityClassName: 'inference',
      imagePullSecrets: ['regcred'],
      podLabels: { 'team': 'ml', 'asya.sh/asya': 'llm-judge' },
      podAnnotations: { 'prometheus.io/scrape': 'false' },
      processingTimeout: Duration.minutes(10),
      gracefulShutdownTimeout: Duration.seconds(120),
      readinessProbe: Probe.exec(['test', '-f', '/tmp/ready']),
      sidecar: {
        imagePullPolicy: 'IfNotPresent',
        resources: { cpu: { request: '50m', limit: '200m' }, memory: { request: '64Mi', limit: '128Mi' } },
        env: { ASYA_LOG_LEVEL: EnvValue.fromValue('debug'), ASYA_CUSTOM_METRICS: EnvValue.fromValue('[]') },
      },
      scaling: { minReplicas: 1, maxReplicas: 4, queueLength: 2, advanced: { formula: 'ceil(2)', target: '1', metricType: 'Value' } },
    });
    expect(manifests).toMatchSnapshot();
    expect(a.rewritesRoute).toBe(true);
    const c = runtime(obj);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.resources.requests['nvidia.com/gpu']).toBe('1');
    expect(c.env).toContainEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'judge-creds', key: 'api-key' } } });
    expect(c.env).toContainEqual({ name: 'ASYA_CHUNK_SIZE', value: '131072' });
    expect(c.args).toEqual(['--verbose']);
    expect(obj.spec.workload.pythonExecutable).toBe('/usr/local/bin/python3.11');
    expect(obj.spec.workload.replicas).toBeUndefined();
    expect(obj.spec.timeout).toEqual({ processing: 600, gracefulShutdown: 120 });
    expect(obj.spec.workload.template.spec.terminationGracePeriodSeconds).toBe(120);
    expect(obj.spec.scaling.advanced).toEqual({ formula: 'ceil(2)', target: '1', metricType: 'Value' });
    expect(obj.spec.workload.template.spec.containers.map((x: any) => x.name)).toEqual(['asya-runtime', 'log-shipper']);
  });

  test('scaling off: replicas are honoured; minReplicas <= maxReplicas is still checked', () => {
    const { obj } = synthActor({ scaling: { enabled: false }, replicas: 3 });
    expect(obj.spec.scaling.enabled).toBe(false);
    expect(obj.spec.workload.replicas).toBe(3);
    expect(() => actor({ scaling: { enabled: false, minReplicas: 3, maxReplicas: 2 } })).toThrow(
      'test/embed: scaling.minReplicas (3) must not exceed scaling.maxReplicas (2)');
  });

  test('edge cases that must synthesize: maxReplicas 1, 54-character name with scaling, 63 without, args without command', () => {
    expect(synthActor({ scaling: { maxReplicas: 1 } }).obj.spec.scaling.maxReplicas).toBe(1);
    expect(synthActor({ name: 'a'.repeat(54) }).obj.metadata.name).toHaveLength(54);
    expect(synthActor({ name: 'b'.repeat(63), scaling: { enabled: false } }).obj.metadata.name).toHaveLength(63);
    expect(runtime(synthActor({ args: ['-m', 'x'] }).obj).args).toEqual(['-m', 'x']);
  });

  test('root opt-out drops runAsNonRoot, keeps the rest of restricted', () => {
    const c = runtime(synthActor({ security: { allowRoot: true } }).obj);
    expect(c.securityContext.runAsNonRoot).toBeUndefined();
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
  });

  test('SQS transport with IRSA synthesizes without a service account', () => {
    const { obj, actor: a } = synthActor({ transport: Transport.sqs({ region: 'eu-central-1', accountId: '123456789012', irsa: true }) });
    expect(obj.spec.transport).toBe('sqs');
    expect(a.queueName).toBe('asya-embed');
  });

  test('metrics port can be left undeclared', () => {
    expect(runtime(synthActor({ declareMetricsPort: false }).obj).ports).toBeUndefined();
  });

  test('the L1 is reachable as Resource (escape hatch)', () => {
    const { actor: a } = actor();
    expect(a.node.defaultChild).toBe(a.resource);
  });
});

describe('AsyncActor: every operator rule is enforced at synth', () => {
  const sqs = Transport.sqs({ region: 'eu-central-1', accountId: '123456789012', irsa: true });
  test.each<[string, Partial<AsyncActorProps>, string, string?]>([
    ['uppercase name', { name: 'Embed' }, 'test/embed: name ("Embed") must be a DNS-1035 label'],
    ['name starting with a digit', { name: '1embed' }, 'name ("1embed") must be a DNS-1035 label'],
    ['name over 63', { name: 'x'.repeat(64), scaling: { enabled: false } }, 'must be at most 63 characters (the actor name is a label value on its Deployment), it has 64'],
    ['name over 54 with scaling', { name: 'x'.repeat(55) }, 'must be at most 54 characters with scaling enabled (KEDA names the HPA keda-hpa-<name>, at most 63), it has 55'],
    ['reserved happy-end', { name: 'happy-end' }, 'name ("happy-end") is reserved for the crew (AsyaCrew)'],
    ['reserved error-end', { name: 'error-end' }, 'name ("error-end") is reserved for the crew (AsyaCrew)'],
    ['RabbitMQ -dlq suffix', { name: 'embed-dlq' }, 'on RabbitMQ its queue asya-embed-dlq is the dead-letter queue of actor "embed"'],
    ['SQS dlq', { name: 'dlq', transport: sqs }, 'name ("dlq") is reserved on SQS'],
    ['SQS name over 80', { name: 'q'.repeat(76), transport: sqs, scaling: { enabled: false } }, 'must be at most 63 characters'],
    ['bad handler', { handler: 'handler' }, 'handler ("handler") must be module.function or module.Class.method'],
    ['handler with a dash', { handler: 'my-mod.fn' }, 'handler ("my-mod.fn") must be module.function or module.Class.method'],
    ['empty handler', { handler: '' }, 'handler ("") must be module.function'],
    ['bad handler mode', { handlerMode: 'stream' as any }, 'handlerMode ("stream") must be HandlerMode.PAYLOAD or HandlerMode.ENVELOPE'],
    ['chunk size 0', { chunkSize: 0 }, 'chunkSize (0) must be a whole number of bytes greater than 0'],
    ['command', { command: ['python'] }, 'command (["python"]) cannot be set: the operator runs [pythonExecutable, /opt/asya/asya_runtime.py]'],
    ['sidecar named asya-sidecar', { sidecars: [{ name: 'asya-sidecar', image: 'x/y:1' }] }, 'sidecars[0].name ("asya-sidecar") is reserved for the sidecar the operator injects'],
    ['sidecar named asya-runtime', { sidecars: [{ name: 'asya-runtime', image: 'x/y:1' }] }, 'sidecars[0].name ("asya-runtime") is the runtime container'],
    ['init container asya-sidecar', { initContainers: [{ name: 'asya-sidecar', image: 'x/y:1' }] }, 'initContainers[0].name ("asya-sidecar") is reserved for operator use'],
    ['duplicate container names', { sidecars: [{ name: 'a', image: 'x/y:1' }], initContainers: [{ name: 'a', image: 'x/y:1' }] }, 'initContainers[0].name ("a") is used by another container or init container'],
    ['invalid container name', { sidecars: [{ name: 'Bad_Name', image: 'x/y:1' }] }, 'sidecars[0].name ("Bad_Name") must be a DNS-1123 label'],
    ['sidecar without image', { sidecars: [{ name: 'a' } as any] }, 'sidecars[0].image (unset) is not a valid image reference'],
    ['reserved volume socket-dir', { volumes: [Volume.emptyDir('socket-dir')] }, 'volumes[0].name ("socket-dir") is reserved: the operator injects the volumes socket-dir, tmp, asya-runtime'],
    ['reserved volume tmp', { volumes: [Volume.emptyDir('tmp')] }, 'volumes[0].name ("tmp") is reserved'],
    ['reserved volume asya-runtime', { volumes: [Volume.configMap('asya-runtime', 'x')] }, 'volumes[0].name ("asya-runtime") is reserved'],
    ['reserved mount /tmp', { volumes: [Volume.emptyDir('t')], volumeMounts: [{ volume: 't', mountPath: '/tmp' }] }, 'volumeMounts[0].mountPath ("/tmp") is reserved in asya-runtime'],
    ['reserved mount /var/run/asya', { volumes: [Volume.emptyDir('t')], volumeMounts: [{ volume: 't', mountPath: '/var/run/asya/' }] }, 'volumeMounts[0].mountPath ("/var/run/asya/") is reserved'],
    ['reserved mount runtime script', { volumes: [Volume.emptyDir('t')], volumeMounts: [{ volume: 't', mountPath: '/opt/asya/asya_runtime.py' }] }, 'is reserved in asya-runtime'],
    ['mount of an undeclared volume', { volumeMounts: [{ volume: 'nope', mountPath: '/data' }] }, 'volumeMounts[0].volume ("nope") names no volume of the pod'],
    ['operator label app', { podLabels: { app: 'other' } }, 'podLabels["app"] ("other") must be "embed" or unset: the operator selects the actor\'s pods by it'],
    ['operator label asya.sh/asya', { podLabels: { 'asya.sh/asya': 'x' } }, 'podLabels["asya.sh/asya"] ("x") must be "embed" or unset'],
    ['operator label asya.sh/workload', { podLabels: { 'asya.sh/workload': 'statefulset' } }, 'podLabels["asya.sh/workload"] ("statefulset") must be "deployment" or unset'],
    ['request above limit', { resources: { cpu: { request: '2', limit: '1' } } }, 'resources.cpu.request ("2") must not exceed resources.cpu.limit (1)'],
    ['memory request above limit', { resources: { memory: { request: '1Gi', limit: '512Mi' } } }, 'resources.memory.request ("1Gi") must not exceed resources.memory.limit (512Mi)'],
    ['bad quantity', { resources: { memory: { limit: '1GB' } } }, 'resources.memory.limit ("1GB") is not a Kubernetes quantity'],
    ['GPU count 0', { resources: { gpu: { count: 0 } } }, 'resources.gpu.count (0) must be a whole number of at least 1'],
    ['sidecar request above limit', { sidecar: { resources: { memory: { request: '2Gi', limit: '1Gi' } } } }, 'sidecar.resources.memory.request ("2Gi") must not exceed sidecar.resources.memory.limit (1Gi)'],
    ['sidecar bad quantity', { sidecar: { resources: { cpu: { limit: 'lots' } } } }, 'sidecar.resources.cpu.limit ("lots") is not a Kubernetes quantity'],
    ['min above max', { scaling: { minReplicas: 5, maxReplicas: 2 } }, 'test/embed: scaling.minReplicas (5) must not exceed scaling.maxReplicas (2)'],
    ['negative min', { scaling: { minReplicas: -1 } }, 'scaling.minReplicas (-1) must be a whole number of at least 0'],
    ['max 0', { scaling: { maxReplicas: 0, minReplicas: 0 } }, 'scaling.maxReplicas (0) must be a whole number of at least 1'],
    ['queueLength 0', { scaling: { queueLength: 0 } }, 'scaling.queueLength (0) must be a whole number of at least 1'],
    ['queueLength 0 with scaling off', { scaling: { enabled: false, queueLength: 0 } }, 'scaling.queueLength (0) must be a whole number of at least 1'],
    ['target without formula', { scaling: { advanced: { target: '5' } } }, 'scaling.advanced.target ("5") needs scaling.advanced.formula'],
    ['activationTarget without formula', { scaling: { advanced: { activationTarget: '1' } } }, 'scaling.advanced.activationTarget ("1") needs scaling.advanced.formula'],
    ['metricType without formula', { scaling: { advanced: { metricType: 'Value' } } }, 'scaling.advanced.metricType ("Value") needs scaling.advanced.formula'],
    ['formula without target', { scaling: { advanced: { formula: 'ceil(3)' } } }, 'scaling.advanced.target (unset) must be a number greater than 0 when a formula is set'],
    ['formula target 0', { scaling: { advanced: { formula: 'ceil(3)', target: '0' } } }, 'scaling.advanced.target ("0") must be a number greater than 0'],
    ['formula referencing a metric', { scaling: { advanced: { formula: 'ceil(queueLength / 10)', target: '1' } } }, 'scaling.advanced.formula ("ceil(queueLength / 10)") references "queueLength": Asya\'s KEDA trigger is unnamed'],
    ['Utilization', { scaling: { advanced: { formula: '1', target: '1', metricType: 'Utilization' } } }, 'scaling.advanced.metricType ("Utilization") is refused by KEDA for queue triggers'],
    ['unknown metricType', { scaling: { advanced: { formula: '1', target: '1', metricType: 'Average' } } }, 'scaling.advanced.metricType ("Average") must be AverageValue or Value'],
    ['replicas with scaling on', { replicas: 2 }, 'replicas (2) is ignored while scaling is enabled'],
    ['negative replicas', { replicas: -1, scaling: { enabled: false } }, 'replicas (-1) must be a whole number of at least 0'],
    ['processing timeout 0', { processingTimeout: Duration.seconds(0) }, 'processingTimeout ("0s") must be a whole number of seconds of at least 1 (0 does not mean "no timeout"'],
    ['fractional processing timeout', { processingTimeout: Duration.millis(1500) }, 'processingTimeout ("1.5s") must be a whole number of seconds'],
    ['graceful shutdown 0', { gracefulShutdownTimeout: Duration.seconds(0) }, 'gracefulShutdownTimeout ("0s") must be a whole number of seconds of at least 1'],
    ['reserved runtime env ASYA_SOCKET_DIR', { env: { ASYA_SOCKET_DIR: EnvValue.fromValue('/x') } }, 'env ("ASYA_SOCKET_DIR") is reserved: the operator sets it and its value silently wins'],
    ['reserved runtime env ASYA_ENABLE_VALIDATION', { env: { ASYA_ENABLE_VALIDATION: EnvValue.fromValue('false') } }, 'env ("ASYA_ENABLE_VALIDATION") is reserved'],
    ['handler through env', { env: { ASYA_HANDLER: EnvValue.fromValue('a.b') } }, 'env ("ASYA_HANDLER") is reserved: set it through the handler, handlerMode or chunkSize prop'],
    ['invalid env name', { env: { '1BAD': EnvValue.fromValue('x') } }, 'env ("1BAD") is not a valid environment variable name'],
    ['reserved sidecar env', { sidecar: { env: { ASYA_ACTOR_NAME: EnvValue.fromValue('x') } } }, 'sidecar.env ("ASYA_ACTOR_NAME") is set by the operator'],
    ['reserved sidecar env prefix', { sidecar: { env: { ASYA_RABBITMQ_HOST: EnvValue.fromValue('x') } } }, 'sidecar.env ("ASYA_RABBITMQ_HOST") is set by the operator'],
    ['ASYA_CUSTOM_METRICS not an array', { sidecar: { env: { ASYA_CUSTOM_METRICS: EnvValue.fromValue('{"a":1}') } } }, 'sidecar.env.ASYA_CUSTOM_METRICS ("{\\"a\\":1}") must be a JSON array'],
    ['runtime on the metrics port', { ports: [{ containerPort: 8080 }] }, 'ports[0].containerPort (8080) is the sidecar\'s metrics port'],
    ['latest image', { image: 'ghcr.io/acme/embed:latest' }, 'image ("ghcr.io/acme/embed:latest") uses the tag "latest"'],
    ['untagged image', { image: 'ghcr.io/acme/embed' }, 'image ("ghcr.io/acme/embed") has no tag or digest'],
    ['latest sidecar image', { sidecar: { image: 'asya-sidecar:latest' } }, 'sidecar.image ("asya-sidecar:latest") uses the tag "latest"'],
    ['bad pull policy', { sidecar: { imagePullPolicy: 'Sometimes' } }, 'sidecar.imagePullPolicy ("Sometimes") must be Always, IfNotPresent or Never'],
    ['SQS + IRSA + service account', { transport: sqs, serviceAccountName: 'mine' }, 'serviceAccountName ("mine") cannot be set with SQS and IRSA'],
    ['bad toleration operator', { tolerations: [{ key: 'a', operator: 'Maybe' }] }, 'tolerations[0].operator ("Maybe") must be Equal or Exists'],
    ['transport not a Transport', { transport: 'rabbitmq' as any }, 'transport ("rabbitmq") must be Transport.rabbitmq() or Transport.sqs({...})'],
  ])('%s', (_title, props, message) => {
    expect(() => actor(props)).toThrow(message);
  });

  test('the SQS queue-name limit (80) is enforced when the label limit allows it', () => {
    // asya-<name> is at most 80 characters: only reachable with a name of 76..63 -> never; documents the rule order.
    expect(() => actor({ name: 'q'.repeat(64), transport: Transport.sqs({ region: 'eu-central-1', accountId: '123456789012' }), scaling: { enabled: false } }))
      .toThrow('must be at most 63 characters');
  });

  test('the construct id is the default name and is checked as such', () => {
    expect(() => actor({}, 'Bad')).toThrow('test/Bad: name (from the construct id) ("Bad") must be a DNS-1035 label');
  });

  test('unpinned images can be allowed explicitly', () => {
    expect(runtime(synthActor({ image: 'ghcr.io/acme/embed:latest', allowUnpinnedImage: true }).obj).image).toBe('ghcr.io/acme/embed:latest');
  });
});
