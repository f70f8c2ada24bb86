import { AsyaCrew, JobLauncher, LaunchParameterType, ResultStorage, Transport, VolcanoTrainingJob } from '../../src';
import { PropError } from '../../src/core/errors';
import { SMALL_RESOURCES, testChart } from '../util';

// Issue 17 item 1 (one boundary): untyped callers (plain JavaScript, Python through jsii) get the
// library's PropError, never a TypeError from deep inside, for JobLauncher's and AsyaCrew's props.
function propError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

function launcher(props: any): () => JobLauncher {
  const chart = testChart('ml');
  const job = new VolcanoTrainingJob(chart, 'finetune', { tasks: [{ name: 'worker', image: 'ghcr.io/acme/trainer:1.4.0', replicas: 2, resources: SMALL_RESOURCES }] });
  return () => new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq(), ...props });
}

describe('JobLauncher with untyped props', () => {
  const p = (over: any) => ({ parameters: [{ name: 'n', type: LaunchParameterType.INTEGER, targets: ['/spec/tasks/0/replicas'], ...over }] });
  test.each([
    ['a missing transport', { transport: undefined }, 'transport (unset) must be Transport.rabbitmq() or Transport.sqs({...})'],
    ['a plain object as transport', { transport: { type: 'sqs' } }, 'transport ({"type":"sqs"}) must be Transport.rabbitmq() or Transport.sqs({...})'],
    ['a number as name', { name: 7 }, 'name (7) must be a string'],
    ['parameters not a list', { parameters: { name: 'n' } }, 'parameters ({"name":"n"}) must be a list'],
    ['a null parameter', { parameters: [null] }, 'parameters[0] (null) must not be empty'],
    ['a number as parameter name', p({ name: 3 }), 'parameters[0].name (3) must be an identifier ([A-Za-z_][A-Za-z0-9_]*)'],
    ['a truthy string as required', p({ required: 'false' }), 'parameters[0].required ("false") must be true or false (a boolean, not a string or number)'],
    ['a number as target', p({ targets: [5] }), 'parameters[0].targets[0] (5) must be a string'],
    ['a string as minimum', p({ minimum: '1' }), 'parameters[0].minimum ("1") must be a finite number'],
    ['an object as defaultJson', p({ defaultJson: { a: 1 } }), 'parameters[0].defaultJson ({"a":1}) must be a string of JSON'],
    ['a number as requestTimeout', { requestTimeout: 30 }, 'requestTimeout (30) must be a Duration (e.g. Duration.seconds(30))'],
    ['a string as image', { image: ['x'] }, 'image (["x"]) must be a string'],
  ])('%s', (_t, props, message) => {
    expect(propError(launcher(props))).toBe(`test/l: ${message}`);
  });
});

describe('AsyaCrew with untyped props', () => {
  const crew = (props: any) => () => new AsyaCrew(testChart('asya'), 'crew', { transport: Transport.rabbitmq(), storage: ResultStorage.none(), ...props });
  test.each([
    ['a missing storage', { storage: undefined }, 'storage (unset) must be a ResultStorage (e.g. ResultStorage.none() or ResultStorage.s3(...))'],
    ['a plain object as storage', { storage: { bucket: 'b' } }, 'storage ({"bucket":"b"}) must be a ResultStorage (e.g. ResultStorage.none() or ResultStorage.s3(...))'],
    ['a missing transport', { transport: undefined }, 'transport (unset) must be Transport.rabbitmq() or Transport.sqs({...})'],
    ['a number as gatewayUrl', { gatewayUrl: 80 }, 'gatewayUrl (80) must be an http:// or https:// URL'],
    ['a list as scaling', { scaling: [1] }, 'scaling ([1]) must be an object'],
    // "" synthesized the end actors without NetworkPolicy (ASYA-NET-001), found by test/property/untyped-boundary.test.ts
    ['an empty string as networkPolicy', { networkPolicy: '' }, 'networkPolicy ("") must be true or false (a boolean, not a string or number)'],
  ])('%s', (_t, props, message) => {
    expect(propError(crew(props))).toBe(`test/crew: ${message}`);
  });
});
