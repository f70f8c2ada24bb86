import { AsyncModel, Transport } from '../../src';
import { ModelProtocol } from '../../src/backends/model-backend';
import { SeldonModel } from '../../src/backends/seldon-model';
import { ofKind, one, synthValid, testChart } from '../util';

const IRIS = 'gs://seldon-models/scv2/samples/mlserver_1.3.5/iris-sklearn';

describe('SeldonModel', () => {
  test('sklearn model on a named Server, externally scaled (default)', () => {
    const chart = testChart('ml');
    const m = new SeldonModel(chart, 'iris', { storageUri: IRIS, requirements: ['sklearn'], server: 'mlserver', memory: '100Ki' });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const model = one(manifests, 'Model', 'iris');
    expect(model.apiVersion).toBe('mlops.seldon.io/v1alpha1');
    expect(model.metadata.namespace).toBe('ml');
    expect(model.spec).toEqual({ storageUri: IRIS, requirements: ['sklearn'], server: 'mlserver', replicas: 1, memory: '100Ki' });
    expect(m.modelName).toBe('iris');
    expect(m.endpoint).toBe('http://seldon-mesh.ml.svc.cluster.local:80');
    expect(m.requestPath).toBe('/v2/models/iris/infer');
    expect(m.protocol).toBe(ModelProtocol.OPEN_INFERENCE);
    expect(m.requestHeaders).toEqual({ 'Seldon-Model': 'iris' });
    expect(m.namespace).toBe('ml');
    expect(m.podSelector).toEqual({ 'app.kubernetes.io/name': 'seldon-envoy' });
    expect(m.podPort).toBe(9000);
    expect(m.serverPodSelector).toEqual({ 'seldon-server-name': 'mlserver' });
    expect(m.scaleTarget).toEqual({ apiVersion: 'mlops.seldon.io/v1alpha1', kind: 'Model', name: 'iris', supportsScaleToZero: false });
    expect(m.noScaleTargetReason).toBeUndefined();
    expect(m.metrics).toBeUndefined();
  });

  test('Hugging Face model placed by requirements, with a name, labels and an explicit mesh namespace', () => {
    const chart = testChart('seldon');
    const m = new SeldonModel(chart, 'sentiment', {
      name: 'sentiment-v2',
      storageUri: 's3://models/sentiment',
      requirements: ['huggingface'],
      replicas: 2,
      seldonMeshNamespace: 'seldon',
      labels: { team: 'nlp' },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const model = one(manifests, 'Model', 'sentiment-v2');
    expect(model.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-asya', 'team': 'nlp' });
    expect(model.spec).toEqual({ storageUri: 's3://models/sentiment', requirements: ['huggingface'], replicas: 2 });
    expect(m.server).toBeUndefined();
    expect(m.serverPodSelector).toBeUndefined();
    expect(m.requestHeaders).toEqual({ 'Seldon-Model': 'sentiment-v2' });
    expect(m.endpoint).toBe('http://seldon-mesh.seldon.svc.cluster.local:80');
  });

  test('Seldon native scaling: min/max emitted, no scale target', () => {
    const chart = testChart();
    const m = new SeldonModel(chart, 'iris', {
      storageUri: 'https://example.com/models/iris', server: 'mlserver', externalScaling: false, replicas: 2, minReplicas: 1, maxReplicas: 4,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'Model', 'iris').spec).toEqual({
      storageUri: 'https://example.com/models/iris', server: 'mlserver', replicas: 2, minReplicas: 1, maxReplicas: 4,
    });
    expect(m.scaleTarget).toBeUndefined();
    expect(m.noScaleTargetReason).toMatch(/Model iris uses Seldon's own lag-based scaling \(externalScaling is false\)/);
  });

  test('bound with AsyncModel: a ScaledObject on kind Model, NetworkPolicies to the mesh pods', () => {
    const chart = testChart('ml');
    const backend = new SeldonModel(chart, 'iris', { storageUri: IRIS, requirements: ['sklearn'], server: 'mlserver' });
    new AsyncModel(chart, 'x', { backend, transport: Transport.rabbitmq() });
    const manifests = synthValid(chart);
    const so = one(manifests, 'ScaledObject', 'iris-scaler'); // one ScaledObject per scale target (src/binding/model-scaler.ts)
    expect(so.metadata.namespace).toBe('ml');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'mlops.seldon.io/v1alpha1', kind: 'Model', name: 'iris' });
    expect(so.spec.minReplicaCount).toBe(1);
    const ingress = one(manifests, 'NetworkPolicy', 'x-model-ingress');
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'seldon-envoy' } });
    expect(ingress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    const cm = ofKind(manifests, 'Deployment').concat(ofKind(manifests, 'AsyncActor'));
    expect(JSON.stringify(cm)).toContain('"Seldon-Model');
  });

  describe('errors', () => {
    test('missing storageUri scheme', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: 'models/iris' }))
        .toThrow('test/x: storageUri ("models/iris") must be a URI with an rclone remote scheme such as gs://, s3://, azureblob:// or https://');
    });
    test('minReplicas with external scaling', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, minReplicas: 1 }))
        .toThrow('test/x: minReplicas (1) must be unset with externalScaling (the default): Seldon requires Model min/max unset when an external '
          + 'autoscaler drives the Model; set the replica range on the binding (modelScaling), or set externalScaling to false for Seldon\'s own scaling');
    });
    test('maxReplicas with external scaling', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, externalScaling: true, maxReplicas: 3 }))
        .toThrow(/^test\/x: maxReplicas \(3\) must be unset with externalScaling \(the default\)/);
    });
    test('min above max with native scaling', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, externalScaling: false, minReplicas: 3, maxReplicas: 2 }))
        .toThrow('test/x: minReplicas (3) must not exceed maxReplicas (2)');
    });
    test('replicas outside the native range', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, externalScaling: false, replicas: 5, maxReplicas: 2 }))
        .toThrow('test/x: replicas (5) must not exceed maxReplicas (2)');
    });
    test('negative replicas', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, replicas: -1 }))
        .toThrow('test/x: replicas (-1) must be a whole number of at least 0');
    });
    test('bad memory', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, memory: '1GB' }))
        .toThrow('test/x: memory ("1GB") is not a Kubernetes quantity (e.g. 500Mi, 2Gi)');
    });
    test('bad requirement', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, requirements: ['sk learn'] }))
        .toThrow('test/x: requirements[0] ("sk learn") must be a capability name such as sklearn or huggingface');
    });
    test('bad server name', () => {
      expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, server: 'ML_Server' }))
        .toThrow(/^test\/x: server \("ML_Server"\) must be a DNS-1123 label/);
    });
    test('mesh in another namespace', () => {
      expect(() => new SeldonModel(testChart('ml'), 'x', { storageUri: IRIS, seldonMeshNamespace: 'seldon-mesh' }))
        .toThrow('test/x: seldonMeshNamespace ("seldon-mesh") must be the Model\'s namespace (ml): the binding\'s NetworkPolicies reach the mesh pods '
          + 'in the backend\'s namespace, and Models are served by the SeldonRuntime of their own namespace');
    });
    test('binding with scaling on native scaling', () => {
      const chart = testChart();
      const backend = new SeldonModel(chart, 'iris', { storageUri: IRIS, externalScaling: false });
      expect(() => new AsyncModel(chart, 'x', { backend, transport: Transport.rabbitmq(), modelScaling: { enabled: true } }))
        .toThrow(/^test\/x: modelScaling.enabled \(true\) cannot be used with test\/iris: Model iris uses Seldon's own lag-based scaling/);
    });
  });
});

