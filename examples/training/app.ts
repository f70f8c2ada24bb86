import { App, Chart } from 'cdk8s';
import {
  AsyaCrew, AsyaNamespace, AsyncPipeline, ClusterQueue, JobLauncher, LaunchParameterType, LocalQueue, ReclaimWithinCohortPolicy, ResourceFlavor, ResultStorage,
  TrainingRuntimeRef, TrainJob, Transport, VolcanoPlugin, VolcanoQueue, VolcanoTrainingJob, WithinClusterQueuePolicy,
} from '../../src';

const GPU = { cpu: { request: '8', limit: '8' }, memory: { request: '32Gi', limit: '32Gi' }, gpu: { count: 1 } };
const GPU_TOLERATION = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];

/**
 * The seed's on-demand training use case: a message starts a training job through a launcher actor.
 * - `train` route: launcher -> Volcano PyTorch gang job on the `research` Volcano queue;
 * - `finetune` route: launcher -> Kubeflow TrainJob queued on a Kueue LocalQueue (GPU quota in the `ml` cohort;
 *   quota lent to other queues of the cohort is reclaimed by preemption).
 * Each launcher may only create and get its one job kind in its namespace.
 */
export function buildTraining(outdir?: string): App {
  const app = new App({ outdir });
  const transport = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', brokerNamespace: 'asya-system' });

  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.s3({ bucket: 'training-results', region: 'eu-west-1' }) });

  // Cluster-scoped scheduling infrastructure.
  const scheduling = new Chart(app, 'scheduling');
  new VolcanoQueue(scheduling, 'research', { weight: 4, capability: { 'cpu': '64', 'memory': '256Gi', 'nvidia.com/gpu': '8' } });
  new ResourceFlavor(scheduling, 'a100', { nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' }, tolerations: GPU_TOLERATION });
  new ClusterQueue(scheduling, 'gpu-a100', {
    cohortName: 'ml',
    // Without reclaimWithinCohort, quota lent to the cohort only comes back when the borrowers finish.
    preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY, withinClusterQueue: WithinClusterQueuePolicy.LOWER_PRIORITY },
    resourceGroups: [{
      coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
      flavors: [{ flavor: 'a100', nominalQuota: { 'cpu': '64', 'memory': '256Gi', 'nvidia.com/gpu': '8' } }],
    }],
  });

  const p = new AsyncPipeline(app, 'training', { namespace: 'training' });
  new AsyaNamespace(p, 'training');
  const localQueue = new LocalQueue(p, 'gpu', { clusterQueue: 'gpu-a100' });

  // Volcano: gang-scheduled PyTorch job, launched per message.
  const volcanoJob = new VolcanoTrainingJob(p, 'llama-ft', {
    queue: 'research',
    plugins: [VolcanoPlugin.pytorch()],
    maxRetry: 2,
    ttlSecondsAfterFinished: 86400,
    tasks: [
      { name: 'master', replicas: 1, image: 'ghcr.io/acme/trainer:1.4.0', args: ['--epochs', '3', '--data', 's3://datasets/default'], resources: GPU, tolerations: GPU_TOLERATION },
      { name: 'worker', replicas: 3, image: 'ghcr.io/acme/trainer:1.4.0', args: ['--epochs', '3', '--data', 's3://datasets/default'], resources: GPU, tolerations: GPU_TOLERATION },
    ],
  });
  const dataParam = (task: number) => `/spec/tasks/${task}/template/spec/containers/0/args/3`;
  const epochsParam = (task: number) => `/spec/tasks/${task}/template/spec/containers/0/args/1`;
  const trainLauncher = new JobLauncher(p, 'training-volcano-launcher', {
    job: volcanoJob,
    transport,
    parameters: [
      { name: 'dataset', type: LaunchParameterType.STRING, required: true, pattern: '^s3://[a-z0-9.-]+/[A-Za-z0-9._/-]+$', targets: [dataParam(0), dataParam(1)] },
      { name: 'epochs', type: LaunchParameterType.INTEGER, minimum: 1, maximum: 20, targets: [epochsParam(0), epochsParam(1)] },
    ],
  });

  // Kueue: a Kubeflow TrainJob on the GPU queue, launched per message.
  const trainJob = new TrainJob(p, 'qwen-sft', {
    runtime: TrainingRuntimeRef.cluster('torch-distributed'),
    trainer: { image: 'ghcr.io/acme/sft:0.9.0', args: ['--dataset', 's3://datasets/default'], numNodes: 2, resourcesPerNode: GPU },
  });
  localQueue.enqueue(trainJob);
  const sftLauncher = new JobLauncher(p, 'training-kueue-launcher', {
    job: trainJob,
    transport,
    parameters: [{ name: 'dataset', type: LaunchParameterType.STRING, required: true, targets: ['/spec/trainer/args/1'] }],
  });

  p.addRoute('train', [trainLauncher]);
  p.addRoute('finetune', [sftLauncher]);
  return app;
}
