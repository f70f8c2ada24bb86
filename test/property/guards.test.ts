/**
 * The boundary guards (src/core/props.ts) and the safe value formatter: every failure is a PropError naming
 * construct path, prop path, value and rule; nothing else is ever thrown.
 */
import { Duration } from 'cdk8s';
import { AsyncActor, AsyncActorProps, Transport } from '../../src';
import { formatValue, PropError } from '../../src/core/errors';
import {
  boolProp, checkAnnotationMap, checkSecurityOptions, enumProp, intProp, namespaceProp, requiredProp, stringListProp, wholeSeconds,
} from '../../src/core/props';
import { testChart } from '../util';

const S = 'app/thing';

function err(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('guards', () => {
  test('requiredProp', () => {
    expect(err(() => requiredProp(S, 'transport', undefined))).toBe('app/thing: transport (unset) is required');
    expect(err(() => requiredProp(S, 'transport', null))).toBe('app/thing: transport (null) is required');
    expect(requiredProp(S, 'x', 0)).toBe(0);
  });

  test('boolProp refuses truthy strings ("false" would mean true)', () => {
    expect(err(() => boolProp(S, 'allowRoot', 'false' as any))).toBe('app/thing: allowRoot ("false") must be true or false (a boolean, not a string or number)');
    expect(err(() => boolProp(S, 'allowRoot', 1 as any))).toBe('app/thing: allowRoot (1) must be true or false (a boolean, not a string or number)');
    expect(boolProp(S, 'allowRoot', false)).toBe(false);
  });

  test('intProp: whole numbers within int32 (Kubernetes stores replicas, ports, seconds as int32)', () => {
    expect(err(() => intProp(S, 'replicas', 2 ** 31))).toBe('app/thing: replicas (2147483648) must be between 0 and 2147483647');
    expect(err(() => intProp(S, 'replicas', 1.5))).toBe('app/thing: replicas (1.5) must be a whole number');
    expect(err(() => intProp(S, 'replicas', '3' as any))).toBe('app/thing: replicas ("3") must be a whole number');
    expect(err(() => intProp(S, 'replicas', NaN))).toBe('app/thing: replicas (null) must be a whole number');
    expect(err(() => intProp(S, 'port', 0, 1, 65535))).toBe('app/thing: port (0) must be between 1 and 65535');
    expect(intProp(S, 'replicas', 2147483647)).toBe(2147483647);
  });

  test('enumProp, stringListProp, namespaceProp', () => {
    expect(err(() => enumProp(S, 'imagePullPolicy', 'always', ['Always', 'IfNotPresent', 'Never']))).toBe('app/thing: imagePullPolicy ("always") must be one of Always, IfNotPresent, Never');
    expect(err(() => stringListProp(S, 'serverArgs', '--max-model-len=4096' as any))).toBe('app/thing: serverArgs ("--max-model-len=4096") must be a list');
    expect(err(() => stringListProp(S, 'serverArgs', ['--a', 4096 as any]))).toBe('app/thing: serverArgs[1] (4096) must be a string');
    expect(err(() => stringListProp(S, 'serverArgs', ['']))).toBe('app/thing: serverArgs[0] ("") must not be empty');
    expect(stringListProp(S, 'command', [], true)).toEqual([]);
    expect(err(() => namespaceProp(S, 'namespace', 'Team_A'))).toBe('app/thing: namespace ("Team_A") must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
    expect(namespaceProp(S, 'namespace', 'team-a')).toBe('team-a');
  });

  test('wholeSeconds: a Duration, whole seconds, in range', () => {
    expect(err(() => wholeSeconds(S, 'pollingInterval', 30 as any, Duration.seconds(10)))).toBe('app/thing: pollingInterval (30) must be a Duration (e.g. Duration.seconds(30))');
    expect(err(() => wholeSeconds(S, 'pollingInterval', Duration.millis(1500), Duration.seconds(10)))).toBe('app/thing: pollingInterval ("1.5s") must be a whole number of seconds');
    expect(err(() => wholeSeconds(S, 'cooldownPeriod', Duration.days(30000), Duration.seconds(10)))).toBe('app/thing: cooldownPeriod ("2592000000s") must be between 0 and 2147483647 seconds');
    expect(wholeSeconds(S, 'pollingInterval', undefined, Duration.seconds(10))).toBe(10);
  });

  test('checkAnnotationMap', () => {
    expect(err(() => checkAnnotationMap(S, 'podAnnotations', { 'bad key!': 'x' }))).toMatch(/^app\/thing: podAnnotations \("bad key!"\) is not a valid annotation key: /);
    expect(err(() => checkAnnotationMap(S, 'podAnnotations', { a: 1 as any }))).toBe('app/thing: podAnnotations["a"] (1) must be a string');
    expect(err(() => checkAnnotationMap(S, 'podAnnotations', ['a'] as any))).toBe('app/thing: podAnnotations (["a"]) must be an object');
    expect(() => checkAnnotationMap(S, 'podAnnotations', { 'prometheus.io/scrape': 'true' })).not.toThrow();
  });

  // kubernetes pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot: uid 0 with runAsNonRoot fails to start.
  test('checkSecurityOptions: runAsUser 0 with runAsNonRoot (kubelet verifyRunAsNonRoot), truthy-string allowRoot', () => {
    expect(err(() => checkSecurityOptions(S, 'security', { runAsUser: 0 }))).toBe(
      'app/thing: security.runAsUser (0) is root (0) while the pod runs with runAsNonRoot: true, so the kubelet refuses to start it: use a non-zero uid, or set allowRoot: true');
    expect(err(() => checkSecurityOptions(S, 'security', { allowRoot: 'false' as any }))).toBe('app/thing: security.allowRoot ("false") must be true or false (a boolean, not a string or number)');
    expect(err(() => checkSecurityOptions(S, 'security', { runAsUser: 2 ** 32 }))).toBe('app/thing: security.runAsUser (4294967296) must be between 0 and 2147483647');
    expect(() => checkSecurityOptions(S, 'security', { runAsUser: 0, allowRoot: true })).not.toThrow();
  });

  test('an AsyncActor with runAsUser 0 and no allowRoot fails in the constructor', () => {
    const props: AsyncActorProps = {
      transport: Transport.rabbitmq(),
      handler: 'm.f',
      image: 'ghcr.io/acme/x:1.0.0',
      resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
      security: { runAsUser: 0 },
    } as any;
    expect(() => new AsyncActor(testChart('ai'), 'embed', props)).toThrow('test/embed: security.runAsUser (0) is root (0) while the pod runs with runAsNonRoot: true');
  });
});

describe('formatValue never throws', () => {
  test('constructs, BigInt, cycles, functions, symbols, throwing getters', () => {
    const chart = testChart('ai');
    expect(formatValue(chart)).toBe('<construct test>');
    expect(formatValue({ scope: chart })).toBe('{"scope":"<construct test>"}');
    expect(formatValue(BigInt(10))).toBe('10n');
    expect(formatValue({ n: BigInt(2) })).toBe('{"n":"2n"}');
    const cyc: any = { a: 1 };
    cyc.self = cyc;
    expect(formatValue(cyc)).toBe('{"a":1,"self":"<cycle>"}');
    expect(formatValue(() => 1)).toBe('<function>');
    expect(formatValue(Symbol('s'))).toBe('Symbol(s)');
    const bad = { get x() { throw new Error('boom'); } };
    expect(formatValue(bad)).toBe('<Object>');
    expect(formatValue('x'.repeat(200))).toHaveLength(120);
  });

  test('a PropError about a construct value formats it', () => {
    const chart = testChart('ai');
    expect(new PropError(chart, 'transport', chart, 'must be Transport.rabbitmq()').message).toBe('test: transport (<construct test>) must be Transport.rabbitmq()');
  });
});

describe('guards in the shared container and pod rendering (every construct)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Probe } = require('../../src/core/container');
  const actor = (extra: any) => () => new AsyncActor(testChart('ai'), 'embed', {
    transport: Transport.rabbitmq(),
    handler: 'm.f',
    image: 'ghcr.io/acme/x:1.0.0',
    resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
    ...extra,
  } as any);

  test('Probe factories check their arguments and drop unknown options', () => {
    expect(err(() => Probe.httpGet('health', 8000))).toBe('Probe.httpGet: path ("health") must be an absolute HTTP path such as /health');
    expect(err(() => Probe.httpGet('/health', 70000))).toBe('Probe.httpGet: port (70000) must be between 1 and 65535');
    expect(err(() => Probe.tcpSocket(undefined as any))).toBe('Probe.tcpSocket: port (unset) is required');
    expect(err(() => Probe.exec('cat /tmp/ready' as any))).toBe('Probe.exec: command ("cat /tmp/ready") must be a list');
    expect(err(() => Probe.exec([]))).toBe('Probe.exec: command ([]) must name a command to run');
    expect(err(() => Probe.httpGet('/h', 80, { periodSeconds: 0 }))).toBe('Probe.httpGet: options.periodSeconds (0) must be between 1 and 2147483647');
    expect(err(() => Probe.httpGet('/h', 80, { timeoutSeconds: '5' as any }))).toBe('Probe.httpGet: options.timeoutSeconds ("5") must be a whole number');
    expect(Probe.httpGet('/h', 80, { failureThreshold: 3, bogus: 1 } as any)._toJson()).toEqual({ httpGet: { path: '/h', port: 80 }, failureThreshold: 3 });
  });

  test.each([
    [{ readinessProbe: { httpGet: { path: '/h', port: 80 } } }, 'test/embed: readinessProbe ({"httpGet":{"path":"/h","port":80}}) must be a Probe (Probe.httpGet, Probe.tcpSocket or Probe.exec)'],
    [{ allowUnpinnedImage: 'false' }, 'test/embed: allowUnpinnedImage ("false") must be true or false (a boolean, not a string or number)'],
    [{ workingDir: 'app' }, 'test/embed: workingDir ("app") must be an absolute path'],
    [{ ports: [{ containerPort: 9000, protocol: 'tcp' }] }, 'test/embed: ports[0].protocol ("tcp") must be one of TCP, UDP, SCTP'],
    [{ volumes: [], volumeMounts: [{ volume: 'x', mountPath: '/x', readOnly: 'yes' }] }, 'test/embed: volumeMounts[0].readOnly ("yes") must be true or false (a boolean, not a string or number)'],
    [{ tolerations: ['nvidia.com/gpu'] }, 'test/embed: tolerations[0] ("nvidia.com/gpu") must be an object ({ key, operator, value, effect })'],
    [{ tolerations: [{ key: 'bad key', operator: 'Exists' }] }, 'test/embed: tolerations[0].key ("bad key") is not a valid taint key: '],
    [{ imagePullSecrets: 'regcred' }, 'test/embed: imagePullSecrets ("regcred") must be a list'],
    [{ priorityClassName: 'High_Priority' }, 'test/embed: priorityClassName ("High_Priority") must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")'],
  ])('%j', (extra, message) => {
    expect(err(actor(extra))).toContain(message);
  });
});

describe('guards in the value-class factories', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EnvValue, Volume } = require('../../src');
  test.each<[() => unknown, string]>([
    [() => EnvValue.fromValue(8), 'EnvValue.fromValue: value (8) must be a string (quote numbers and booleans: "8", "true")'],
    [() => EnvValue.fromSecret('HF', 'token'), 'EnvValue.fromSecret: secretName ("HF") must name an object: a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")'],
    [() => EnvValue.fromSecret('hf', 'to ken'), 'EnvValue.fromSecret: key ("to ken") must be a key of letters, digits, "-", "_" and "." (at most 253 characters)'],
    [() => EnvValue.fromConfigMap('cfg', 'k', 'yes'), 'EnvValue.fromConfigMap: optional ("yes") must be true or false (a boolean, not a string or number)'],
    [() => EnvValue.fromFieldRef(''), 'EnvValue.fromFieldRef: fieldPath ("") must be a pod field path such as metadata.namespace or status.podIP'],
    [() => Volume.emptyDir(undefined), 'Volume.emptyDir: name (unset) must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)'],
    [() => Volume.emptyDir('cache', { sizeLimit: '1GB' }), 'Volume.emptyDir: options.sizeLimit ("1GB") is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)'],
    [() => Volume.configMap('cfg', 'Cfg'), 'Volume.configMap: configMapName ("Cfg") must name an object: a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")'],
    [() => Volume.secret('s', 's', 0o1000), 'Volume.secret: defaultMode (512) must be between 0 and 511'],
    [() => Volume.persistentVolumeClaim('w', 'weights', 'true'), 'Volume.persistentVolumeClaim: readOnly ("true") must be true or false (a boolean, not a string or number)'],
  ])('%#', (fn, message) => {
    expect(err(fn)).toBe(message);
  });
});
