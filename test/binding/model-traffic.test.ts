import { Chart } from 'cdk8s';
import {
  AsyncModel, AsyncModelProps, BentoModel, EnvValue, IModelBackend, KaitoModel, KServeAutoscalerClass, KServeModel, LlmdModel, ModelSource,
  MosecModel, NetworkPeer, OpenAIModel, OpenAIServer, RayServeModel, SeldonModel, Transport, TrafficPort, TritonModel, TritonModelRepository,
} from '../../src';
import { one, synthValid, testChart } from '../util';

const CPU = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };
const GPU = { ...CPU, gpu: { count: 1 } };
const NS = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const transport = Transport.rabbitmq({ brokerNamespace: 'mq', managementUrl: 'http://rabbitmq.mq.svc.cluster.local:15672' });

function bind(chart: Chart, backend: IModelBackend, extra: Partial<AsyncModelProps> = {}): { model: AsyncModel; policy: any; manifests: any[] } {
  const model = new AsyncModel(chart, 'ask', { backend, transport, ...extra });
  const manifests = synthValid(chart);
  return { model, policy: one(manifests, 'NetworkPolicy', 'ask-model-ingress'), manifests };
}

const bridgeRule = (port: number) => ({
  from: [{ ...NS('ai'), podSelector: { matchLabels: { 'asya.sh/asya': 'ask' } } }],
  ports: [{ protocol: 'TCP', port }],
});

describe('model flows: the binding renders what each backend declares', () => {
  // NET-1: KubeRay submits serveConfigV2 and reads Serve status through the head's dashboard port 8265
  // (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go:2014 @ v1.7.0, utils/constant.go
  // DefaultDashboardPort); workers reach GCS 6379 and Ray's other ports; the operator's pods carry
  // app.kubernetes.io/name: kuberay-operator (helm-chart/kuberay-operator/templates/deployment.yaml @ v1.7.0).
  // The operator also probes GET <headPodIP>:8000/-/healthz before it labels the head ray.io/serve=true, the
  // label NAME-serve-svc selects (rayservice_controller.go:2074-2115, common/service.go:203-205 @ v1.7.0).
  test('NET-1 Ray: the bridge on 8000, the KubeRay operator on 8265 and 8000, every port among the RayService pods', () => {
    const chart = testChart('ai');
    const ray = new RayServeModel(chart, 'ray', {
      image: 'rayproject/ray:2.46.0-py311',
      applications: [{ name: 'app', importPath: 'serve_app:app' }],
      head: { resources: CPU },
      kubeRayOperatorNamespace: 'ray-system',
    });
    const { policy } = bind(chart, ray);
    expect(policy).toMatchSnapshot();
    const pods = { matchLabels: { 'app.kubernetes.io/component': 'ray-serve', 'app.kubernetes.io/instance': 'ray' } };
    expect(policy.spec.podSelector).toEqual(pods);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      bridgeRule(8000),
      { from: [{ ...NS('ray-system'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } } }], ports: [{ protocol: 'TCP', port: 8265 }, { protocol: 'TCP', port: 8000 }] },
      { from: [{ ...NS('ai'), podSelector: pods }] },
    ]);
    const anyNs = new RayServeModel(testChart('ai'), 'ray', { image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'app', importPath: 'serve_app:app' }], head: { resources: CPU } });
    expect(anyNs.traffic!.ingress[0].peer._toJson()).toEqual({ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } } });
  });

  // NET-2: multi-node presets run Ray across the pods of one workspace
  // (kaito-project/kaito presets/workspace/inference/vllm/multi-node-health-check.py @ v0.12.0).
  test('NET-2 KAITO: every port among the pods of one workspace (of one InferenceSet with scalable)', () => {
    const chart = testChart('ai');
    const ws = new KaitoModel(chart, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4' });
    const { policy } = bind(chart, ws);
    expect(policy.spec.ingress).toEqual([
      bridgeRule(5000),
      { from: [{ ...NS('ai'), podSelector: { matchLabels: { 'kaito.sh/workspace': 'llm' } } }] },
    ]);
    const set = new KaitoModel(testChart('ai'), 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', scalable: {} });
    expect(set.traffic!.ingress[0].peer._toJson()).toEqual({ ...NS('ai'), podSelector: { matchLabels: { 'inferenceset.kaito.sh/created-by': 'llm' } } });
  });

  // NET-3: seldon-modelgateway and seldon-pipelinegateway call seldon-mesh:80 (--envoy-host=seldon-mesh
  // --envoy-port=80, SeldonIO/seldon-core operator/config/seldonconfigs/default.yaml:135-147,222-236 @ v2.10.2), as do
  // Servers' agents (SELDON_ENVOY_HOST, operator/config/serverconfigs/mlserver.yaml:106-109); Envoy listens on 9000.
  test('NET-3 Seldon: every pod of the runtime namespace reaches Envoy on 9000, not only the bridge', () => {
    const chart = testChart('ai');
    const { policy } = bind(chart, new SeldonModel(chart, 'iris', { storageUri: 'gs://seldon-models/iris', requirements: ['sklearn'] }));
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'seldon-envoy' });
    expect(policy.spec.ingress).toEqual([bridgeRule(9000), { from: [NS('ai')], ports: [{ protocol: 'TCP', port: 9000 }] }]);
  });

  // KServe Standard mode: the controller does not call predictor pods (kserve/kserve
  // pkg/controller/v1beta1/inferenceservice @ v0.20.0): only clients, on 8080.
  test('KServe: only the bridge on the pod port 8080', () => {
    const chart = testChart('ai');
    const { policy } = bind(chart, new KServeModel(chart, 'emb', {
      modelFormat: { name: 'huggingface' }, storageUri: 'hf://BAAI/bge-small-en-v1.5', resources: CPU, autoscalerClass: KServeAutoscalerClass.EXTERNAL, minReplicas: 0,
    }));
    expect(policy.spec.ingress).toEqual([bridgeRule(8080)]);
  });

  // llm-d: Gateway -> EPP (9002), Gateway -> vLLM (8000), EPP -> vLLM metrics
  // (kubernetes-sigs/gateway-api-inference-extension conformance/resources/base.yaml @ v1.6.0): the binding's
  // policy selects only the Gateway's pods and is Ingress-only, so those flows stay open.
  test('llm-d: the policy guards the Gateway pods only (EPP and vLLM flows are not blocked)', () => {
    const chart = testChart('ai');
    const llmd = new LlmdModel(chart, 'pool', {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'),
      resources: GPU,
      eppImage: 'registry.k8s.io/gateway-api-inference-extension/epp:v1.0.0',
      gateway: { name: 'inference-gateway' },
      gatewayUrl: 'http://inference-gateway-istio.ai.svc.cluster.local:80',
      gatewayPodSelector: { 'gateway.networking.k8s.io/gateway-name': 'inference-gateway' },
      gatewayPort: 80,
    });
    const { manifests } = bind(chart, llmd);
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'ask-model-ingress');
    expect(policies.map((p) => p.spec.podSelector.matchLabels)).toEqual([{ 'gateway.networking.k8s.io/gateway-name': 'inference-gateway' }]);
    expect(llmd.traffic).toEqual({ ingress: [], metricsPorts: [] });
  });
});

