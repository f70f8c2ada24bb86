/**
 * AsyncModel checks its backend by its members, not by `instanceof` (issue 17): a backend may be one of the
 * library's, a user's own construct implementing IModelBackend (TypeScript, or Python through jsii), or a wrong
 * value from an untyped caller. Each wrong member fails with the library's PropError naming `backend.<member>`.
 */
import { Construct } from 'constructs';
import {
  AsyncModel, IModelBackend, ModelProtocol, ModelSource, OpenAIModel, TrafficPort, Transport,
} from '../../src';
import { PropError } from '../../src/core/errors';
import { one, synthValid, testChart } from '../util';

const transport = Transport.rabbitmq();
const CPU = { cpu: { request: '500m', limit: '1' }, memory: { request: '512Mi', limit: '1Gi' } };

/** A user's own backend: a plain construct implementing IModelBackend (an external service reached over HTTP). */
class ExternalModel extends Construct implements IModelBackend {
  public readonly protocol = ModelProtocol.OPENAI_CHAT;
  public readonly namespace = 'ai';
  public readonly podSelector = { 'app.kubernetes.io/name': 'external-llm' };
  public readonly modelName = 'llama';
  public readonly endpoint = 'http://external-llm.ai.svc.cluster.local:8000';
  public readonly requestPath = '/v1/chat/completions';
  public readonly podPort = 8000;
  public readonly requestHeaders = {};
  public readonly noScaleTargetReason = 'the model is run by another team';
  constructor(scope: Construct, id: string, overrides: Record<string, unknown> = {}) {
    super(scope, id);
    Object.assign(this, overrides);
  }
}

describe('AsyncModel backend contract', () => {
  test('a user construct implementing IModelBackend binds like a library backend', () => {
    const chart = testChart('ai');
    const model = new AsyncModel(chart, 'ask', { backend: new ExternalModel(chart, 'ext'), transport, bridgeResources: CPU });
    const objects = synthValid(chart);
    const actor = one(objects, 'AsyncActor', 'ask');
    const env = actor.spec.workload.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BRIDGE_URL', value: 'http://external-llm.ai.svc.cluster.local:8000/v1/chat/completions' });
    expect(model.backend.modelName).toBe('llama');
  });

  test.each([
    ['a plain object with an endpoint', () => ({ endpoint: 'http://x:1' }), 'backend', 'must be a model backend construct'],
    ['a string', () => 'http://x:1', 'backend', 'must be a model backend construct'],
    ['null', () => null, 'backend', 'must be a model backend construct'],
  ])('%s is refused with a PropError', (_name, value, field, rule) => {
    const chart = testChart('ai');
    expect(() => new AsyncModel(chart, 'ask', { backend: value() as any, transport })).toThrow(PropError);
    expect(() => new AsyncModel(chart, 'ask2', { backend: value() as any, transport })).toThrow(`test/ask2: ${field} (`);
    expect(() => new AsyncModel(chart, 'ask3', { backend: value() as any, transport })).toThrow(rule);
  });

  test.each([
    ['protocol', 'openai-chat', 'backend.protocol ("openai-chat") must be a ModelProtocol'],
    ['namespace', 'AI', 'backend.namespace ("AI") must be a namespace name'],
    ['podSelector', {}, 'backend.podSelector ({}) must be a non-empty map of labels'],
    ['modelName', 3, 'backend.modelName (3) must be the model name requests carry'],
    ['endpoint', 'external-llm:8000', 'backend.endpoint ("external-llm:8000") must be the base URL'],
    ['endpoint', 'http://external-llm:8000/', 'backend.endpoint ("http://external-llm:8000/") must be the base URL'],
    ['requestPath', 'v1/chat', 'backend.requestPath ("v1/chat") must be an HTTP path starting with "/"'],
    ['podPort', 70000, 'backend.podPort (70000) must be between 1 and 65535'],
    ['podPort', '8000', 'backend.podPort ("8000") must be a whole number'],
    ['requestHeaders', { 'X-Model': 1 }, 'backend.requestHeaders ({"X-Model":1}) must be a map of header names to string values'],
    ['noScaleTargetReason', undefined, 'backend.scaleTarget (unset) must be set exactly when noScaleTargetReason is not'],
    ['metrics', { portName: '' }, 'backend.metrics.portName ("") must name the container port'],
    ['traffic', { ingress: 'all', metricsPorts: [] }, 'backend.traffic.ingress ("all") must be a list'],
    ['traffic', { ingress: [], metricsPorts: [9090] }, 'backend.traffic.metricsPorts ([9090]) must be a list of TrafficPort'],
    ['traffic', { ingress: [], metricsPorts: [TrafficPort.tcp(9090)], ipBlock: '10.0.0.0' }, 'backend.traffic.ipBlock ("10.0.0.0") must be a CIDR block'],
  ])('backend.%s = %j: PropError naming the member', (member, value, message) => {
    const chart = testChart('ai');
    const backend = new ExternalModel(chart, 'ext', { [member]: value });
    expect(() => new AsyncModel(chart, 'ask', { backend, transport, bridgeResources: CPU })).toThrow(`test/ask: ${message}`);
  });

  test('a scale target must be well formed', () => {
    const chart = testChart('ai');
    const backend = new ExternalModel(chart, 'ext', { noScaleTargetReason: undefined, scaleTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'Llm' } });
    expect(() => new AsyncModel(chart, 'ask', { backend, transport })).toThrow('backend.scaleTarget ({"apiVersion":"apps/v1","kind":"Deployment","name":"Llm"}) must be a ScaleTarget');
  });

  test('library backends pass the contract', () => {
    const chart = testChart('ai');
    const llm = new OpenAIModel(chart, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: CPU });
    expect(() => new AsyncModel(chart, 'ask', { backend: llm, transport, bridgeResources: CPU })).not.toThrow();
  });
});
