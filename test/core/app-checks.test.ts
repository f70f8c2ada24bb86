import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { AsyaCrew, AsyncActor, AsyncPipeline, ResultStorage, Transport } from '../../src';
import { appCheckRuns } from '../../src/core/registry';
import { SMALL_RESOURCES } from '../util';

// App-wide checks (issue 17 item 2): registered by any construct that needs them, run whether or not
// the app has an AsyncPipeline, computed once per app state.
const rabbit = Transport.rabbitmq();
const base = { transport: rabbit, image: 'ghcr.io/acme/steps:2.0.0', handler: 'steps.run', resources: SMALL_RESOURCES };

function charts(n: number, namespace?: (i: number) => string): { app: App; charts: Chart[] } {
  const app = Testing.app();
  const out: Chart[] = [];
  for (let i = 0; i < n; i++) out.push(new Chart(app, `c${i}`, { namespace: namespace ? namespace(i) : `ns${i}` }));
  return { app, charts: out };
}

describe('app-wide checks without a pipeline', () => {
  // Queue names are not namespaced: the operator creates asya-<actor> per transport
  // (deliveryhero/asya src/asya-operator, queue naming in asya-contract.md).
  test('two actors with the same name in different namespaces share a queue', () => {
    const { app, charts: [a, b] } = charts(2);
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    new AsyncActor(b, 'x', { ...base, name: 'embed' });
    expect(() => app.synth()).toThrow('step "embed" (c0/x, c1/x): actor names must be unique per transport across the app (queue asya-embed on rabbitmq is not namespaced: the actors would share it)');
  });

  test('the same actor name on two transports is allowed', () => {
    const { app, charts: [a, b] } = charts(2);
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    new AsyncActor(b, 'x', { ...base, name: 'embed', transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012' }) });
    expect(() => app.synth()).not.toThrow();
  });

  test('two objects with the same kind, namespace and name and different content', () => {
    const { app, charts: [a, b] } = charts(2, () => 'shared');
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    new ApiObject(b, 'cm1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
    new ApiObject(a, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '2' } });
    expect(() => app.synth()).toThrow('c0/cm2, c1/cm1: ConfigMap shared/settings is defined 2 times with different content: the API server keeps one object per kind, namespace and name');
  });

  test('identical objects apply as one; other namespaces or groups are other objects', () => {
    const { app, charts: [a, b, c] } = charts(3, (i) => (i < 2 ? 'shared' : 'other'));
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    for (const chart of [a, b, c]) new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
    new ApiObject(c, 'job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'settings' }, spec: {} });
    new ApiObject(c, 'vjob', { apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', metadata: { name: 'settings' }, spec: {} });
    expect(() => app.synth()).not.toThrow();
  });

  test('two crews on one transport', () => {
    const { app, charts: [a, b] } = charts(2);
    new AsyaCrew(a, 'crew', { transport: rabbit, storage: ResultStorage.none() });
    new AsyaCrew(b, 'crew', { transport: rabbit, storage: ResultStorage.none() });
    expect(() => app.synth()).toThrow('transport rabbitmq has 2 crews (c0/crew, c1/crew): queue names are not namespaced, so there must be exactly one per cluster');
  });

  test('actors without a pipeline need no crew in the app (it may run elsewhere)', () => {
    const { app, charts: [a] } = charts(1);
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('app-wide checks: cost', () => {
  test('computed once per synth of the app, not once per chart', () => {
    const { app, charts: cs } = charts(20);
    cs.forEach((c, i) => new AsyncActor(c, 'x', { ...base, name: `a${i}` }));
    app.synthYaml();
    expect(appCheckRuns(app)).toBe(1);
  });

  test('recomputed when the registries grow', () => {
    const { app, charts: [a, b] } = charts(2);
    new AsyncActor(a, 'x', { ...base, name: 'embed' });
    expect(() => app.synthYaml()).not.toThrow();
    new AsyncActor(b, 'x', { ...base, name: 'embed' });
    expect(() => app.synthYaml()).toThrow('actor names must be unique per transport across the app');
    expect(appCheckRuns(app)).toBe(2);
  });

  test('recomputed when a route adds a step after a first synth (same synchronous block): the crew of its transport is required', () => {
    const { app, charts: [a] } = charts(1);
    const crewless = Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', kedaRoleArn: 'arn:aws:iam::123456789012:role/keda' });
    const p = new AsyncPipeline(app, 'p', { namespace: 'p', existingCrew: false });
    const other = new AsyncActor(p, 'y', { ...base, transport: crewless, name: 'other' });
    new AsyaCrew(a, 'crew', { transport: base.transport, storage: ResultStorage.none() });
    p.addRoute('main', [new AsyncActor(p, 'x', { ...base, name: 'embed' })]);
    expect(() => app.synthYaml()).not.toThrow();
    p.addRoute('other', [other]);
    expect(() => app.synthYaml()).toThrow('transport sqs has no crew');
  });

  test('pipelines register the crew requirement', () => {
    const { app, charts: [a] } = charts(1);
    const p = new AsyncPipeline(app, 'p', { namespace: 'p' });
    p.addRoute('main', [new AsyncActor(p, 'x', { ...base, name: 'embed' })]);
    void a;
    expect(() => app.synth()).toThrow('p: transport rabbitmq has no crew: add one AsyaCrew for it to the app (once per cluster), or set existingCrew: true');
  });
});
