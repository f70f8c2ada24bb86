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
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'qwen-predictor', supportsScaleToZero: true });
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
