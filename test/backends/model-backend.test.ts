import { Construct } from 'constructs';
import { ModelBackend, ModelBackendOptions, ModelProtocol, ModelServing } from '../../src/backends/model-backend';
import { testChart } from '../util';

/** A backend that declares what its test gives it. */
class Declared extends ModelBackend {
  constructor(scope: Construct, id: string, options: ModelBackendOptions, serving?: Partial<ModelServing>, twice = false) {
    super(scope, id, options);
    if (serving === undefined) return;
    const facts: ModelServing = {
      modelName: 'm',
      endpoint: this.serviceUrl(this.name, 8000),
      requestPath: '/x',
      protocol: ModelProtocol.HTTP_JSON,
      podSelector: { app: this.name },
      podPort: 8000,
      scaleTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, supportsScaleToZero: true },
      ...serving,
    };
    this.serve(facts);
    if (twice) this.serve(facts);
  }
}

describe('ModelBackend', () => {
  test('owns name, namespace and the serving facts', () => {
    const b = new Declared(testChart('ml'), 'toy', {}, { requestHeaders: { 'X-A': '1' } });
    expect(b.name).toBe('toy');
    expect(b.namespace).toBe('ml');
    expect(b.endpoint).toBe('http://toy.ml.svc.cluster.local:8000');
    expect(b.podSelector).toEqual({ app: 'toy' });
    expect(b.requestHeaders).toEqual({ 'X-A': '1' });
    expect(b.scaleTarget?.kind).toBe('Deployment');
    expect(b.noScaleTargetReason).toBeUndefined();
    expect(b.metrics).toBeUndefined();
  });

  test('one naming rule for every backend: a DNS-1035 label (a Service name)', () => {
    expect(() => new Declared(testChart(), '9triton', {}, {})).toThrow(
      'test/9triton: name (from the construct id) ("9triton") must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)');
    expect(() => new Declared(testChart(), 'x', { name: 'Big' }, {})).toThrow('test/x: name ("Big") must be a DNS-1035 label');
    expect(() => new Declared(testChart(), 'x', { name: 'a'.repeat(54), maxNameLength: 53, nameLengthReason: 'it gets a suffix' }, {}))
      .toThrow(`test/x: name ("${'a'.repeat(54)}") must be at most 53 characters (it gets a suffix), it has 54`);
    expect(() => new Declared(testChart(), 'a'.repeat(64), {}, {})).toThrow('must be at most 63 characters (it names the Service), it has 64');
  });

  test('exactly one of scaleTarget and noScaleTargetReason', () => {
    expect(() => new Declared(testChart(), 'x', {}, { noScaleTargetReason: 'no' })).toThrow(
      'test/x: scaleTarget ({"apiVersion":"apps/v1","kind":"Deployment","name":"x","supportsScaleToZero":true}) or noScaleTargetReason must be set, exactly one of them');
    expect(() => new Declared(testChart(), 'x', {}, { scaleTarget: undefined })).toThrow(
      'test/x: scaleTarget (unset) or noScaleTargetReason must be set, exactly one of them');
  });

  test('serving facts are declared once, and before they are read', () => {
    expect(() => new Declared(testChart(), 'x', {}, {}, true)).toThrow('test/x: serve() was already called');
    const b = new Declared(testChart(), 'x', {});
    expect(() => b.endpoint).toThrow('test/x: the backend has not declared how it is served yet');
  });
});
