/**
 * Untyped inputs (issue 17 item 5): wrong types, boundaries, unicode and duplicates in the props of the
 * public constructs, as a plain JavaScript or loosely typed jsii caller can pass them. Every input either
 * fails with the library's PropError, or synthesizes objects that the shipped schema validator AND the
 * policy (Pod Security, policy and actor rules) accept.
 *
 * Budget: FC_RUNS runs per property (60 locally; CI sets CDK8S_ASYA_FC_RUNS for more).
 */
import * as fc from 'fast-check';
import { freshChart, propErrorOrClean, transport } from './arbitraries';
import { AsyncActor, AsyncActorProps, Transport } from '../../src';
import { PropError } from '../../src/core/errors';

/** Boundaries and wrong types where numbers are expected. */
const numberish = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -0, 0.5, NaN, Infinity, -Infinity, '1', '0', 'false', true, false, null, [], {}),
  fc.integer(), fc.double(),
);
/** Unicode, empty, long, whitespace and look-alike strings where names and values are expected. */
const stringish = fc.oneof(
  fc.constantFrom('', ' ', 'a', 'A', '9a', 'a-', '-a', 'a.b', 'a_b', 'ünïcode', '名前', 'a\nb', 'x'.repeat(64), 'x'.repeat(300), 'happy-end', 'dlq', 'rag-dlq'),
  fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ maxLength: 70 }),
);
const boolish = fc.constantFrom(true, false, 'false', 'true', 0, 1, null, undefined, 'yes');
const listish = fc.oneof(fc.constantFrom([], [''], ['a', 'a'], '--flag', [1], [null], {}), fc.array(stringish, { maxLength: 3 }));

const base: AsyncActorProps = {
  transport,
  handler: 'steps.run',
  image: 'ghcr.io/acme/steps:1.0.0',
  resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } },
};


describe('AsyncActor: untyped values in one prop give a PropError or clean output', () => {
  test.each<[string, fc.Arbitrary<unknown>]>([
    ['name', stringish], ['handler', stringish], ['image', stringish], ['replicas', numberish],
    ['command', listish], ['args', listish], ['allowUnpinnedImage', boolish], ['pythonExecutable', stringish],
    ['labels', fc.dictionary(stringish, stringish, { maxKeys: 2 })], ['podLabels', fc.dictionary(stringish, stringish, { maxKeys: 2 })],
    ['security', fc.record({ allowRoot: boolish, runAsUser: numberish }, { requiredKeys: [] })],
  ])('%s', (prop, arb) => {
    fc.assert(fc.property(arb, (value) => {
      // allowRoot is the documented opt-out of ASYA-PSS-001 (it needs a suppression to pass the policy).
      propErrorOrClean((chart) => new AsyncActor(chart, 'actor', { ...base, [prop]: value } as any), 'ai', ['ASYA-PSS-001']);
    }));
  });

  /*
   * Bugs these properties found (minimal counterexamples), fixed with the guards of src/core/props.ts:
   * - chunkSize 1e21: Number.isInteger passes, String() gives "1e+21", which the runtime's int() refuses (ASYA-ACT-010)
   * - podAnnotations {"": 0}: annotation keys and values were not checked (schema: value 0 must be a string)
   * - scaling {enabled: 0}: synthesized spec.scaling.enabled: 0 (schema: must be a boolean)
   */
  test.each<[string, fc.Arbitrary<unknown>]>([
    ['chunkSize', numberish],
    ['podAnnotations', fc.dictionary(stringish, fc.oneof(stringish, numberish), { maxKeys: 2 })],
    ['scaling', fc.record({ enabled: boolish, minReplicas: numberish, maxReplicas: numberish, queueLength: numberish }, { requiredKeys: [] })],
  ])('%s (found bug, fixed)', (prop, arb) => {
    fc.assert(fc.property(arb, (value) => {
      // allowRoot is the documented opt-out of ASYA-PSS-001 (it needs a suppression to pass the policy).
      propErrorOrClean((chart) => new AsyncActor(chart, 'actor', { ...base, [prop]: value } as any), 'ai', ['ASYA-PSS-001']);
    }));
  });

  test.each([
    ['chunkSize', 1e21, 'test/actor: chunkSize (1e+21) must be between 1 and 2147483647'],
    ['podAnnotations', { a: 0 }, 'test/actor: podAnnotations["a"] (0) must be a string'],
    ['scaling', { enabled: 0 }, 'test/actor: scaling.enabled (0) must be true or false (a boolean, not a string or number)'],
    ['scaling', { maxReplicas: 2 ** 31 }, 'test/actor: scaling.maxReplicas (2147483648) must be at most 2147483647 (Kubernetes and KEDA store it as int32)'],
  ])('%s %j: the message', (prop, value, message) => {
    const { chart } = freshChart();
    expect(() => new AsyncActor(chart, 'actor', { ...base, [prop as string]: value } as any)).toThrow(message);
  });

  // Found gap, fixed: two actors of one name outside a pipeline would share queue asya-<name> (Asya queue
  // names are not namespaced, deliveryhero/asya src/asya-operator/internal/transports/rabbitmq.go @ v0.1.1).
  // The app-wide check (src/core/registry.ts) refuses it at synth, with or without a pipeline.
  test('duplicates: two actors of one name on one transport in one chart are refused at synth', () => {
    fc.assert(fc.property(fc.constantFrom('embed', 'rank'), (name) => {
      const { app, chart } = freshChart();
      new AsyncActor(chart, 'a', { ...base, name });
      new AsyncActor(chart, 'b', { ...base, name }); // construct id differs, name collides
      expect(() => app.synthYaml()).toThrow('actor names must be unique per transport across the app');
    }), { numRuns: 2 });
  });

  // Found bug, fixed: Transport.sqs(undefined) threw a TypeError.
  test('Transport.sqs and Transport.rabbitmq with untyped options: a PropError, never a TypeError', () => {
    expect(() => Transport.sqs(undefined as any)).toThrow('Transport.sqs: options (unset) is required: Transport.sqs({ region, accountId })');
    expect(() => Transport.rabbitmq(null as any)).toThrow('Transport.rabbitmq: options (null) must be an object of RabbitMqTransportOptions');
    fc.assert(fc.property(fc.oneof(fc.constantFrom(undefined, null, {}, 'eu-west-1'), fc.record({ region: stringish }, { requiredKeys: [] })), (opts) => {
      try {
        Transport.sqs(opts as any);
      } catch (e) {
        expect(e).toBeInstanceOf(PropError);
      }
    }));
  });
});
