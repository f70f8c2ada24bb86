import { App, Chart, Testing } from 'cdk8s';
import { AsyncModel, ModelSource, OpenAIModel, Transport } from '../../src';
import { PropError } from '../../src/core/errors';

// Issue 17 item 1 (one boundary): AsyncModel's props and the app-wide checks of backends.
const transport = Transport.rabbitmq({ managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672' } as any);

function llm(c: Chart, id: string = 'llm', name?: string, model: string = 'Qwen/Qwen2.5-0.5B-Instruct'): OpenAIModel {
  return new OpenAIModel(c, id, {
    name,
    model: ModelSource.huggingFace(model),
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '8Gi' } },
  });
}

function chart(app: App = Testing.app(), id: string = 'test', namespace: string = 'ai'): Chart {
  return new Chart(app, id, { namespace });
}

function propError(build: () => unknown): PropError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return e as PropError;
  }
  throw new Error('no error');
}

describe('backends register the app-wide checks (issue 17 item 2, without a pipeline or actor)', () => {
  test('two OpenAIModels named llm in one namespace are refused at synth', () => {
    const app = Testing.app();
    llm(chart(app, 'a'), 'llm');
    llm(chart(app, 'b'), 'other', 'llm', 'Qwen/Qwen2.5-1.5B-Instruct');
    expect(() => app.synth()).toThrow(/a\/llm\/\S+, b\/other\/\S+: Deployment ai\/llm is defined 2 times with different content/);
  });

  test('the same name in two namespaces is fine', () => {
    const app = Testing.app();
    llm(chart(app, 'a', 'ai'));
    llm(chart(app, 'b', 'other'));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('AsyncModel props', () => {
  const build = (props: any) => {
    const c = chart();
    const backend = llm(c);
    return () => new AsyncModel(c, 'model', { backend, transport, ...props });
  };

  test('a plain object as transport is the library error, not a TypeError', () => {
    expect(propError(build({ transport: {} })).message)
      .toBe('test/model: transport ({}) must be Transport.rabbitmq() or Transport.sqs({...})');
  });

  test('a missing transport', () => {
    expect(propError(build({ transport: undefined })).message)
      .toBe('test/model: transport (unset) must be Transport.rabbitmq() or Transport.sqs({...})');
  });

  test.each([
    ['pollingInterval', 1.5, 'modelScaling.pollingInterval (1.5) must be a whole number'],
    ['pollingInterval', '10', 'modelScaling.pollingInterval ("10") must be a whole number'],
    ['pollingInterval', 0, 'modelScaling.pollingInterval (0) must be between 1 and 2147483647'],
    ['cooldownPeriod', 2147483648, 'modelScaling.cooldownPeriod (2147483648) must be between 1 and 2147483647'],
    ['cooldownPeriod', -1, 'modelScaling.cooldownPeriod (-1) must be between 1 and 2147483647'],
    ['maxReplicas', 4294967296, 'modelScaling.maxReplicas (4294967296) must be between 1 and 2147483647'],
    ['minReplicas', '0', 'modelScaling.minReplicas ("0") must be a whole number'],
    ['queueLength', 0, 'modelScaling.queueLength (0) must be between 1 and 2147483647'],
    ['enabled', 'false', 'modelScaling.enabled ("false") must be true or false (a boolean, not a string or number)'],
  ])('modelScaling.%s %p', (field, value, message) => {
    expect(propError(build({ modelScaling: { [field]: value } })).message).toBe(`test/model: ${message}`);
  });

  test('modelScaling must be an object', () => {
    expect(propError(build({ modelScaling: 'on' })).message).toBe('test/model: modelScaling ("on") must be an object');
  });

  test.each([
    [{ networkPolicy: 'false' }, 'networkPolicy ("false") must be true or false (a boolean, not a string or number)'],
    [{ bridgeImage: 3 }, 'bridgeImage (3) must be a string'],
    [{ passThroughKeys: 'seed' }, 'passThroughKeys ("seed") must be a list'],
    [{ passThroughKeys: [1] }, 'passThroughKeys[0] (1) must be a string'],
    [{ allowModelIngressFromNamespaces: 'monitoring' }, 'allowModelIngressFromNamespaces ("monitoring") must be a list'],
    [{ allowModelIngressFromNamespaces: ['Monitoring'] }, 'allowModelIngressFromNamespaces[0] ("Monitoring") must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)'],
    [{ requestTimeout: 30 }, 'requestTimeout (30) must be a Duration (e.g. Duration.seconds(30))'],
    [{ bridgeResources: 'small' }, 'bridgeResources ("small") must be an object'],
  ])('%p', (props, message) => {
    expect(propError(build(props)).message).toBe(`test/model: ${message}`);
  });
});
