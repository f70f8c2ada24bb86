import { Construct } from 'constructs';
import {
  AsyncModel, EnvValue, IModelBackend, KaitoModel, KServeAutoscalerClass, KServeModel, ModelSource, OpenAIModel, RayServeModel,
  TritonModel, TritonModelRepository, Transport,
} from '../../src';
import { one, synthValid, testChart } from '../util';

const CPU = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };
const GPU = { ...CPU, gpu: { count: 1 } };

function ray(scope: Construct): IModelBackend {
  return new RayServeModel(scope, 'ray-llm', {
    image: 'rayproject/ray-llm:2.46.0-py311-cu124',
    applications: [{ name: 'app', importPath: 'serve_app:app' }],
    head: { resources: CPU },
  });
}

/** Every real backend bound into the mesh: the scale target (or the refusal) comes from the backend. */
describe('AsyncModel over every backend', () => {
  test.each<[string, (s: Construct) => IModelBackend, any]>([
    ['KServe with autoscalerClass external', (s) => new KServeModel(s, 'embedder', {
      modelFormat: { name: 'huggingface' }, storageUri: 'hf://BAAI/bge-small-en-v1.5', resources: CPU, autoscalerClass: KServeAutoscalerClass.EXTERNAL, minReplicas: 0,
    }), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'embedder-predictor' }],
    ['KAITO InferenceSet', (s) => new KaitoModel(s, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', scalable: {} }),
      { apiVersion: 'kaito.sh/v1beta1', kind: 'InferenceSet', name: 'llm' }],
    ['vLLM', (s) => new OpenAIModel(s, 'vllm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: GPU, huggingFaceToken: EnvValue.fromSecret('hf', 'token') }),
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'vllm' }],
    ['Triton', (s) => new TritonModel(s, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: GPU }),
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'triton' }],
  ])('%s: KEDA scales the model on the bridge queue', (_t, make, target) => {
    const chart = testChart('ai');
    const backend = make(chart);
    new AsyncModel(chart, 'bridge', { backend, transport: Transport.rabbitmq({ managementUrl: 'http://rabbitmq.default.svc.cluster.local:15672' }) });
    const manifests = synthValid(chart);
    const so = one(manifests, 'ScaledObject', `${target.name}-scaler`);
    expect(so.spec.scaleTargetRef).toEqual(target);
    expect(so.spec.triggers[0].metadata.queueName).toBe('asya-bridge');
    // GIT-5: where the target is synthesized, KEDA's HPA owns its replicas: not written (Deployment,
    // InferenceSet `specReplicasPath: .spec.replicas`, kaito-project/kaito kaito.sh_inferencesets.yaml @ v0.12.0).
    // KServe's predictor Deployment is KServe's, which leaves its replicas alone for autoscalerClass
    // external (kserve/kserve pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go:476-481 @ v0.20.0).
    const synthesized = manifests.filter((m) => m.kind === target.kind && m.metadata.name === target.name);
    for (const m of synthesized) expect(m.spec.replicas).toBeUndefined();
    expect(synthesized.length).toBe(target.kind === 'Deployment' && target.name.endsWith('-predictor') ? 0 : 1);
    expect(one(manifests, 'NetworkPolicy', 'bridge-model-ingress').spec.podSelector.matchLabels).toEqual(backend.podSelector);
  });

  // SCL-4: the backend's own replica range is the scaler's default and bound.
  test('KServe min/maxReplicas and KAITO scalable.replicas bound the model\'s ScaledObject', () => {
    const t = Transport.rabbitmq({ managementUrl: 'http://rabbitmq.default.svc.cluster.local:15672' });
    const chart = testChart('ai');
    const kserve = new KServeModel(chart, 'embedder', {
      modelFormat: { name: 'huggingface' },
      storageUri: 'hf://BAAI/bge-small-en-v1.5',
      resources: CPU,
      autoscalerClass: KServeAutoscalerClass.EXTERNAL,
      minReplicas: 1,
      maxReplicas: 3,
    });
    const kaito = new KaitoModel(chart, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', scalable: { replicas: 2 } });
    new AsyncModel(chart, 'embed', { backend: kserve, transport: t });
    new AsyncModel(chart, 'ask', { backend: kaito, transport: t });
    const manifests = synthValid(chart);
    expect(one(manifests, 'ScaledObject', 'embedder-predictor-scaler').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 3 });
    expect(one(manifests, 'ScaledObject', 'llm-scaler').spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 2 });
    expect(one(manifests, 'InferenceSet', 'llm').spec.replicas).toBeUndefined();
    const chart2 = testChart('ai');
    const small = new KServeModel(chart2, 'embedder', {
      modelFormat: { name: 'huggingface' }, storageUri: 'hf://BAAI/bge-small-en-v1.5', resources: CPU, autoscalerClass: KServeAutoscalerClass.EXTERNAL, maxReplicas: 2,
    });
    expect(() => new AsyncModel(chart2, 'embed', { backend: small, transport: t, modelScaling: { maxReplicas: 4 } })).toThrow(
      'test/embed: modelScaling.maxReplicas (4) must not exceed the backend\'s own maximum (2 for Deployment embedder-predictor): set them alike');
  });

  test('KubeRay: bound without KEDA by default; asking for it names the reason', () => {
    const chart = testChart('ai');
    const backend = ray(chart);
    new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq() });
    expect(synthValid(chart).filter((m) => m.kind === 'ScaledObject')).toEqual([]);
    const chart2 = testChart('ai');
    expect(() => new AsyncModel(chart2, 'ask', { backend: ray(chart2), transport: Transport.rabbitmq(), modelScaling: { enabled: true } }))
      .toThrow(/test\/ask: modelScaling\.enabled \(true\) cannot be used with test\/ray-llm: .*Ray/);
  });

  test('KServe with the default HPA class: asking for KEDA names the fix (autoscalerClass external)', () => {
    const chart = testChart('ai');
    const backend = new KServeModel(chart, 'iris', { modelFormat: { name: 'sklearn' }, storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model', resources: CPU });
    expect(() => new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq(), modelScaling: { enabled: true } }))
      .toThrow(/modelScaling\.enabled \(true\) cannot be used with test\/iris: .*EXTERNAL/);
  });

  test('a plain KAITO Workspace: asking for KEDA names the fix (scalable)', () => {
    const chart = testChart('ai');
    const backend = new KaitoModel(chart, 'phi', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4' });
    expect(() => new AsyncModel(chart, 'ask', { backend, transport: Transport.rabbitmq(), modelScaling: { enabled: true } }))
      .toThrow(/modelScaling\.enabled \(true\) cannot be used with test\/phi: .*InferenceSet/);
  });
});
