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
    // KAI-2: KAITO sets a served model name for vLLM only; transformers serves the Hugging Face id
    // (kaito-project/kaito pkg/model/interface.go buildHuggingfaceInferenceCommand, presets/workspace/generator/generator.go:718 @ v0.12.0).
    expect(m.modelName).toBe('meta-llama/Llama-3.1-8B-Instruct');
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
    // KAI-4: the benchmark is off by default for sets (they start from zero on demand): KAITO reads
    // kaito.sh/disable-benchmark on the set and copies template annotations to its Workspaces
    // (kaito-project/kaito api/v1beta1/labels.go:69-72, pkg/utils/inferenceset/inferenceset.go @ v0.12.0).
    expect(set.metadata.annotations).toEqual({ 'kaito.sh/disable-benchmark': 'true', 'kaito.sh/runtime': 'vllm' });
    expect(set.spec.template.metadata).toEqual({ annotations: { 'kaito.sh/disable-benchmark': 'true', 'kaito.sh/runtime': 'vllm' } });
    const svc = one(manifests, 'Service', 'qwen');
    // KAI-3: only pod 0 of an instance serves port 5000, as KAITO's InferencePool selects it
    // (kaito-project/kaito pkg/workspace/manifests/manifests.go:431 @ v0.12.0).
    expect(svc.spec.selector).toEqual({ 'inferenceset.kaito.sh/created-by': 'qwen', 'apps.kubernetes.io/pod-index': '0' });
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 5000, protocol: 'TCP' }]);
    expect(m.modelName).toBe('qwen');
    expect(m.podSelector).toEqual({ 'inferenceset.kaito.sh/created-by': 'qwen', 'apps.kubernetes.io/pod-index': '0' });
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
    // The StatefulSet controller labels pods controller-revision-hash=<statefulset>-<hash, up to 10 characters>, at most 63
    // (kubernetes/kubernetes pkg/controller/history/controller_history.go ControllerRevisionName, kubernetes/kubernetes#64023);
    // KAITO names the StatefulSet after the Workspace (kaito-project/kaito pkg/workspace/manifests/manifests.go @ v0.12.0).
    test('names too long for the StatefulSet revision label', () => {
      expect(() => new KaitoModel(testChart(), 'x', { name: 'a'.repeat(53), preset: 'phi-4', instanceType: 'Standard_NC6s_v3' }))
        .toThrow(`test/x: name ("${'a'.repeat(53)}") must be at most 52 characters (KAITO names the StatefulSet after the Workspace, `
          + 'and its pods\' controller-revision-hash label <name>-<hash> must fit in 63), it has 53');
      expect(() => new KaitoModel(testChart(), 'y', { name: 'a'.repeat(47), preset: 'phi-4', instanceType: 'Standard_NC6s_v3', scalable: {} }))
        .toThrow('must be at most 46 characters (the set\'s Workspaces are <name>-xxxxx');
      new KaitoModel(testChart(), 'z', { name: 'a'.repeat(52), preset: 'phi-4', instanceType: 'Standard_NC6s_v3' });
    });
    test('bad name', () => {
      expect(() => new KaitoModel(testChart(), 'x', { name: 'Phi', preset: 'phi-4', instanceType: 'Standard_NC6s_v3' }))
        .toThrow(/test\/x: name \("Phi"\) must be a DNS-1035 label/);
      // The ModelBackend naming rule: KAITO's Service is named after the Workspace, and Service names are DNS-1035 labels.
      expect(() => new KaitoModel(testChart(), 'y', { name: '1phi', preset: 'phi-4', instanceType: 'Standard_NC6s_v3' }))
        .toThrow('test/y: name ("1phi") must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)');
    });
  });
});

