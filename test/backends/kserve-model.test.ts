import { KServeAutoscalerClass, KServeModel, KServeProtocolVersion } from '../../src/backends/kserve-model';
import { ModelProtocol } from '../../src/backends/model-backend';
import { EnvValue } from '../../src/core';
import { one, synthValid, testChart } from '../util';

const CPU = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '2Gi' } };
const GPU = { ...CPU, gpu: { count: 1 } };

describe('KServeModel', () => {
  test('sklearn over V2 with the default autoscaler (no scale target)', () => {
    const chart = testChart('ml');
    const m = new KServeModel(chart, 'iris', {
      modelFormat: { name: 'sklearn' },
      storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
      resources: CPU,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const isvc = one(manifests, 'InferenceService', 'iris');
    expect(isvc.metadata.annotations).toEqual({
      'serving.kserve.io/deploymentMode': 'Standard',
      'serving.kserve.io/autoscalerClass': 'hpa',
    });
    expect(isvc.spec.predictor.minReplicas).toBe(1);
    expect(isvc.spec.predictor.maxReplicas).toBe(1);
    expect(isvc.spec.predictor.model.protocolVersion).toBe('v2');
    expect(isvc.spec.predictor.model.modelFormat).toEqual({ name: 'sklearn' });
    expect(m.endpoint).toBe('http://iris-predictor.ml.svc.cluster.local');
    expect(m.protocol).toBe(ModelProtocol.OPEN_INFERENCE);
    expect(m.requestPath).toBe('/v2/models/iris/infer');
    expect(m.modelName).toBe('iris');
    expect(m.podSelector).toEqual({ 'serving.kserve.io/inferenceservice': 'iris' });
    expect(m.podPort).toBe(8080);
    expect(m.scaleTarget).toBeUndefined();
    expect(m.noScaleTargetReason).toMatch(/set autoscalerClass to KServeAutoscalerClass.EXTERNAL/);
    expect(m.metrics).toBeUndefined();
  });

  test('Hugging Face runtime with external scaling to zero and a GPU', () => {
    const chart = testChart('ml');
    const m = new KServeModel(chart, 'qwen', {
      modelFormat: { name: 'huggingface' },
      storageUri: 'hf://Qwen/Qwen2.5-0.5B-Instruct',
      args: ['--max-model-len=4096'],
      env: { HF_TOKEN: EnvValue.fromSecret('hf', 'token') },
      resources: GPU,
      autoscalerClass: KServeAutoscalerClass.EXTERNAL,
      minReplicas: 0,
      maxReplicas: 3,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const isvc = one(manifests, 'InferenceService', 'qwen');
    expect(isvc.metadata.annotations['serving.kserve.io/autoscalerClass']).toBe('external');
    expect(isvc.spec.predictor.model.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(isvc.spec.predictor.model.env).toEqual([{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } }]);
    expect(m.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(m.requestPath).toBe('/openai/v1/chat/completions');
    expect(m.modelName).toBe('qwen');
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'qwen-predictor', supportsScaleToZero: true, minReplicas: 0, maxReplicas: 3 });
    expect(m.noScaleTargetReason).toBeUndefined();
  });

  test('Hugging Face embeddings', () => {
    const chart = testChart();
    const m = new KServeModel(chart, 'emb', {
      modelFormat: { name: 'huggingface' },
      storageUri: 'hf://BAAI/bge-small-en-v1.5',
      openAIProtocol: ModelProtocol.OPENAI_EMBEDDINGS,
      resources: CPU,
    });
    synthValid(chart);
    expect(m.requestPath).toBe('/openai/v1/embeddings');
  });

  test('named runtime over V1 with a PVC', () => {
    const chart = testChart();
    const m = new KServeModel(chart, 'tf', {
      runtime: 'kserve-tensorflow-serving',
      protocolVersion: KServeProtocolVersion.V1,
      storageUri: 'pvc://models/flowers',
      resources: CPU,
      autoscalerClass: KServeAutoscalerClass.NONE,
      minReplicas: 2,
      security: { allowRoot: true },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const isvc = one(manifests, 'InferenceService', 'tf');
    expect(isvc.spec.predictor.model.runtime).toBe('kserve-tensorflow-serving');
    expect(isvc.spec.predictor.securityContext.runAsNonRoot).toBeUndefined();
    expect(m.protocol).toBe(ModelProtocol.KSERVE_V1);
    expect(m.requestPath).toBe('/v1/models/tf:predict');
    expect(m.noScaleTargetReason).toMatch(/replicas are pinned to minReplicas/);
  });

  describe('errors', () => {
    test('bad storage scheme', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, storageUri: 'ftp://x/y', resources: CPU }))
        .toThrow(/test\/x: storageUri \("ftp:\/\/x\/y"\) must start with one of hf:\/\/, s3:\/\/, gs:\/\/, pvc:\/\/, oci:\/\/, https:\/\//);
    });
    test('no format or runtime', () => {
      expect(() => new KServeModel(testChart(), 'x', { resources: CPU }))
        .toThrow(/modelFormat \(unset\) or runtime must be set/);
    });
    test('zero replicas with hpa', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, resources: CPU, minReplicas: 0 }))
        .toThrow(/minReplicas \(0\) cannot be 0 with autoscalerClass hpa/);
    });
    test('min above max', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, resources: CPU, minReplicas: 3, maxReplicas: 2 }))
        .toThrow(/minReplicas \(3\) must not exceed maxReplicas \(2\)/);
    });
    test('OpenAI protocol without the Hugging Face format', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, resources: CPU, openAIProtocol: ModelProtocol.OPENAI_CHAT }))
        .toThrow(/openAIProtocol \("openai-chat"\) needs modelFormat huggingface/);
    });
    test('non-OpenAI protocol for the Hugging Face format', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'huggingface' }, resources: CPU, openAIProtocol: ModelProtocol.KSERVE_V1 }))
        .toThrow(/openAIProtocol \("kserve-v1"\) must be ModelProtocol.OPENAI_CHAT/);
    });
    test('bad autoscaler class', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, resources: CPU, autoscalerClass: 'kpa' as KServeAutoscalerClass }))
        .toThrow(/autoscalerClass \("kpa"\) must be KServeAutoscalerClass.HPA, KEDA, EXTERNAL or NONE/);
    });
    test('name starting with a digit', () => {
      expect(() => new KServeModel(testChart(), '1x', { modelFormat: { name: 'sklearn' }, resources: CPU }))
        .toThrow(/name \(from the construct id\) \("1x"\) must be a DNS-1035 label/);
    });
    test('name too long for the predictor', () => {
      expect(() => new KServeModel(testChart(), 'x', { name: 'a'.repeat(54), modelFormat: { name: 'sklearn' }, resources: CPU }))
        .toThrow(/must be at most 53 characters \(KServe names the predictor Deployment and Service NAME-predictor, at most 63\)/);
    });
    test('route prefix env', () => {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'huggingface' }, resources: CPU, env: { KSERVE_OPENAI_ROUTE_PREFIX: EnvValue.fromValue('') } }))
        .toThrow(/env \("KSERVE_OPENAI_ROUTE_PREFIX"\) is not supported/);
    });
  });
});

