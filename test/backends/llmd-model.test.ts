import { Duration } from 'cdk8s';
import { AsyncModel, Transport } from '../../src';
import { LlmdModel, LlmdModelProps, LlmdProvider } from '../../src/backends/llmd-model';
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
  // vLLM's IPC paths go under tempfile.gettempdir() (vllm-project/vllm vllm/envs.py VLLM_RPC_BASE_PATH):
  // the vLLM pods get the /tmp emptyDir of the ModelServer base, so readOnlyRootFilesystem works.
  test('the vLLM pods have a writable /tmp emptyDir (vllm/envs.py VLLM_RPC_BASE_PATH)', () => {
    const chart = testChart('ai');
    new LlmdModel(chart, 'llm', base({ security: { readOnlyRootFilesystem: true } }));
    const spec = one(synthValid(chart), 'Deployment', 'llm').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

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
    expect(e.args).toEqual(['--pool-name', 'llm', '--pool-namespace', 'ai', '--grpc-port', '9002', '--grpc-health-port', '9003',
      '--metrics-endpoint-auth=false', '--tracing=false']);
    expect(epp.spec.strategy).toEqual({ type: 'Recreate' });
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
      { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] },
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
    const so = one(manifests, 'ScaledObject', 'llm-scaler');
    expect(so.metadata.namespace).toBe('ai');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' });
    expect(so.spec.minReplicaCount).toBe(1); // RabbitMQ without managementUrl cannot count in-flight work (binding: min 0 refused)
    const np = one(manifests, 'NetworkPolicy', 'ask-model-ingress');
    expect(np.spec.podSelector.matchLabels).toEqual(GATEWAY_PODS);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 80 }]);
    const env = one(manifests, 'AsyncActor', 'ask').spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_URL', value: 'http://inference-gateway-istio.ai.svc.cluster.local:80/v1/chat/completions' });
  });

  // Envoy Gateway runs the proxies in the controller's namespace by default (envoyproxy/gateway
  // api/v1alpha1/envoygateway_types.go KubernetesDeployModeTypeControllerNamespace: "the controller namespace is
  // used for the infra proxy deployments"), i.e. envoy-gateway-system, not the Gateway's namespace.
  test('gatewayPodNamespace: the bridge\'s egress and the model-ingress policy name the Gateway pods in Envoy Gateway\'s controller namespace', () => {
    const chart = testChart('ai');
    const pods = { 'gateway.envoyproxy.io/owning-gateway-name': 'inference-gateway' };
    const backend = new LlmdModel(chart, 'llm', base({ gatewayPodSelector: pods, gatewayPodNamespace: 'envoy-gateway-system', gatewayPort: 10080 }));
    new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    expect(backend.traffic).toEqual({ ingress: [], metricsPorts: [], podNamespace: 'envoy-gateway-system' });
    const np = one(manifests, 'NetworkPolicy', 'ask-model-ingress');
    expect(np.metadata.namespace).toBe('envoy-gateway-system');
    expect(np.spec.podSelector.matchLabels).toEqual(pods);
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai' } }, podSelector: expect.anything() }]);
    expect(one(manifests, 'ScaledObject', 'llm-scaler').metadata.namespace).toBe('ai');
    const bridgeEgress = manifests.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name !== 'ask-model-ingress')
      .flatMap((o) => o.spec.egress ?? []);
    expect(bridgeEgress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } }, podSelector: { matchLabels: pods } }],
      ports: [{ protocol: 'TCP', port: 10080 }],
    });
  });
  // The GKE Gateway controller provisions Google Cloud load balancers, no in-cluster data-plane pods
  // (cloud.google.com/kubernetes-engine/docs/concepts/gateway-api; the llm-d chart's provider gke,
  // config/charts/inferencepool/values.yaml @ 520af478): the bridge reaches the Gateway's address block.
  test('gatewayCidr (GKE, no in-cluster Gateway pods): bridge egress to the block, no model-ingress policy', () => {
    const chart = testChart('ai');
    const backend = new LlmdModel(chart, 'llm', base({ provider: LlmdProvider.GKE, gatewayPodSelector: undefined, gatewayCidr: '10.128.0.0/20' }));
    new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    expect(backend.traffic?.ipBlock).toBe('10.128.0.0/20');
    expect(manifests.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ask-model-ingress')).toEqual([]);
    const bridgeEgress = manifests.filter((o) => o.kind === 'NetworkPolicy').flatMap((o) => o.spec.egress ?? []);
    expect(bridgeEgress).toContainEqual({ to: [{ ipBlock: { cidr: '10.128.0.0/20' } }], ports: [{ protocol: 'TCP', port: 80 }] });
  });

  describe('fidelity (field-review 3.8)', () => {
    // LLD-1: Envoy-based Gateways cut requests at 15 s without an HTTPRoute timeout; the upstream chart sets
    // requestTimeout "300s", except for GKE (llm-d/llm-d-inference-scheduler config/charts/inferencepool/
    // values.yaml:156-157 and templates/httproute.yaml @ 520af478).
    test('LLD-1: HTTPRoute timeouts.request, 300 s by default, none on GKE', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'a', base());
      new LlmdModel(chart, 'b', base({ routeTimeout: Duration.minutes(10) }));
      new LlmdModel(chart, 'c', base({ provider: LlmdProvider.GKE }));
      const manifests = synthValid(chart);
      expect(one(manifests, 'HTTPRoute', 'a').spec.rules[0].timeouts).toEqual({ request: '300s' });
      expect(one(manifests, 'HTTPRoute', 'b').spec.rules[0].timeouts).toEqual({ request: '600s' });
      expect(one(manifests, 'HTTPRoute', 'c').spec.rules[0].timeouts).toBeUndefined();
    });
    // LLD-2: the EPP watches InferenceObjective/InferenceModelRewrite when their CRDs exist
    // (pkg/epp/server/controller_config.go:58-65 @ 520af478); the chart's Role grants them
    // (config/charts/inferencepool/templates/rbac.yaml). --metrics-endpoint-auth defaults to true
    // (pkg/epp/server/options.go:132) and needs tokenreviews/subjectaccessreviews (epplib/templates/_rbac.yaml);
    // the chart passes --metrics-endpoint-auth=false when its auth is off, as the library does.
    test('LLD-2: EPP Role covers the x-k8s CRDs; metrics endpoint auth off (no ClusterRole)', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'llm', base());
      const manifests = synthValid(chart);
      expect(one(manifests, 'Role', 'llm-epp').rules).toContainEqual(
        { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] });
      expect(one(manifests, 'Deployment', 'llm-epp').spec.template.spec.containers[0].args).toContain('--metrics-endpoint-auth=false');
      expect(manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toEqual([]);
    });
    // LLD-3: the EPP serves TLS by default (pkg/epp/server/options.go:131 @ 520af478); the chart adds an Istio
    // DestinationRule (templates/istio.yaml) or turns secure serving off for agentgateway (epplib _deployment.yaml).
    test('LLD-3: provider decides the EPP transport', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'a', base());
      new LlmdModel(chart, 'b', base({ provider: LlmdProvider.ISTIO }));
      new LlmdModel(chart, 'c', base({ provider: LlmdProvider.PLAINTEXT }));
      const manifests = synthValid(chart);
      const args = (n: string) => one(manifests, 'Deployment', `${n}-epp`).spec.template.spec.containers[0].args;
      expect(args('a').filter((a: string) => a.startsWith('--secure-serving'))).toEqual([]);
      expect(args('b')).toContain('--secure-serving=false');
      expect(args('c')).toContain('--secure-serving=false');
    });
    // LLD-4: gRPC health probes and a 130 s grace, as upstream (kubernetes-sigs/gateway-api-inference-extension
    // conformance/resources/base.yaml:268-279 @ v1.6.0; llm-d chart epplib/templates/_deployment.yaml @ 520af478).
    test('LLD-4: gRPC probes (Ready after the cache syncs) and 130 s termination grace', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'a', base());
      new LlmdModel(chart, 'b', base({ eppReplicas: 2 }));
      const manifests = synthValid(chart);
      const spec = (n: string) => one(manifests, 'Deployment', `${n}-epp`).spec.template.spec;
      expect(spec('a').terminationGracePeriodSeconds).toBe(130);
      expect(spec('a').containers[0].readinessProbe).toEqual({ grpc: { port: 9003, service: 'inference-extension' }, periodSeconds: 2 });
      expect(spec('a').containers[0].livenessProbe).toEqual({ grpc: { port: 9003, service: 'inference-extension' }, initialDelaySeconds: 5, periodSeconds: 10 });
      expect(spec('b').containers[0].readinessProbe.grpc).toEqual({ port: 9003, service: 'readiness' });
      expect(spec('b').containers[0].livenessProbe.grpc).toEqual({ port: 9003, service: 'liveness' });
    });
    // llm-d/llm-d-inference-scheduler @ 520af478: several EPP replicas elect a leader (chart
    // config/charts/epplib/templates/_deployment.yaml:154, _leader-election-rbac.yaml; cmd/epp/runner/runner.go:306),
    // the Deployment is Recreate always (_deployment.yaml:19).
    test('several EPP replicas: leader election flag and Role (epplib _leader-election-rbac.yaml @ 520af478), Recreate', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'a', base());
      new LlmdModel(chart, 'b', base({ eppReplicas: 3 }));
      const manifests = synthValid(chart);
      const epp = (n: string) => one(manifests, 'Deployment', `${n}-epp`);
      expect(epp('a').spec.template.spec.containers[0].args).not.toContain('--ha-enable-leader-election');
      expect(epp('b').spec.template.spec.containers[0].args).toContain('--ha-enable-leader-election');
      expect(epp('a').spec.strategy).toEqual({ type: 'Recreate' });
      expect(epp('b').spec.strategy).toEqual({ type: 'Recreate' });
      expect(manifests.filter((o) => o.kind === 'Role').map((o) => o.metadata.name).sort()).toEqual(['a-epp', 'b-epp', 'b-epp-leader-election']);
      expect(one(manifests, 'Role', 'b-epp-leader-election').rules).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ]);
      const binding = one(manifests, 'RoleBinding', 'b-epp-leader-election');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b-epp-leader-election' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'b-epp' }]);
    });
    // The EPP traces by default (pkg/epp/server/options.go:127 @ 520af478); the chart passes --tracing=false
    // unless tracing is enabled (config/charts/epplib/templates/_deployment.yaml:164).
    test('--tracing=false unless eppArgs set --tracing (options.go:127, chart _deployment.yaml:164 @ 520af478)', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'a', base({ eppArgs: ['--tracing=true'] }));
      const args = one(synthValid(chart), 'Deployment', 'a-epp').spec.template.spec.containers[0].args;
      expect(args.filter((a: string) => a.startsWith('--tracing'))).toEqual(['--tracing=true']);
    });
    test('vLLM tensor parallelism reaches the pool\'s vLLM pods', () => {
      const chart = testChart('ai');
      new LlmdModel(chart, 'llm', base({ resources: { ...GPU, gpu: { count: 2 } }, tensorParallelSize: 2 }));
      const args = one(synthValid(chart), 'Deployment', 'llm').spec.template.spec.containers[0].args;
      expect(args.slice(args.indexOf('--tensor-parallel-size'), args.indexOf('--tensor-parallel-size') + 2)).toEqual(['--tensor-parallel-size', '2']);
    });
    test('resource is the InferencePool; inferencePool stays as an alias', () => {
      const m = new LlmdModel(testChart('ai'), 'llm', base());
      expect(m.resource.kind).toBe('InferencePool');
      expect(m.inferencePool).toBe(m.resource);
      expect(m.node.defaultChild).toBe(m.resource);
    });
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
        'test/llm: eppArgs[0] ("--pool-name=other") is set by the construct (pool name and namespace, gRPC ports, metrics endpoint auth, leader election from eppReplicas): remove it'],
      ['metrics auth flag', { eppArgs: ['--metrics-endpoint-auth=true'] },
        'test/llm: eppArgs[0] ("--metrics-endpoint-auth=true") is set by the construct (pool name and namespace, gRPC ports, metrics endpoint auth, leader election from eppReplicas): remove it'],
      ['secure serving set by the provider', { provider: LlmdProvider.ISTIO, eppArgs: ['--secure-serving=true'] },
        'test/llm: eppArgs[0] ("--secure-serving=true") is set by the construct for provider istio: remove it'],
      ['route timeout on GKE', { provider: LlmdProvider.GKE, routeTimeout: Duration.minutes(10) },
        'test/llm: routeTimeout ("600s") is not rendered for provider gke (its Gateway does not support HTTPRoute timeouts)'],
      ['route timeout below a second', { routeTimeout: Duration.millis(500) },
        'test/llm: routeTimeout ("0.5s") must be a whole number of seconds of at least 1'],
      ['not a provider', { provider: 'istio' as any }, 'test/llm: provider ("istio") must be LlmdProvider.NONE, GKE, ISTIO or PLAINTEXT'],
      ['leader election flag', { eppArgs: ['--ha-enable-leader-election'] },
        'test/llm: eppArgs[0] ("--ha-enable-leader-election") is set by the construct (pool name and namespace, gRPC ports, metrics endpoint auth, leader election from eppReplicas): remove it'],
      ['EPP replicas', { eppReplicas: 0 }, 'test/llm: eppReplicas (0) must be a whole number of at least 1'],
      ['failure mode', { eppFailureMode: 'FailSoft' }, 'test/llm: eppFailureMode ("FailSoft") must be FailClose or FailOpen'],
      ['gateway in another namespace', { gateway: { name: 'gw', namespace: 'gateway-system' } },
        'test/llm: gateway.namespace ("gateway-system") must be the model\'s namespace "ai": the binding\'s ScaledObject and the bridge\'s egress rule share the backend namespace'],
      ['bad gateway name', { gateway: { name: 'Gateway' } },
        'test/llm: gateway.name ("Gateway") must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)'],
      ['gateway URL with a path', { gatewayUrl: 'http://gw.ai.svc.cluster.local/v1' },
        'test/llm: gatewayUrl ("http://gw.ai.svc.cluster.local/v1") must be an http(s) base URL of a host and an optional port, without a path or trailing slash (e.g. http://inference-gateway.ai.svc.cluster.local:80)'],
      ['empty gateway pod selector', { gatewayPodSelector: {} },
        'test/llm: gatewayPodSelector ({}) must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them), or set gatewayCidr for a Gateway without in-cluster pods (GKE)'],
      ['no gateway pod selector nor CIDR', { gatewayPodSelector: undefined },
        'test/llm: gatewayPodSelector (unset) must name at least one label of the Gateway\'s pods (the bridge\'s egress and the NetworkPolicy select them), or set gatewayCidr for a Gateway without in-cluster pods (GKE)'],
      ['bad gateway pod namespace', { gatewayPodNamespace: 'Envoy_System' },
        'test/llm: gatewayPodNamespace ("Envoy_System") must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)'],
      ['bad gateway CIDR', { gatewayPodSelector: undefined, gatewayCidr: '10.0.0.0' }, 'test/llm: gatewayCidr ("10.0.0.0") must be a CIDR block such as 10.128.0.0/20'],
      ['gateway CIDR with a pod selector', { gatewayCidr: '10.0.0.0/8' },
        'test/llm: gatewayCidr ("10.0.0.0/8") cannot be set with gatewayPodSelector or gatewayPodNamespace: a Gateway is reached either at its in-cluster pods or at an address block'],
      ['gateway port', { gatewayPort: 0 }, 'test/llm: gatewayPort (0) must be a port number from 1 to 65535'],
      ['no resources', { resources: undefined }, 'test/llm: resources (unset) must set cpu.limit and memory.limit of container "server" (policy ASYA-RES-001'],
    ];
    test.each(cases)('%s', (_t, overrides, message) => {
      const chart = testChart('ai');
      expect(() => new LlmdModel(chart, 'llm', base(overrides))).toThrow(message);
    });
  });
});
