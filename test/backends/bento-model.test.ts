import { AsyncModel, EnvValue, Transport } from '../../src';
import { BentoModel } from '../../src/backends/bento-model';
import { ModelProtocol } from '../../src/backends/model-backend';
import { ofKind, one, synthValid, testChart } from '../util';

const RES = { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } };

describe('BentoModel', () => {
  test('CPU summarizer with defaults', () => {
    const chart = testChart('ml');
    const m = new BentoModel(chart, 'summarizer', { bento: 'summarizer-v1', apiMethod: 'summarize', resources: RES });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const bd = one(manifests, 'BentoDeployment', 'summarizer');
    expect(bd.apiVersion).toBe('serving.yatai.ai/v2alpha1');
    expect(bd.spec).toEqual({
      bento: 'summarizer-v1',
      autoscaling: { minReplicas: 1, maxReplicas: 1 },
      resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    });
    expect(m.modelName).toBe('summarizer');
    expect(m.endpoint).toBe('http://summarizer.ml.svc.cluster.local:3000');
    expect(m.requestPath).toBe('/summarize');
    expect(m.protocol).toBe(ModelProtocol.HTTP_JSON);
    expect(m.requestHeaders).toEqual({});
    expect(m.podSelector).toEqual({ 'yatai.ai/bento-deployment': 'summarizer', 'yatai.ai/bento-deployment-component-type': 'api-server' });
    expect(m.podPort).toBe(3000);
    expect(m.metrics).toEqual({ portName: 'http', path: '/metrics' });
    expect(m.scaleTarget).toBeUndefined();
    expect(m.noScaleTargetReason).toBe('yatai-deployment always creates its own HPA "summarizer" on Deployment summarizer, and KEDA\'s webhook '
      + 'refuses a ScaledObject on a target that already has an HPA: size the model with BentoModel autoscaling instead.');
  });

  test('GPU model with envs (plain and secret) and autoscaling', () => {
    const chart = testChart();
    new BentoModel(chart, 'x', {
      name: 'whisper',
      bento: 'whisper.large',
      apiMethod: 'transcribe',
      resources: { cpu: { request: '1', limit: '4' }, memory: { limit: '8Gi' }, gpu: { count: 1 } },
      env: { LOG_LEVEL: EnvValue.fromValue('info'), HF_TOKEN: EnvValue.fromSecret('hf', 'token') },
      autoscaling: { minReplicas: 2, maxReplicas: 5 },
      labels: { team: 'speech' },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const bd = one(manifests, 'BentoDeployment', 'whisper');
    // The unset memory request is rendered equal to its limit: yatai-deployment would fill in 500Mi.
    expect(bd.spec.resources).toEqual({ limits: { cpu: '4', memory: '8Gi', gpu: '1' }, requests: { cpu: '1', memory: '8Gi', gpu: '1' } });
    expect(bd.spec.envs).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
    ]);
    expect(bd.spec.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 5 });
    expect(bd.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-asya', 'team': 'speech' });
  });

  test('bound with AsyncModel: no ScaledObject; modelScaling refused with the HPA reason', () => {
    const chart = testChart('ml');
    const backend = new BentoModel(chart, 'summarizer', { bento: 'summarizer-v1', apiMethod: 'summarize', resources: RES });
    new AsyncModel(chart, 'x', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    expect(ofKind(manifests, 'ScaledObject').filter((o) => o.spec.scaleTargetRef?.name === 'summarizer')).toEqual([]);
    expect(ofKind(manifests, 'ScaledObject', 'x-model')).toEqual([]);
    const ingress = one(manifests, 'NetworkPolicy', 'x-model-ingress');
    expect(ingress.spec.podSelector.matchLabels).toEqual(backend.podSelector);
    expect(ingress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);

    const chart2 = testChart('ml');
    const backend2 = new BentoModel(chart2, 'summarizer', { bento: 'summarizer-v1', apiMethod: 'summarize', resources: RES });
    expect(() => new AsyncModel(chart2, 'x', { backend: backend2, transport: Transport.rabbitmq(), modelScaling: { enabled: true } }))
      .toThrow('test/x: modelScaling.enabled (true) cannot be used with test/summarizer: yatai-deployment always creates its own HPA "summarizer" '
        + 'on Deployment summarizer, and KEDA\'s webhook refuses a ScaledObject on a target that already has an HPA: size the model with BentoModel autoscaling instead.');
  });

  describe('errors', () => {
    test('bad bento name', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'Summarizer:v1', apiMethod: 'summarize', resources: RES }))
        .toThrow('test/x: bento ("Summarizer:v1") must be the name of a Bento resource in the same namespace (a DNS-1123 subdomain)');
    });
    test('apiMethod with a leading slash', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: '/summarize', resources: RES }))
        .toThrow('test/x: apiMethod ("/summarize") must be a BentoML API name such as summarize (without a leading slash)');
    });
    // yatai-deployment fills a missing limit with 500m / 1Gi key by key (getResourcesConfig @ v1.1.21).
    test('requests without limits: refused like every model server\'s', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { request: '1' }, memory: { request: '2Gi' } } }))
        .toThrow('test/x: resources ({"cpu":{"request":"1"},"memory":{"request":"2Gi"}}) must set cpu.limit and memory.limit of container "main" '
          + '(policy ASYA-RES-001: a container without limits can starve its node\'s neighbours; requests default to the limits), or allowNoLimits: true to opt out explicitly');
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { limit: '1' } } }))
        .toThrow('test/x: resources ({"cpu":{"limit":"1"}}) must set cpu.limit and memory.limit of container "main"');
    });

    test('allowNoLimits: a request above yatai-deployment\'s default limit is refused, one within it is rendered', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { request: '1' }, memory: { limit: '2Gi' }, allowNoLimits: true } }))
        .toThrow('test/x: resources.cpu.request ("1") must not exceed 500m without a cpu limit: yatai-deployment then sets the limit to 500m');
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { limit: '1' }, memory: { request: '2Gi' }, allowNoLimits: true } }))
        .toThrow('test/x: resources.memory.request ("2Gi") must not exceed 1Gi without a memory limit: yatai-deployment then sets the limit to 1Gi');
      const chart = testChart();
      new BentoModel(chart, 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { request: '250m' }, memory: { request: '512Mi' }, allowNoLimits: true } });
      expect(one(synthValid(chart), 'BentoDeployment', 'x').spec.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' } });
    });

    test('a limit without a request: the request is rendered equal to the limit (yatai-deployment would fill in 300m / 500Mi)', () => {
      const chart = testChart();
      new BentoModel(chart, 'x', { bento: 'b', apiMethod: 'summarize', resources: { cpu: { limit: '200m' }, memory: { limit: '256Mi' } } });
      expect(one(synthValid(chart), 'BentoDeployment', 'x').spec.resources)
        .toEqual({ limits: { cpu: '200m', memory: '256Mi' }, requests: { cpu: '200m', memory: '256Mi' } });
    });

    test('no resources', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize' } as any))
        .toThrow('test/x: resources (unset) must be set: model servers get no default resources');
    });
    test('ephemeral storage', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { ephemeralStorage: { request: '1Gi' } } }))
        .toThrow('test/x: resources.ephemeralStorage ({"request":"1Gi"}) is not supported: a BentoDeployment\'s resources have cpu, memory and gpu only');
    });
    test('non-NVIDIA GPU', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { gpu: { count: 1, resourceName: 'amd.com/gpu' } } }))
        .toThrow('test/x: resources.gpu.resourceName ("amd.com/gpu") must be nvidia.com/gpu: a BentoDeployment\'s resources.gpu field requests NVIDIA GPUs only');
    });
    test('bad quantity', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: { memory: { limit: '2GB' } } }))
        .toThrow('test/x: resources.memory.limit ("2GB") is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)');
    });
    test('bad env name', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: RES, env: { 'A B': EnvValue.fromValue('1') } }))
        .toThrow('test/x: env ("A B") is not a valid environment variable name');
    });
    test('minReplicas of 0', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: RES, autoscaling: { minReplicas: 0 } }))
        .toThrow('test/x: autoscaling.minReplicas (0) must be a whole number of at least 1 (an HPA cannot scale to zero)');
    });
    test('min above max', () => {
      expect(() => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'summarize', resources: RES, autoscaling: { minReplicas: 3, maxReplicas: 2 } }))
        .toThrow('test/x: autoscaling.minReplicas (3) must not exceed autoscaling.maxReplicas (2)');
    });
  });
});

