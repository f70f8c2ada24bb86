/**
 * Untyped inputs for the backends (issue 17 item 5): one prop at a time takes a wrong type, a boundary, a
 * unicode or duplicate value. Every input gives a PropError or objects the schema validator and the policy
 * accept. Budget: FC_RUNS (CI: CDK8S_ASYA_FC_RUNS).
 */
import * as fc from 'fast-check';
import { propErrorOrClean } from './arbitraries';
import {
  BentoModel, KaitoModel, MosecModel, RayServeModel, SeldonModel, TritonModel, TritonModelRepository,
} from '../../src';

const untyped = fc.oneof(
  fc.constantFrom(undefined, null, 0, -1, 1, 2 ** 31, 1.5, NaN, '', ' ', '9a', 'ünï', 'x'.repeat(70), 'false', true, false, [], [''], ['a', 'a'], [1], {}, { a: 1 }),
  fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
);

const CPU = { cpu: { request: '500m', limit: '1' }, memory: { request: '512Mi', limit: '1Gi' } };


const BACKENDS: Array<[string, (c: any, extra: any) => unknown, string[]]> = [
  ['TritonModel', (c, x) => new TritonModel(c, 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: CPU, ...x }),
    ['name', 'modelName', 'serverArgs', 'replicas', 'image', 'labels', 'sharedMemorySize', 'env']],
  ['MosecModel', (c, x) => new MosecModel(c, 'mosec', { image: 'ghcr.io/acme/mosec-app:1.0.0', resources: CPU, ...x }),
    ['name', 'serverArgs', 'replicas', 'labels', 'env', 'tolerations']],
  ['SeldonModel', (c, x) => new SeldonModel(c, 'iris', { storageUri: 'gs://seldon-models/iris', requirements: ['sklearn'], ...x }),
    ['name', 'storageUri', 'requirements', 'replicas']],
  ['KaitoModel', (c, x) => new KaitoModel(c, 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', ...x }),
    ['name', 'preset', 'instanceType']],
  ['BentoModel', (c, x) => new BentoModel(c, 'bento', { bento: 'summarizer', apiMethod: 'summarize', resources: CPU, ...x }),
    ['name', 'bento', 'apiMethod']],
  ['RayServeModel', (c, x) => new RayServeModel(c, 'ray', { image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'app', importPath: 'serve_app:app' }], head: { resources: CPU }, ...x }),
    ['name', 'image']],
];

describe.each(BACKENDS)('%s', (_name, build, props) => {
  test('the base props are clean', () => {
    propErrorOrClean((c) => build(c, {}));
  });

  test.each(props)('%s: untyped values give a PropError or clean output', (prop) => {
    fc.assert(fc.property(untyped, (value) => {
      propErrorOrClean((c) => build(c, { [prop]: value }));
    }));
  });
});

/*
 * Found by these properties and fixed in the constructors:
 * - KaitoModel labels: a string (' ') was spread into {"0": " "} (now checkLabelMap on labels)
 * - RayServeModel applications: 0 gave TypeError: (props.applications ?? []).some is not a function (now listProp)
 */
describe('regressions (checkLabelMap / listProp in the constructor)', () => {
  test('KaitoModel labels', () => {
    fc.assert(fc.property(untyped, (value) => {
      propErrorOrClean((c) => BACKENDS[3][1](c, { labels: value }));
    }));
  });
  test('RayServeModel applications', () => {
    fc.assert(fc.property(untyped, (value) => {
      propErrorOrClean((c) => BACKENDS[5][1](c, { applications: value }));
    }));
  });
});
