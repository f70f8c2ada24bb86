import * as jobs from '../../src/jobs';
import { SMALL_RESOURCES, testChart } from '../util';

describe('ILaunchableJob', () => {
  test('every job construct tells a launcher what to create and which RBAC resource it needs', () => {
    const chart = testChart('ml');
    const image = 'ghcr.io/acme/trainer:1.0.0';
    const all: jobs.ILaunchableJob[] = [
      new jobs.VolcanoTrainingJob(chart, 'vc', { tasks: [{ name: 'worker', image, resources: SMALL_RESOURCES }] }),
      new jobs.KueueJob(chart, 'batch', { localQueue: 'q', image, resources: SMALL_RESOURCES }),
      new jobs.PyTorchTrainingJob(chart, 'pt', { image, resources: SMALL_RESOURCES }),
      new jobs.TrainJob(chart, 'tj', { runtime: jobs.TrainingRuntimeRef.cluster('torch-distributed') }),
    ];
    expect(all.map((j) => [j.apiGroup, j.plural, j.apiVersion, j.kind, j.jobName, j.namespace])).toEqual([
      ['batch.volcano.sh', 'jobs', 'batch.volcano.sh/v1alpha1', 'Job', 'vc', 'ml'],
      ['batch', 'jobs', 'batch/v1', 'Job', 'batch', 'ml'],
      ['kubeflow.org', 'pytorchjobs', 'kubeflow.org/v1', 'PyTorchJob', 'pt', 'ml'],
      ['trainer.kubeflow.org', 'trainjobs', 'trainer.kubeflow.org/v1alpha1', 'TrainJob', 'tj', 'ml'],
    ]);
    for (const j of all) {
      const m = j.toManifest();
      expect([m.apiVersion, m.kind, m.metadata.name, m.metadata.namespace]).toEqual([j.apiVersion, j.kind, j.jobName, 'ml']);
    }
  });
});