describe('KaitoModel offline (KAI-1)', () => {
  // kaito-project/kaito api/v1beta1/labels.go:95-107 and pkg/workspace/inference/preset_inferences.go:215-240 @ v0.12.0:
  // kaito.sh/use-local-weights: "true" mounts /opt/kaito/models/<preset, lower case, "/" as "-"> and skips the download.
  test('localWeights: the use-local-weights annotation and the node directory KAITO mounts', () => {
    const chart = testChart('ai');
    const m = new KaitoModel(chart, 'phi', { preset: 'Phi-4-Mini-Instruct', bringYourOwnNodes: true, labelSelector: { pool: 'gpu' }, localWeights: true });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const ws = one(manifests, 'Workspace', 'phi');
    expect(ws.metadata.annotations).toEqual({ 'kaito.sh/use-local-weights': 'true' });
    expect(ws.inference).toEqual({ preset: { name: 'Phi-4-Mini-Instruct' } });
    expect(m.localWeightsPath).toBe('/opt/kaito/models/phi-4-mini-instruct');
    // KAI-6: KAITO lower-cases a preset before the alias lookup (pkg/utils/plugin/plugin.go IsValidPreset @ v0.12.0).
    expect(m.modelId).toBe('microsoft/phi-4-mini-instruct');
  });

  test('localWeights of a Hugging Face id, on an InferenceSet: the annotation reaches the child Workspaces through the template', () => {
    const chart = testChart();
    const m = new KaitoModel(chart, 'qwen', { preset: 'Qwen/Qwen2.5-Coder-7B-Instruct', instanceType: 'Standard_NC24ads_A100_v4', localWeights: true, scalable: {} });
    const set = one(synthValid(chart), 'InferenceSet', 'qwen');
    expect(set.spec.template.metadata.annotations['kaito.sh/use-local-weights']).toBe('true');
    expect(m.localWeightsPath).toBe('/opt/kaito/models/qwen-qwen2.5-coder-7b-instruct');
  });

  test('presetImage and presetImagePullSecrets are refused: KAITO v0.12 never reads them', () => {
    // kaito-project/kaito pkg/workspace/inference/preset_inferences.go:138-150 @ v0.12.0 collects only adapter pull secrets.
    expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', presetImage: 'registry.corp.internal/kaito/phi-4:0.0.3' }))
      .toThrow('test/x: presetImage ("registry.corp.internal/kaito/phi-4:0.0.3") is never read by KAITO v0.12 (kaito-project/kaito '
        + 'pkg/workspace/inference/preset_inferences.go @ v0.12.0 runs its base image and collects only adapter pull secrets), so the pods would still '
        + 'download the weights from Hugging Face: set localWeights');
    expect(() => new KaitoModel(testChart(), 'y', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', presetImagePullSecrets: ['s'] }))
      .toThrow('test/y: presetImagePullSecrets (["s"]) is never read by KAITO v0.12');
  });

  test('localWeights needs vLLM', () => {
    // pkg/model/interface.go @ v0.12.0: only buildVLLMInferenceCommand reads LocalModelWeightsPath.
    expect(() => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', localWeights: true, runtime: KaitoRuntime.TRANSFORMERS }))
      .toThrow('test/x: localWeights (true) needs the vLLM runtime: KAITO passes the local weights path to vLLM only');
  });
});

describe('KaitoModel benchmark switch (KAI-4) and adapters', () => {
  // kaito-project/kaito api/v1beta1/labels.go:69-72 (AnnotationDisableBenchmark), :152-156 ShouldRunBenchmark @ v0.12.0.
  test('disableBenchmark on a Workspace; false on a set keeps the benchmark', () => {
    const chart = testChart();
    new KaitoModel(chart, 'a', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', disableBenchmark: true });
    new KaitoModel(chart, 'b', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', disableBenchmark: false, scalable: {} });
    const manifests = synthValid(chart);
    expect(one(manifests, 'Workspace', 'a').metadata.annotations).toEqual({ 'kaito.sh/disable-benchmark': 'true' });
    const set = one(manifests, 'InferenceSet', 'b');
    expect(set.metadata.annotations).toBeUndefined();
    expect(set.spec.template.metadata).toBeUndefined();
  });

  // kaito-project/kaito api/v1beta1/workspace_types.go AdapterSpec/DataSource (volumeSource),
  // pkg/workspace/inference/preset_inferences.go SetAdapterPuller @ v0.12.0.
  test('adapters from an image and from a PVC', () => {
    const chart = testChart();
    new KaitoModel(chart, 'phi', {
      preset: 'phi-3-mini-4k-instruct',
      instanceType: 'Standard_NC6s_v3',
      adapters: [
        { name: 'pycoder', image: 'registry.corp.internal/adapters/pycoder:1', imagePullSecrets: ['corp'], strength: 0.5 },
        { name: 'sql', claimName: 'adapters' },
      ],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'Workspace', 'phi').inference.adapters).toEqual([
      { source: { name: 'pycoder', image: 'registry.corp.internal/adapters/pycoder:1', imagePullSecrets: ['corp'] }, strength: '0.5' },
      { source: { name: 'sql', volumeSource: { persistentVolumeClaim: { claimName: 'adapters', readOnly: true } } } },
    ]);
  });

  test('adapters in an InferenceSet template', () => {
    const chart = testChart();
    new KaitoModel(chart, 'phi', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', scalable: {}, adapters: [{ name: 'a', claimName: 'c' }] });
    expect(one(synthValid(chart), 'InferenceSet', 'phi').spec.template.inference.adapters).toHaveLength(1);
  });

  test('bad adapters', () => {
    const m = (adapters: any[]) => () => new KaitoModel(testChart(), 'x', { preset: 'phi-4', instanceType: 'Standard_NC6s_v3', adapters });
    expect(m([{ name: 'A', claimName: 'c' }])).toThrow('test/x: adapters[0].name ("A") must be a DNS-1123 subdomain');
    expect(m([{ name: 'a' }])).toThrow('test/x: adapters[0] ({}) must set exactly one of image and claimName');
    expect(m([{ name: 'a', image: 'r/a:1', claimName: 'c' }])).toThrow('adapters[0] ({"image":"r/a:1","claimName":"c"}) must set exactly one of image and claimName');
    expect(m([{ name: 'a', image: 'registry.corp.internal/a' }])).toThrow('test/x: adapters[0].image ("registry.corp.internal/a") has no tag or digest');
    expect(m([{ name: 'a', claimName: 'c', imagePullSecrets: ['s'] }])).toThrow('test/x: adapters[0].imagePullSecrets (["s"]) needs image');
    expect(m([{ name: 'a', claimName: 'C_1' }])).toThrow('test/x: adapters[0].claimName ("C_1") must be a PersistentVolumeClaim name');
    expect(m([{ name: 'a', claimName: 'c', strength: 1.5 }])).toThrow('test/x: adapters[0].strength (1.5) must be between 0 and 1');
    expect(m([{ name: 'a', claimName: 'c' }, { name: 'a', claimName: 'd' }])).toThrow('test/x: adapters[1].name ("a") must be unique');
  });
});
