import { AsyncModel, Transport } from '../../src';
import { LlmdModel, LlmdModelProps } from '../../src/backends/llmd-model';
import { ModelProtocol } from '../../src/backends/model-backend';
import { ModelSource } from '../../src/backends/model-source';
import { EnvValue } from '../../src/core';
import { one, synthValid, testChart } from '../util';

const GPU = { cpu: { request: '4', limit: '8' }, memory: { request: '24Gi', limit: '32Gi' }, gpu: { count: 1 } };
const EPP = 'registry.k8s.io/gateway-api-inference-extension/epp:v1.0.0';
const GATEWAY_PODS = { 'gateway.networking.k8s.io/gateway-name': 'inference-gateway' };

function base(overrides: Partial<LlmdModelProps> = {}): LlmdModelProps {
  return {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'),
    resources: GPU,
    eppImage: EPP,
    gateway: { name: 'inference-gateway' },
    gatewayUrl: 'http://inference-gateway-istio.ai.svc.cluster.local:80',
    gatewayPodSelector: GATEWAY_PODS,
    gatewayPort: 80,
    ...overrides,
  };
}

describe('LlmdModel', () => {
  test('vLLM pool with EPP, RBAC and an HTTPRoute to the Gateway', () => {
    const chart = testChart('ai');
    const m = new LlmdModel(chart, 'llm', base());
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();

    const dep = one(manifests, 'Deployment', 'llm');
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe('vllm/vllm-openai:v0.10.2');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');

    const pool = one(manifests, 'InferencePool', 'llm');
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    expect(dep.spec.template.metadata.labels).toMatchObject(pool.spec.selector.matchLabels);
    expect(pool.spec.targetPorts).toEqual([{ number: 8000 }]);
    expect(pool.spec.endpointPickerRef).toEqual({ kind: 'Service', name: 'llm-epp', port: { number: 9002 } });

    const epp = one(manifests, 'Deployment', 'llm-epp');
    const e = epp.spec.template.spec.containers[0];
    expect(e.image).toBe(EPP);
    expect(e.args).toEqual(['--pool-name', 'llm', '--pool-namespace', 'ai', '--grpc-port', '9002', '--grpc-health-port', '9003']);
    expect(e.securityContext.runAsNonRoot).toBe(true);
    expect(epp.spec.template.spec.serviceAccountName).toBe('llm-epp');
    // The EPP pods are not in the pool.
    expect(epp.spec.template.metadata.labels['app.kubernetes.io/name']).not.toBe(pool.spec.selector.matchLabels['app.kubernetes.io/name']);
    const svc = one(manifests, 'Service', 'llm-epp');
    expect(svc.spec.ports).toEqual([{ name: 'grpc-ext-proc', port: 9002, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'http2' }]);
    expect(svc.spec.selector).toEqual(epp.spec.selector.matchLabels);

    one(manifests, 'ServiceAccount', 'llm-epp');
    expect(one(manifests, 'Role', 'llm-epp').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
    ]);
    const rb = one(manifests, 'RoleBinding', 'llm-epp');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'llm-epp' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'llm-epp' }]);

    const route = one(manifests, 'HTTPRoute', 'llm');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference-gateway' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llm' }]);

    expect(m.endpoint).toBe('http://inference-gateway-istio.ai.svc.cluster.local:80');
    expect(m.requestPath).toBe('/v1/chat/completions');
    expect(m.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(m.modelName).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(m.namespace).toBe('ai');
    expect(m.podSelector).toEqual(GATEWAY_PODS);
    expect(m.podPort).toBe(80);
    expect(m.metrics).toBeUndefined();
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', supportsScaleToZero: true });
  });

  test('named objects, explicit gateway namespace, FailOpen, EPP extras', () => {
    const chart = testChart('serving');
    const m = new LlmdModel(chart, 'x', base({
      name: 'qwen',
      servedModelName: 'qwen-small',
      huggingFaceToken: EnvValue.fromSecret('hf', 'token'),
      serverArgs: ['--max-model-len=4096'],
      gateway: { name: 'gw', namespace: 'serving' },
      gatewayUrl: 'http://gw.serving.svc.cluster.local:8080',
      gatewayPort: 10080,
      eppArgs: ['-v', '4'],
      eppReplicas: 2,
      eppFailureMode: 'FailOpen',
      eppResources: { cpu: { request: '200m', limit: '2' }, memory: { request: '512Mi', limit: '2Gi' } },
      labels: { team: 'ml' },
    }));
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'InferencePool', 'qwen').spec.endpointPickerRef.failureMode).toBe('FailOpen');
    const epp = one(manifests, 'Deployment', 'qwen-epp');
    expect(epp.spec.replicas).toBe(2);
    expect(epp.spec.template.spec.containers[0].args.slice(-2)).toEqual(['-v', '4']);
    expect(epp.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '2', memory: '2Gi' });
    expect(one(manifests, 'HTTPRoute', 'qwen').spec.parentRefs[0].namespace).toBe('serving');
    expect(one(manifests, 'Deployment', 'qwen').spec.template.spec.containers[0].args).toContain('qwen-small');
    expect(m.modelName).toBe('qwen-small');
    expect(m.podPort).toBe(10080);
  });

  test('bound with AsyncModel: KEDA scales the vLLM Deployment, the bridge reaches the Gateway', () => {
    const chart = testChart('ai');
    const backend = new LlmdModel(chart, 'llm', base());
    new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const so = one(manifests, 'ScaledObject', 'ask-model');
    expect(so.metadata.namespace).toBe('ai');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' });
    expect(so.spec.minReplicaCount).toBe(0);
    const np = one(manifests, 'NetworkPolicy', 'ask-model-ingress');
    expect(np.spec.podSelector.matchLabels).toEqual(GATEWAY_PODS);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 80 }]);
    const env = one(manifests, 'AsyncActor', 'ask').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_URL', value: 'http://inference-gateway-istio.ai.svc.cluster.local:80/v1/chat/completions' });
  });

  describe('errors', () => {
    const cases: Array<[string, Partial<LlmdModelProps>, string | RegExp]> = [
      ['unpinned EPP image', { eppImage: 'registry.k8s.io/gateway-api-inference-extension/epp' },
        'test/llm: eppImage ("registry.k8s.io/gateway-api-inference-extension/epp") has no tag or digest: pin a version (e.g. repo:1.2.3 or repo@sha256:...) or set allowUnpinnedImage'],
      ['latest EPP image', { eppImage: 'epp:latest' },
        'test/llm: eppImage ("epp:latest") uses the tag "latest": pin a version (e.g. repo:1.2.3 or repo@sha256:...) or set allowUnpinnedImage'],
      ['name too long for <name>-epp', { name: 'a'.repeat(60) },
        `test/llm: name ("${'a'.repeat(60)}") must be at most 59 characters (the Endpoint Picker objects are named <name>-epp), it has 60`],
      ['name starting with a digit', { name: '1llm' },
        'test/llm: name ("1llm") must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)'],
      ['reserved EPP flag', { eppArgs: ['--pool-name=other'] },
        'test/llm: eppArgs[0] ("--pool-name=other") is set by the construct (pool name and namespace, gRPC ports): remove it'],
      ['EPP replicas', { eppReplicas: 0 }, 'test/llm: eppReplicas (0) must be a whole number of at least 1'],
      ['failure mode', { eppFailureMode: 'FailSoft' }, 'test/llm: eppFailureMode ("FailSoft") must be FailClose or FailOpen'],
      ['gateway in another namespace', { gateway: { name: 'gw', namespace: 'gateway-system' } },
        'test/llm: gateway.namespace ("gateway-system") must be the model\'s namespace "ai": the binding\'s ScaledObject and the bridge\'s egress rule share the backend namespace'],
      ['bad gateway name', { gateway: { name: 'Gateway' } },
        'test/llm: gateway.name ("Gateway") must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)'],
      ['gateway URL with a path', { gatewayUrl: 'http://gw.ai.svc.cluster.local/v1' },
        'test/llm: gatewayUrl ("http://gw.ai.svc.cluster.local/v1") must be an http(s) base URL of a host and an optional port, without a path or trailing slash (e.g. http://inference-gateway.ai.svc.cluster.local:80)'],
      ['empty gateway pod selector', { gatewayPodSelector: {} },
        'test/llm: gatewayPodSelector ({}) must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them)'],
      ['gateway port', { gatewayPort: 0 }, 'test/llm: gatewayPort (0) must be a port number from 1 to 65535'],
      ['no resources', { resources: undefined }, 'test/llm: resources (unset) must be set: model servers get no default resources'],
    ];
    test.each(cases)('%s', (_t, overrides, message) => {
      const chart = testChart('ai');
      expect(() => new LlmdModel(chart, 'llm', base(overrides))).toThrow(message);
    });
  });
});