// BEN-1: yatai-deployment copies extraPodSpec's nodeSelector, tolerations and serviceAccountName into the
// API server pod (bentoml/yatai-deployment controllers/bentodeployment_controller.go:2501-2521 @ v1.1.21).
describe('BentoModel extraPodSpec (BEN-1)', () => {
  const GPU_RES = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' }, gpu: { count: 1 } };
  test('a GPU Bento on a tainted pool', () => {
    const chart = testChart();
    new BentoModel(chart, 'llm', {
      bento: 'llm-bento',
      apiMethod: 'generate',
      resources: GPU_RES,
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'bento-runner',
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'BentoDeployment', 'llm').spec.extraPodSpec).toEqual({
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'bento-runner',
    });
  });

  test('bad pod options', () => {
    const mk = (extra: any) => () => new BentoModel(testChart(), 'x', { bento: 'b', apiMethod: 'm', resources: GPU_RES, ...extra });
    expect(mk({ tolerations: [{ operator: 'In' }] })).toThrow('test/x: tolerations[0].operator ("In") must be Equal or Exists');
    expect(mk({ tolerations: [{ effect: 'Soon' }] })).toThrow('test/x: tolerations[0].effect ("Soon") must be one of NoSchedule, PreferNoSchedule, NoExecute');
    expect(mk({ tolerations: [{ operator: 'Exists', value: 'x' }] })).toThrow('test/x: tolerations[0].value ("x") must be empty when operator is Exists');
    expect(mk({ serviceAccountName: 'Bad_SA' })).toThrow('test/x: serviceAccountName ("Bad_SA") must be a ServiceAccount name (DNS-1123 subdomain)');
    expect(mk({ nodeSelector: { 'bad key!': 'v' } })).toThrow('test/x: nodeSelector');
  });
});
