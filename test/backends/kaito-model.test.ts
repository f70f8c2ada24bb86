import { KaitoModel, KaitoRuntime } from '../../src/backends/kaito-model';
import { ModelProtocol } from '../../src/backends/model-backend';
import { one, synthValid, testChart } from '../util';

describe('KaitoModel', () => {
  test('Workspace with auto-provisioning and a legacy preset name', () => {
    const chart = testChart('ai');
    const m = new KaitoModel(chart, 'phi', {
      preset: 'phi-3-mini-4k-instruct',
      instanceType: 'Standard_NC24ads_A100_v4',
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const ws = one(manifests, 'Workspace', 'phi');
    expect(ws.apiVersion).toBe('kaito.sh/v1beta1');
    expect(ws.spec).toBeUndefined();
    expect(ws.resource).toEqual({ instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: 'phi' } } });
    expect(ws.inference).toEqual({ preset: { name: 'phi-3-mini-4k-instruct' } });
    expect(ws.metadata.namespace).toBe('ai');
    expect(m.modelId).toBe('microsoft/phi-3-mini-4k-instruct');
    expect(m.modelName).toBe('phi-3-mini-4k-instruct');
    expect(m.endpoint).toBe('http://phi.ai.svc.cluster.local:80');
    expect(m.requestPath).toBe('/v1/chat/completions');
    expect(m.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(m.podSelector).toEqual({ 'kaito.sh/workspace': 'phi' });
    expect(m.podPort).toBe(5000);
    expect(m.metrics).toEqual({ portName: 'http', path: '/metrics' });
    expect(m.scaleTarget).toBeUndefined();
    expect(m.noScaleTargetReason).toMatch(/Workspace has no scale subresource/);
  });

  test('Workspace on your own nodes with a gated Hugging Face model and the transformers runtime', () => {
    const chart = testChart();
    const m = new KaitoModel(chart, 'llama', {
      name: 'llama-8b',
      preset: 'meta-llama/Llama-3.1-8B-Instruct',
      bringYourOwnNodes: true,
      labelSelector: { 'gpu.acme.io/pool': 'a100' },
      count: 2,
      preferredNodes: ['gpu-1', 'gpu-2'],
      modelAccessSecret: 'hf-token',
      runtime: KaitoRuntime.TRANSFORMERS,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const ws = one(manifests, 'Workspace', 'llama-8b');
    expect(ws.metadata.annotations).toEqual({ 'kaito.sh/runtime': 'transformers' });
    expect(ws.resource).toEqual({
      count: 2,
      labelSelector: { matchLabels: { 'gpu.acme.io/pool': 'a100' } },
      preferredNodes: ['gpu-1', 'gpu-2'],
    });
    expect(ws.inference.preset).toEqual({ name: 'meta-llama/Llama-3.1-8B-Instruct', presetOptions: { modelAccessSecret: 'hf-token' } });
    expect(m.modelName).toBe('llama-3.1-8b-instruct');
    expect(m.endpoint).toBe('http://llama-8b.default.svc.cluster.local:80');
  });

  test('scalable: InferenceSet with a Service for the set', () => {
    const chart = testChart('ai');
    const m = new KaitoModel(chart, 'qwen', {
      preset: 'Qwen/Qwen3-0.6B',
      instanceType: 'Standard_NC24ads_A100_v4',
      runtime: KaitoRuntime.VLLM,
      scalable: { replicas: 0, nodeCountLimit: 4 },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const set = one(manifests, 'InferenceSet', 'qwen');
    expect(set.apiVersion).toBe('kaito.sh/v1beta1');
    expect(set.spec.replicas).toBe(0);
    expect(set.spec.nodeCountLimit).toBe(4);
    expect(set.spec.labelSelector).toEqual({ matchLabels: { apps: 'qwen' } });
    expect(set.spec.template.resource).toEqual({ instanceType: 'Standard_NC24ads_A100_v4' });
    expect(set.spec.template.metadata).toEqual({ annotations: { 'kaito.sh/runtime': 'vllm' } });
    const svc = one(manifests, 'Service', 'qwen');
    expect(svc.spec.selector).toEqual({ 'inferenceset.kaito.sh/created-by': 'qwen' });
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 5000, protocol: 'TCP' }]);
    expect(m.modelName).toBe('qwen');
    expect(m.podSelector).toEqual({ 'inferenceset.kaito.sh/created-by': 'qwen' });
    expect(m.scaleTarget).toEqual({ apiVersion: 'kaito.sh/v1beta1', kind: 'InferenceSet', name: 'qwen', supportsScaleToZero: true });
    expect(m.noScaleTargetReason).toBeUndefined();
  });

  test('scalable on your own nodes', () => {
    const chart = testChart();
    new KaitoModel(chart, 'phi', { preset: 'phi-4', bringYourOwnNodes: true, scalable: {} });
    const set = one(synthValid(chart), 'InferenceSet', 'phi');
    expect(set.spec.replicas).toBe(1);
    expect(set.spec.template.resource).toEqual({});
  });

  describe('errors', () => {
    test('unknown short preset name', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'falcon-7b', instanceType: 'Standard_NC6s_v3' }))
        .toThrow(/test\/x: preset \("falcon-7b"\) must be a Hugging Face id \(org\/model\) or one of KAITO's legacy preset names \(phi-4, /);
    });
    test('own nodes plus instanceType', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', bringYourOwnNodes: true, instanceType: 'Standard_NC6s_v3' }))
        .toThrow(/instanceType \("Standard_NC6s_v3"\) must be unset with bringYourOwnNodes/);
    });
    test('no instanceType without own nodes', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4' }))
        .toThrow(/instanceType \(unset\) is required for node auto-provisioning/);
    });
    test('empty labelSelector', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', bringYourOwnNodes: true, labelSelector: {} }))
        .toThrow(/labelSelector \(\{\}\) must have at least one label/);
    });
    test('bad label value', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', bringYourOwnNodes: true, labelSelector: { pool: 'a b' } }))
        .toThrow(/labelSelector\["pool"\] \("a b"\) is not a valid label value/);
    });
    test('count of 0', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', count: 0 }))
        .toThrow(/count \(0\) must be a whole number of GPU nodes of at least 1/);
    });
    test('count with scalable', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', count: 2, scalable: {} }))
        .toThrow(/count \(2\) is not available with scalable/);
    });
    test('preferredNodes with scalable', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', preferredNodes: ['n'], scalable: {} }))
        .toThrow(/preferredNodes \(\["n"\]\) is not available with scalable/);
    });
    test('negative set replicas', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', scalable: { replicas: -1 } }))
        .toThrow(/scalable.replicas \(-1\) must be a whole number of at least 0/);
    });
    test('bad nodeCountLimit', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', scalable: { nodeCountLimit: 0 } }))
        .toThrow(/scalable.nodeCountLimit \(0\) must be a whole number of at least 1/);
    });
    test('bad runtime', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', runtime: 'tgi' as KaitoRuntime }))
        .toThrow(/runtime \("tgi"\) must be KaitoRuntime.VLLM or KaitoRuntime.TRANSFORMERS/);
    });
    test('bad secret name', () => {
      expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', modelAccessSecret: 'HF_Token' }))
        .toThrow(/modelAccessSecret \("HF_Token"\) must be a Secret name/);
    });
    test('bad name', () => {
      expect(() => new KaitoModel(testChart(), 'x', { name: 'Phi', preset: 'phi-4', instanceType: 'Standard_NC6s_v3' }))
        .toThrow(/test\/x: name \("Phi"\) must be a DNS-1123 label/);
    });
  });
});

describe('KaitoModel from a private preset image (air-gapped)', () => {
  test('accessMode private with the mirrored image and its pull secret', () => {
    const chart = testChart('ai');
    new KaitoModel(chart, 'phi', {
      preset: 'phi-4',
      instanceType: 'Standard_NC24ads_A100_v4',
      presetImage: 'registry.corp.internal/kaito/phi-4:0.0.3',
      presetImagePullSecrets: ['corp-registry'],
    });
    const ws = one(synthValid(chart), 'Workspace', 'phi');
    expect(ws.inference.preset).toEqual({
      name: 'phi-4', accessMode: 'private', presetOptions: { image: 'registry.corp.internal/kaito/phi-4:0.0.3', imagePullSecrets: ['corp-registry'] },
    });
  });

  test('rejects an unpinned preset image and pull secrets without an image', () => {
    expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', presetImage: 'registry.corp.internal/kaito/phi-4' }))
      .toThrow('test/x: presetImage ("registry.corp.internal/kaito/phi-4") has no tag or digest');
    expect(() => new KaitoModel(testChart(), 'y', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', presetImagePullSecrets: ['s'] }))
      .toThrow('presetImagePullSecrets (["s"]) needs presetImage');
  });
});
