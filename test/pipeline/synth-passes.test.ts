/**
 * Synth cost (issue 13): cdk8s's `Chart.toJson()` resolves the dependencies of the whole app and validates
 * the whole app for every chart. Inside the app's own synth()/synthYaml() (which did both before rendering
 * any chart) a pipeline chart renders its objects directly; the output is the same, and every other render
 * (a direct toJson, Testing.synth) takes cdk8s's path, so a tree changed between two renders is resolved and
 * validated again.
 */
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
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
  test('one synth of 10 pipeline charts validates the app twice (the synth itself, the plain chart), not 12', () => {
    const { app: a, passes } = app(10);
    a.synthYaml();
    // synthYaml validates once, and asya-system's chart (a plain Chart) once more; the pipeline charts do not.
    expect(passes()).toBe(2);
    a.synth();
    expect(passes()).toBe(4);
  });

  test('a failing validation inside a pipeline chart still fails the app\'s synth and synthYaml', () => {
    const { app: a, pipelines: [, p1] } = app(2);
    new Construct(p1, 'broken').node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => a.synthYaml()).toThrow('[p1/broken] broken on purpose');
    expect(() => a.synth()).toThrow('[p1/broken] broken on purpose');
  });

  test('direct renders take cdk8s\'s path: a construct added to another chart, or an error caught, is seen by the next render', () => {
    const { app: a, pipelines: [p0, p1] } = app(2);
    a.synthYaml();
    Testing.synth(p0);
    const system = a.node.findChild('asya-system');
    const broken = new Construct(system, 'broken');
    broken.node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => Testing.synth(p0)).toThrow('[asya-system/broken] broken on purpose');
    expect(() => Testing.synth(p1)).toThrow('[asya-system/broken] broken on purpose');
  });

  test('the output is what cdk8s renders: the app\'s YAML equals every chart rendered on cdk8s\'s own path', () => {
    const { app: a, pipelines } = app(3);
    // An explicit dependency that reorders objects: cdk8s puts b's objects before a's.
    const [first] = pipelines;
    first.node.findChild('a').node.addDependency(first.node.findChild('b'));
    const yaml = a.synthYaml();
    // Chart.prototype.toJson: cdk8s's own path (whole-app dependencies and validation, then the chart).
    const docs = a.charts.flatMap((c) => Chart.prototype.toJson.call(c));
    expect(yaml).toBe(Yaml.stringify(...docs));
    expect(docs.filter((d: any) => d.metadata.namespace === 'team-0').map((d: any) => `${d.kind}/${d.metadata.name}`)).toEqual([
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
