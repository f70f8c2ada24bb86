import { EnvValue } from '../../src/core/env';
import { LocalQueue } from '../../src/jobs/local-queue';
import { TrainingRuntimeRef, TrainJob, TrainJobProps } from '../../src/jobs/train-job';
import { one, synthValid, testChart } from '../util';

function make(props: Partial<TrainJobProps> = {}): TrainJob {
  return new TrainJob(testChart('ml'), 'ft', { runtime: TrainingRuntimeRef.cluster('torch-distributed'), ...props });
}

describe('TrainJob', () => {
  test('on the shipped torch-distributed runtime, as is', () => {
    const chart = testChart('ml');
    const job = new TrainJob(chart, 'mnist', { runtime: TrainingRuntimeRef.cluster('torch-distributed') });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const tj = one(manifests, 'TrainJob', 'mnist');
    expect(tj.apiVersion).toBe('trainer.kubeflow.org/v1alpha1');
    expect(tj.spec).toEqual({ runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' } });
    expect([job.apiGroup, job.plural, job.kind, job.jobName, job.namespace]).toEqual(['trainer.kubeflow.org', 'trainjobs', 'TrainJob', 'mnist', 'ml']);
    expect(job.toManifest()).toEqual(tj);
  });

  test('trainer overrides on a namespaced runtime, queued on Kueue', () => {
    const chart = testChart('ml');
    const lq = new LocalQueue(chart, 'user-queue', { clusterQueue: 'cq' });
    const job = new TrainJob(chart, 'llama-ft', {
      runtime: TrainingRuntimeRef.namespaced('torch-llm'),
      trainer: {
        image: 'ghcr.io/acme/llm-trainer:0.9.2',
        command: ['torchrun', 'train.py'],
        args: ['--lr=1e-5'],
        env: { HF_TOKEN: EnvValue.fromSecret('hf', 'token'), EPOCHS: EnvValue.fromValue('3') },
        numNodes: 4,
        numProcPerNode: 8,
        resourcesPerNode: { cpu: { request: '32' }, memory: { request: '256Gi' }, gpu: { count: 8 } },
      },
      labels: { team: 'llm' },
    });
    lq.enqueue(job, { priorityClass: 'high' });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const tj = one(manifests, 'TrainJob', 'llama-ft');
    expect(tj.spec.runtimeRef.kind).toBe('TrainingRuntime');
    expect(tj.spec.trainer.numNodes).toBe(4);
    expect(tj.spec.trainer.resourcesPerNode.limits['nvidia.com/gpu']).toBe('8');
    expect(tj.spec.trainer.env[0]).toEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } });
    expect(tj.spec.suspend).toBe(true);
    expect(tj.metadata.labels).toEqual({ 'team': 'llm', 'kueue.x-k8s.io/queue-name': 'user-queue', 'kueue.x-k8s.io/priority-class': 'high' });
  });

  test('kueue prop sets spec.suspend', () => {
    const job = make({ kueue: { localQueue: 'user-queue' }, suspend: false });
    expect(job.toManifest().spec.suspend).toBe(true);
  });

  test('rules', () => {
    expect(() => make({ name: 'FT' })).toThrow('test/ft: name ("FT") must be a DNS-1035 label');
    expect(() => make({ name: 'a'.repeat(64) })).toThrow('must be at most 63 characters (the TrainJob CRD requires an RFC 1035 name)');
    expect(() => make({ runtime: { name: 'x', kind: 'Runtime' } as any })).toThrow('test/ft: runtime ({"name":"x","kind":"Runtime"}) must be a TrainingRuntimeRef');
    expect(() => make({ trainer: { image: 'acme/train' } })).toThrow('test/ft: trainer.image ("acme/train") has no tag or digest');
    expect(() => make({ trainer: { numNodes: 0 } })).toThrow('test/ft: trainer.numNodes (0) must be a whole number of at least 1');
    expect(() => make({ trainer: { numProcPerNode: 0 } })).toThrow('test/ft: trainer.numProcPerNode (0) must be a whole number of at least 1');
    expect(() => make({ trainer: { env: { '1BAD': EnvValue.fromValue('x') } } })).toThrow('test/ft: trainer.env ("1BAD") is not a valid environment variable name');
    expect(() => make({ trainer: { resourcesPerNode: { cpu: { request: 'x' } } } })).toThrow('trainer.resourcesPerNode.cpu.request ("x") is not a Kubernetes quantity');
  });
});
