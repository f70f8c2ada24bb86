/**
 * Synth cost (issue 13): cdk8s's `Chart.toJson()` resolves the dependencies of the whole app and validates
 * the whole app for every chart. A pipeline chart skips both when a pipeline chart already did them in this
 * synth and the tree has the same constructs; the output is the same, and a tree changed between two
 * renders is resolved and validated again.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyaCrew, AsyncActor, AsyncPipeline, ResultStorage, Transport } from '../../src';
import { SMALL_RESOURCES } from '../util';

const transport = Transport.rabbitmq();
const step = { transport, image: 'ghcr.io/acme/steps:2.0.0', handler: 'steps.run', resources: SMALL_RESOURCES };

/** An app of `n` pipelines and a construct counting the whole-app validation passes. */
function app(n: number): { app: App; pipelines: AsyncPipeline[]; passes: () => number } {
  const a = Testing.app();
  const system = new Chart(a, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.none() });
  let passes = 0;
  new Construct(system, 'counter').node.addValidation({ validate: () => { passes++; return []; } });
  const pipelines = Array.from({ length: n }, (_, i) => {
    const p = new AsyncPipeline(a, `p${i}`, { namespace: `team-${i}` });
    p.addRoute('main', [new AsyncActor(p, 'a', { ...step, name: `p${i}-a` }), new AsyncActor(p, 'b', { ...step, name: `p${i}-b` })]);
    return p;
  });
  return { app: a, pipelines, passes: () => passes };
}

describe('whole-app passes of a synth', () => {
  test('one synth of 10 pipeline charts validates the app 3 times (the synth itself, the plain chart, the first pipeline chart), not 12', () => {
    const { app: a, passes } = app(10);
    a.synthYaml();
    // synthYaml validates once; asya-system's chart (a plain Chart) and the first pipeline chart once each.
    expect(passes()).toBe(3);
  });

  test('the output is what cdk8s renders: the same documents in the same order as the full cdk8s path', () => {
    const { pipelines } = app(3);
    // An explicit dependency that reorders objects: cdk8s puts b's objects before a's.
    const [first] = pipelines;
    first.node.findChild('a').node.addDependency(first.node.findChild('b'));
    Testing.synth(pipelines[2]);
    for (const p of pipelines) {
      const fast = p.toJson();
      // Chart.prototype.toJson: cdk8s's own path (whole-app dependencies and validation, then the chart).
      expect(fast).toEqual(Chart.prototype.toJson.call(p));
    }
    expect(pipelines[0].toJson().map((d: any) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'AsyncActor/p0-b', 'NetworkPolicy/p0-b-network', 'AsyncActor/p0-a', 'NetworkPolicy/p0-a-network',
    ]);
  });

  test('a construct added between two renders of one synchronous block is validated again', () => {
    const { pipelines: [p0, p1] } = app(2);
    Testing.synth(p0);
    new Construct(p1, 'broken').node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => Testing.synth(p1)).toThrow('broken on purpose');
  });

  test('an object added to another chart between two renders is rendered and ordered by its dependencies', () => {
    const { pipelines: [p0, p1] } = app(2);
    Testing.synth(p0);
    const later = new ApiObject(p1, 'later', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } });
    p1.node.findChild('a').node.addDependency(later);
    const names = Testing.synth(p1).map((d) => `${d.kind}/${d.metadata.name}`);
    expect(names.indexOf('ConfigMap/later')).toBeLessThan(names.indexOf('AsyncActor/p1-a'));
  });
});