describe('KServeModel fidelity to KServe v0.20 (KSV-1, KSV-2)', () => {
  // KSV-1: Triton names the model after its repository directory (kserve/kserve config/runtimes/kserve-tritonserver.yaml @ v0.20.0).
  test('Triton-backed formats need modelName, which the request path carries', () => {
    const chart = testChart();
    const m = new KServeModel(chart, 'detector', { modelFormat: { name: 'onnx' }, modelName: 'yolo', storageUri: 's3://models/yolo', resources: CPU });
    synthValid(chart);
    expect(m.modelName).toBe('yolo');
    expect(m.requestPath).toBe('/v2/models/yolo/infer');
    expect(m.protocol).toBe(ModelProtocol.OPEN_INFERENCE);
  });

  test('modelName overrides the V1 path too (TorchServe names its models in config.properties)', () => {
    const m = new KServeModel(testChart(), 'ts', { modelFormat: { name: 'pytorch' }, modelName: 'mnist', protocolVersion: KServeProtocolVersion.V1, resources: CPU });
    expect(m.requestPath).toBe('/v1/models/mnist:predict');
  });

  test('modelName is required for triton, tensorrt and onnx and for runtime kserve-tritonserver', () => {
    for (const name of ['triton', 'tensorrt', 'onnx']) {
      expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name }, resources: CPU }))
        .toThrow(`test/x: modelName (unset) is required with modelFormat ${name}: KServe serves it with Triton, which names the model after its directory`);
    }
    expect(() => new KServeModel(testChart(), 'x', { runtime: 'kserve-tritonserver', resources: CPU }))
      .toThrow('test/x: modelName (unset) is required with runtime kserve-tritonserver: KServe serves it with Triton');
    expect(() => new KServeModel(testChart(), 'x', { modelFormat: { name: 'onnx' }, modelName: 'a/b', resources: CPU }))
      .toThrow('test/x: modelName ("a/b") must be a model name (letters, digits, ".", "_" and "-")');
  });

  // KSV-1: the vLLM runtime serves the OpenAI API on /v1 with --served-model-name={{.Name}}
  // (kserve/kserve config/runtimes/kserve-vllmserver.yaml @ v0.20.0); its format name is "vLLM".
  test('the vLLM runtime format: OpenAI paths without /openai', () => {
    const chart = testChart('ai');
    const chat = new KServeModel(chart, 'llm', { modelFormat: { name: 'vLLM' }, storageUri: 'hf://Qwen/Qwen2.5-0.5B-Instruct', resources: GPU });
    const emb = new KServeModel(chart, 'emb', { modelFormat: { name: 'vLLM' }, storageUri: 'hf://BAAI/bge-small-en-v1.5', resources: GPU, openAIProtocol: ModelProtocol.OPENAI_EMBEDDINGS });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'InferenceService', 'llm').spec.predictor.model.modelFormat).toEqual({ name: 'vLLM' });
    expect(chat.requestPath).toBe('/v1/chat/completions');
    expect(chat.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(chat.modelName).toBe('llm');
    expect(emb.requestPath).toBe('/v1/embeddings');
  });

  test('the Hugging Face runtime keeps the /openai prefix', () => {
    const m = new KServeModel(testChart(), 'hf', { modelFormat: { name: 'huggingface' }, resources: CPU, openAIProtocol: ModelProtocol.OPENAI_COMPLETIONS });
    expect(m.requestPath).toBe('/openai/v1/completions');
  });

  // KSV-2: the predictor inlines a PodSpec with tolerations and priorityClassName (kserve/kserve pkg/apis/serving/v1beta1/predictor.go:84,
  // podspec.go:175,189 @ v0.20.0), which KServe merges over the runtime pod spec (MergePodSpec, inferenceservice/utils/utils.go:267).
  test('tolerations and priorityClassName for a tainted GPU pool', () => {
    const chart = testChart();
    new KServeModel(chart, 'gpu', {
      modelFormat: { name: 'huggingface' },
      resources: GPU,
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      priorityClassName: 'inference',
    });
    const p = one(synthValid(chart), 'InferenceService', 'gpu').spec.predictor;
    expect(p.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(p.priorityClassName).toBe('inference');
    expect(p.nodeSelector).toEqual({ pool: 'gpu' });
  });

  test('bad tolerations and priorityClassName', () => {
    const m = (extra: any) => () => new KServeModel(testChart(), 'x', { modelFormat: { name: 'sklearn' }, resources: CPU, ...extra });
    expect(m({ tolerations: [{ operator: 'In' }] })).toThrow('test/x: tolerations[0].operator ("In") must be Equal or Exists');
    expect(m({ tolerations: [{ effect: 'Never' }] })).toThrow('test/x: tolerations[0].effect ("Never") must be one of NoSchedule, PreferNoSchedule, NoExecute');
    expect(m({ tolerations: [{ operator: 'Exists', value: 'v' }] })).toThrow('test/x: tolerations[0].value ("v") must be empty when operator is Exists');
    expect(m({ priorityClassName: 'High' })).toThrow('test/x: priorityClassName ("High") must be a PriorityClass name (DNS-1123 subdomain)');
    expect(m({ openAIProtocol: ModelProtocol.OPENAI_CHAT })).toThrow('test/x: openAIProtocol ("openai-chat") needs modelFormat huggingface or vLLM');
  });
});
