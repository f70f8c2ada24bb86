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
    // GIT-2: no suspend in Git; Kueue's TrainJob webhook suspends labelled TrainJobs
    // (kubernetes-sigs/kueue pkg/controller/jobs/trainjob/trainjob_webhook.go `Default` @ v0.19.2).
    expect(tj.spec.suspend).toBeUndefined();
    expect(tj.metadata.labels).toEqual({ 'team': 'llm', 'kueue.x-k8s.io/queue-name': 'user-queue', 'kueue.x-k8s.io/priority-class': 'high' });
  });

  test('kueue prop: labels only; an explicit suspend is refused (Kueue owns it)', () => {
    const job = make({ kueue: { localQueue: 'user-queue' } });
    expect(job.toManifest().spec.suspend).toBeUndefined();
    expect(() => make({ kueue: { localQueue: 'user-queue' }, suspend: false }))
      .toThrow('test/ft: suspend (false) must be unset on a job queued on Kueue: Kueue suspends and resumes it');
  });

  // KFL-1: JobSet names pods <jobset>-<replicated job>-<job index>-<pod index>-<5 random>, at most 63
  // characters (kubernetes-sigs/jobset pkg/webhooks/jobset_webhook.go, unverified at a release); the
  // replicated jobs are the runtime's (kubeflow/trainer manifests/base/runtimes/*.yaml @ v2.3.0).
  describe('name length, runtime-aware (KFL-1)', () => {
    test('torch-distributed (replicated job node): 48 characters with 1 node, 47 with 11', () => {
      expect(make({ name: 'a'.repeat(48) }).maxNameLength).toBe(48);
      expect(() => make({ name: 'a'.repeat(49) })).toThrow(`test/ft: name ("${'a'.repeat(49)}") must be at most 48 characters on runtime torch-distributed: `
        + 'JobSet names pods <trainjob>-<replicated job>-<job index>-<pod index>-<5 random>, at most 63 characters (replicated jobs: node;');
      expect(make({ name: 'a'.repeat(47), trainer: { numNodes: 11 } }).maxNameLength).toBe(47);
      expect(() => make({ name: 'a'.repeat(48), trainer: { numNodes: 11 } })).toThrow('must be at most 47 characters on runtime torch-distributed');
    });
    test('torchtune runtimes have initializers; unknown runtimes assume the longest shipped job', () => {
      expect(make({ name: 'ft', runtime: TrainingRuntimeRef.cluster('torchtune-llama3.2-1b') }).maxNameLength).toBe(33);
      expect(make({ name: 'ft', runtime: TrainingRuntimeRef.namespaced('mine') }).maxNameLength).toBe(33);
      expect(make({ name: 'ft', runtime: TrainingRuntimeRef.namespaced('mine', { replicatedJobNames: ['trainer'] }) }).maxNameLength).toBe(45);
    });
    test('declared replicated jobs are checked', () => {
      expect(() => make({ runtime: TrainingRuntimeRef.cluster('mine', { replicatedJobNames: [] }) }))
        .toThrow('test/ft: runtime.replicatedJobNames ([]) must name at least one replicated job');
      expect(() => make({ runtime: TrainingRuntimeRef.cluster('mine', { replicatedJobNames: ['Node'] }) }))
        .toThrow('test/ft: runtime.replicatedJobNames[0] ("Node") must be a DNS-1123 label');
    });
  });

  // KFL-2: kubeflow/trainer pkg/runtime/framework/plugins/torch/torch.go `Validate` rejects
  // constants.TorchRunReservedEnvNames (pkg/constants/constants.go @ v2.3.0).
  test('reserved torchrun env (PET_*) is refused', () => {
    expect(() => make({ trainer: { env: { PET_NNODES: EnvValue.fromValue('2') } } }))
      .toThrow('test/ft: trainer.env ("PET_NNODES") is reserved: the torch plugin sets PET_NNODES, PET_NPROC_PER_NODE, PET_NODE_RANK, PET_MASTER_ADDR, PET_MASTER_PORT');
    expect(() => make({ trainer: { env: { PET_MASTER_PORT: EnvValue.fromValue('1') } } })).toThrow('trainer.env ("PET_MASTER_PORT") is reserved');
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