// SEL-2: one model replica per Server replica; beyond, replicas are ScheduleFailed
// (SeldonIO/seldon-core docs-gb/scaling/model-hpa-autoscaling.md:59 @ v2.10.2).
describe('SeldonModel serverReplicas (SEL-2)', () => {
  test('bounds the scaler by the Server replicas', () => {
    const m = new SeldonModel(testChart(), 'iris', { storageUri: IRIS, server: 'mlserver', serverReplicas: 3 });
    expect(m.scaleTarget).toEqual({ apiVersion: 'mlops.seldon.io/v1alpha1', kind: 'Model', name: 'iris', supportsScaleToZero: false, maxReplicas: 3 });
  });
  test('refuses more model replicas than Server replicas, a bad count, and native scaling', () => {
    expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, serverReplicas: 1, replicas: 2 }))
      .toThrow('test/x: replicas (2) must not exceed serverReplicas (1): Seldon loads at most one replica of a model per Server replica');
    expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, serverReplicas: 0 }))
      .toThrow('test/x: serverReplicas (0) must be a whole number of at least 1');
    expect(() => new SeldonModel(testChart(), 'x', { storageUri: IRIS, serverReplicas: 2, externalScaling: false }))
      .toThrow('test/x: serverReplicas (2) is only used with externalScaling (it bounds the external scaler)');
  });
});
