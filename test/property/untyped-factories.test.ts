/**
 * Untyped arguments to the static factories (value classes) of the public API: each call either throws a
 * PropError or returns a value that a construct accepts or refuses with a PropError, and that then
 * synthesizes schema-valid objects. Never a TypeError.
 */
import * as fc from 'fast-check';
import { freshChart, synthApp, transport } from './arbitraries';
import { AsyncActor, EnvValue, ModelSource, Volume } from '../../src';
import { PropError } from '../../src/core/errors';

const untyped = fc.oneof(
  fc.constantFrom(undefined, null, 0, -1, 2 ** 31, NaN, '', ' ', '9a', 'ünï', 'x'.repeat(300), 'false', true, [], ['a'], {}, { a: 1 }),
  fc.string({ maxLength: 12 }), fc.integer(),
);

function propErrorOrValid(make: () => any, use: (chart: any, value: any) => unknown): void {
  let value: any;
  try {
    value = make();
  } catch (e) {
    if (e instanceof PropError) return;
    throw e;
  }
  const { app, chart } = freshChart();
  try {
    use(chart, value);
  } catch (e) {
    if (e instanceof PropError) return;
    throw e;
  }
  expect(synthApp(app).issues).toEqual([]);
}

const actor = (chart: any, extra: any) => new AsyncActor(chart, 'actor', {
  transport, handler: 'steps.run', image: 'ghcr.io/acme/steps:1.0.0', resources: { cpu: { request: '100m', limit: '500m' } }, ...extra,
});

describe('static factories with untyped arguments', () => {
  test.each<[string, (a: any, b: any) => any, (chart: any, v: any) => unknown]>([
    ['EnvValue.fromValue', (a) => EnvValue.fromValue(a), (c, v) => actor(c, { env: { X: v } })],
    ['EnvValue.fromSecret', (a, b) => EnvValue.fromSecret(a, b), (c, v) => actor(c, { env: { X: v } })],
    ['EnvValue.fromConfigMap', (a, b) => EnvValue.fromConfigMap(a, b), (c, v) => actor(c, { env: { X: v } })],
    ['EnvValue.fromFieldRef', (a) => EnvValue.fromFieldRef(a), (c, v) => actor(c, { env: { X: v } })],
    ['Volume.emptyDir', (a) => Volume.emptyDir(a), (c, v) => actor(c, { volumes: [v] })],
    ['Volume.configMap', (a, b) => Volume.configMap(a, b), (c, v) => actor(c, { volumes: [v] })],
    ['Volume.secret', (a, b) => Volume.secret(a, b), (c, v) => actor(c, { volumes: [v] })],
    ['Volume.persistentVolumeClaim', (a, b) => Volume.persistentVolumeClaim(a, b), (c, v) => actor(c, { volumes: [v] })],
    ['ModelSource.huggingFace', (a) => ModelSource.huggingFace(a), () => undefined],
    ['ModelSource.ociImage', (a, b) => ModelSource.ociImage(a, b), () => undefined],
    ['ModelSource.persistentVolumeClaim', (a, b) => ModelSource.persistentVolumeClaim(a, b), () => undefined],
    ['ModelSource.ollama', (a) => ModelSource.ollama(a), () => undefined],
  ])('%s', (_name, make, use) => {
    fc.assert(fc.property(untyped, untyped, (a, b) => {
      propErrorOrValid(() => make(a, b), use);
    }));
  });
});
