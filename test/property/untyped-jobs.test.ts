/**
 * Untyped inputs for the job constructs (issue 17 item 5): PropError or schema- and policy-clean output.
 * Budget: FC_RUNS (CI: CDK8S_ASYA_FC_RUNS).
 */
import * as fc from 'fast-check';
import { propErrorOrClean } from './arbitraries';
import { PyTorchTrainingJob } from '../../src/jobs/pytorch-training-job';
import { TrainingRuntimeRef, TrainJob } from '../../src/jobs/train-job';
import { VolcanoQueue } from '../../src/jobs/volcano-queue';
import { VolcanoTrainingJob } from '../../src/jobs/volcano-training-job';

const untyped = fc.oneof(
  fc.constantFrom(undefined, null, 0, -1, 1, 2 ** 31, 1.5, NaN, '', ' ', '9a', 'ünï', 'x'.repeat(70), 'false', true, false, [], [''], ['a', 'a'], [1], {}, { a: 1 }, { cpu: 1 }),
  fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
);
const IMAGE = 'ghcr.io/acme/trainer:1.4.0';
const RES = { cpu: { request: '1', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } };


const JOBS: Array<[string, (c: any, extra: any) => unknown, string[]]> = [
  ['VolcanoQueue', (c, x) => new VolcanoQueue(c, 'research', { ...x }), ['name', 'weight', 'capability', 'reclaimable', 'priority', 'labels', 'parent']],
  ['VolcanoTrainingJob', (c, x) => new VolcanoTrainingJob(c, 'train', { tasks: [{ name: 'worker', image: IMAGE, resources: RES }], ...x }), ['tasks', 'name']],
  ['TrainJob', (c, x) => new TrainJob(c, 'mnist', { runtime: TrainingRuntimeRef.cluster('torch-distributed'), ...x }), ['name', 'runtime']],
  ['PyTorchTrainingJob', (c, x) => new PyTorchTrainingJob(c, 'mnist', { image: IMAGE, command: ['python3', 'train.py'], workers: 2, resources: RES, ...x }),
    ['workers', 'command', 'image', 'name']],
];

describe.each(JOBS)('%s', (_name, build, props) => {
  test('the base props are clean', () => {
    propErrorOrClean((c) => build(c, {}), 'ml');
  });

  test.each(props)('%s: untyped values give a PropError or clean output', (prop) => {
    fc.assert(fc.property(untyped, (value) => {
      propErrorOrClean((c) => build(c, { [prop]: value }), 'ml');
    }));
  });
});