describe('NET-4: metrics scraping on each server\'s real metrics port', () => {
  test.each<[string, (c: Chart) => IModelBackend, number[]]>([
    // triton-inference-server/server @ v2.49.0: --metrics-port 8002.
    ['Triton', (c) => new TritonModel(c, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: GPU }), [8000, 8002]],
    // KubeRay adds the container port metrics 8080 to Ray containers (ray-project/kuberay @ v1.7.0).
    ['Ray', (c) => new RayServeModel(c, 'ray', { image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'a', importPath: 'm:app' }], head: { resources: CPU } }), [8000, 8080]],
    // Envoy stats on 9003 (envoy-stats, SeldonIO/seldon-core operator/config/seldonconfigs/default.yaml @ v2.10.2).
    ['Seldon', (c) => new SeldonModel(c, 'iris', { storageUri: 'gs://seldon-models/iris', requirements: ['sklearn'] }), [9000, 9003]],
    // vLLM /metrics on its serving port (vllm docs usage/metrics).
    ['vLLM', (c) => new OpenAIModel(c, 'vllm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: GPU, huggingFaceToken: EnvValue.fromSecret('hf', 'token') }), [8000]],
    // KServe Python runtimes: /metrics on 8080; KAITO vLLM: /metrics on 5000; Mosec and BentoML on their one port.
    ['KServe', (c) => new KServeModel(c, 'emb', { modelFormat: { name: 'sklearn' }, storageUri: 'gs://m/1', resources: CPU, autoscalerClass: KServeAutoscalerClass.EXTERNAL }), [8080]],
    ['KAITO', (c) => new KaitoModel(c, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', scalable: {} }), [5000]],
    ['Mosec', (c) => new MosecModel(c, 'mosec', { image: 'ghcr.io/acme/mosec-app:1.0.0', resources: CPU }), [8000]],
    ['BentoML', (c) => new BentoModel(c, 'bento', { bento: 'summarizer', apiMethod: 'summarize', resources: CPU }), [3000]],
  ])('%s: allowModelIngressFromNamespaces opens the serving and the metrics port (once when they are one)', (_n, make, ports) => {
    const chart = testChart('ai');
    const backend = make(chart);
    const { policy } = bind(chart, backend, { allowModelIngressFromNamespaces: ['monitoring'], modelScaling: { enabled: false } });
    const rule = policy.spec.ingress.find((r: any) => JSON.stringify(r.from) === JSON.stringify([NS('monitoring')]));
    expect(rule.ports).toEqual(ports.map((port) => ({ protocol: 'TCP', port })));
  });

  test('Ollama serves no metrics: only the serving port', () => {
    const chart = testChart('ai');
    const backend = new OpenAIModel(chart, 'ollama', { server: OpenAIServer.OLLAMA, model: ModelSource.ollama('llama3.2:1b'), resources: CPU });
    expect(backend.traffic!.metricsPorts).toEqual([]);
  });

  test('a pipeline\'s monitoringNamespace reaches the bridge and the model\'s metrics port (with a PodMonitor)', () => {
    const chart = testChart('ai');
    const triton = new TritonModel(chart, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: GPU });
    const model = new AsyncModel(chart, 'ask', { backend: triton, transport });
    model.allowMetricsScrapingFrom('monitoring');
    const manifests = synthValid(chart);
    expect(one(manifests, 'NetworkPolicy', 'ask-model-ingress').spec.ingress).toContainEqual({ from: [NS('monitoring')], ports: [{ protocol: 'TCP', port: 8002 }] });
    expect(one(manifests, 'NetworkPolicy', 'ask-network').spec.ingress).toContainEqual({ from: [NS('monitoring')], ports: [{ protocol: 'TCP', port: 8080 }] });
  });
});

describe('user flows on a binding', () => {
  test('modelIngressFlows and allowModelIngress add clients; bridgeEgressFlows extend the bridge', () => {
    const chart = testChart('ai');
    const triton = new TritonModel(chart, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: GPU });
    const model = new AsyncModel(chart, 'ask', {
      backend: triton,
      transport,
      modelIngressFlows: [{ peer: NetworkPeer.namespace('batch'), ports: [TrafficPort.tcp(8000)] }],
      bridgeEgressFlows: [{ peer: NetworkPeer.cidr('10.9.0.0/16'), ports: [TrafficPort.tcp(443)] }],
    });
    model.allowModelIngress({ peer: NetworkPeer.pods('web', { app: 'ui' }), ports: [TrafficPort.tcp(8000)] });
    const manifests = synthValid(chart);
    expect(one(manifests, 'NetworkPolicy', 'ask-model-ingress').spec.ingress).toEqual([
      bridgeRule(8000),
      { from: [NS('batch')], ports: [{ protocol: 'TCP', port: 8000 }] },
      { from: [{ ...NS('web'), podSelector: { matchLabels: { app: 'ui' } } }], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);
    const bridge = one(manifests, 'NetworkPolicy', 'ask-network').spec.egress;
    // The bridge reaches its model's pods on the pod port (after Service DNAT).
    expect(bridge).toContainEqual({ to: [{ ...NS('ai'), podSelector: { matchLabels: triton.podSelector } }], ports: [{ protocol: 'TCP', port: 8000 }] });
    expect(bridge).toContainEqual({ to: [{ ipBlock: { cidr: '10.9.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('errors name the field', () => {
    const chart = testChart('ai');
    const triton = new TritonModel(chart, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: GPU });
    expect(() => new AsyncModel(chart, 'a', { backend: triton, transport, modelIngressFlows: [{ peer: 'batch' as any }] }))
      .toThrow('test/a: modelIngressFlows[0].peer ("batch") must be a NetworkPeer (NetworkPeer.pods(), .namespace(), .cidr(), ...)');
    expect(() => new AsyncModel(chart, 'b', { backend: triton, transport, bridgeEgressFlows: [{ peer: NetworkPeer.namespace('x'), ports: [443 as any] }] }))
      .toThrow('test/b: bridgeEgressFlows[0].ports ([443]) must be a list of TrafficPort (TrafficPort.tcp(443), ...), or unset for every port');
    const m = new AsyncModel(chart, 'c', { backend: triton, transport });
    expect(() => m.allowModelIngress({ peer: undefined as any })).toThrow('test/c: allowModelIngress(flow).peer (unset) must be a NetworkPeer');
  });
});
