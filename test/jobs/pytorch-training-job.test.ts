import { LocalQueue } from '../../src/jobs/local-queue';
import { CleanPodPolicy, PyTorchRestartPolicy, PyTorchTrainingJob, PyTorchTrainingJobProps } from '../../src/jobs/pytorch-training-job';
import { one, synthValid, testChart } from '../util';

const IMAGE = 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727';
const RESOURCES = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };

function make(props: Partial<PyTorchTrainingJobProps> = {}, id = 'mnist'): PyTorchTrainingJob {
  return new PyTorchTrainingJob(testChart('ml'), id, { image: IMAGE, resources: RESOURCES, ...props });
}

describe('PyTorchTrainingJob', () => {
  test('Master 1 + Worker N, container named pytorch, restricted pods', () => {
    const chart = testChart('ml');
    const job = new PyTorchTrainingJob(chart, 'mnist', {
      image: IMAGE,
      command: ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1'],
      workers: 2,
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pj = one(manifests, 'PyTorchJob', 'mnist');
    expect(pj.apiVersion).toBe('kubeflow.org/v1');
    expect(Object.keys(pj.spec.pytorchReplicaSpecs)).toEqual(['Master', 'Worker']);
    expect(pj.spec.pytorchReplicaSpecs.Master.replicas).toBe(1);
    expect(pj.spec.pytorchReplicaSpecs.Worker.replicas).toBe(2);
    expect(pj.spec.pytorchReplicaSpecs.Worker.restartPolicy).toBe('OnFailure');
    for (const r of ['Master', 'Worker']) {
      const spec = pj.spec.pytorchReplicaSpecs[r].template.spec;
      expect(spec.containers[0].name).toBe('pytorch');
      expect(spec.containers[0].image).toBe(IMAGE);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
    }
    expect(pj.spec.runPolicy).toEqual({});
    expect([job.apiGroup, job.plural, job.kind, job.jobName, job.namespace]).toEqual(['kubeflow.org', 'pytorchjobs', 'PyTorchJob', 'mnist', 'ml']);
    expect(job.toManifest()).toEqual(pj);
  });

  test('elastic, workers only, nprocPerNode, run policy, sidecar', () => {
    const chart = testChart('ml');
    new PyTorchTrainingJob(chart, 'elastic', {
      image: IMAGE,
      resources: RESOURCES,
      master: false,
      workers: 2,
      nprocPerNode: 'gpu',
      elasticPolicy: { minReplicas: 1, maxReplicas: 4, rdzvBackend: 'c10d', rdzvPort: 29400, maxRestarts: 10 },
      restartPolicy: PyTorchRestartPolicy.EXIT_CODE,
      cleanPodPolicy: CleanPodPolicy.RUNNING,
      ttlSecondsAfterFinished: 3600,
      activeDeadlineSeconds: 86400,
      backoffLimit: 3,
      suspend: false,
      sidecars: [{ name: 'metrics', image: 'ghcr.io/acme/exporter:0.3.0', resources: { cpu: { request: '50m', limit: '100m' }, memory: { request: '32Mi', limit: '64Mi' } } }],
      podLabels: { app: 'elastic' },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pj = one(manifests, 'PyTorchJob', 'elastic');
    expect(pj.spec.pytorchReplicaSpecs.Master).toBeUndefined();
    expect(pj.spec.nprocPerNode).toBe('gpu');
    expect(pj.spec.elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 4, rdzvBackend: 'c10d', rdzvPort: 29400, maxRestarts: 10 });
    expect(pj.spec.elasticPolicy.nProcPerNode).toBeUndefined();
    expect(pj.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 86400, backoffLimit: 3, suspend: false });
    expect(pj.spec.pytorchReplicaSpecs.Worker.template.metadata).toEqual({ labels: { app: 'elastic' } });
  });

  // GIT-2: Kueue's PyTorchJob webhook (jobframework BaseWebhook `Default`,
  // kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go `ApplyDefaultForSuspend` @ v0.19.2)
  // suspends labelled jobs on create; Git carries no suspend.
  test('queued on Kueue with the acknowledgement: labels, no runPolicy.suspend in Git', () => {
    const chart = testChart('ml');
    new PyTorchTrainingJob(chart, 'queued', {
      image: IMAGE,
      resources: RESOURCES,
      kueue: { localQueue: 'user-queue', priorityClass: 'high', acknowledgePyTorchJobIntegration: true },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pj = one(manifests, 'PyTorchJob', 'queued');
    expect(pj.metadata.labels).toEqual({ 'kueue.x-k8s.io/queue-name': 'user-queue', 'kueue.x-k8s.io/priority-class': 'high' });
    expect(pj.spec.runPolicy.suspend).toBeUndefined();
    expect(pj.spec.suspend).toBeUndefined();
  });

  test('queued on Kueue: an explicit suspend is refused', () => {
    expect(() => make({ suspend: false, kueue: { localQueue: 'user-queue', acknowledgePyTorchJobIntegration: true } }))
      .toThrow('test/mnist: suspend (false) must be unset on a job queued on Kueue: Kueue suspends and resumes it');
  });

  test('LocalQueue.enqueue with the acknowledgement', () => {
    const chart = testChart('ml');
    const lq = new LocalQueue(chart, 'user-queue', { clusterQueue: 'cq' });
    const job = new PyTorchTrainingJob(chart, 'later', { image: IMAGE, resources: RESOURCES });
    lq.enqueue(job, { acknowledgePyTorchJobIntegration: true });
    expect(job.toManifest().metadata.labels['kueue.x-k8s.io/queue-name']).toBe('user-queue');
    expect(job.toManifest().spec.runPolicy.suspend).toBeUndefined();
  });

  describe('webhook rules', () => {
    test('Kueue without the acknowledgement', () => {
      expect(() => make({ kueue: { localQueue: 'user-queue' } }))
        .toThrow('test/mnist: acknowledgePyTorchJobIntegration (unset) must be true to queue a PyTorchJob: Kueue does not enable the kubeflow.org/pytorchjob integration by default');
    });
    test('job name must be a DNS-1035 label', () => {
      expect(() => make({ name: '1-mnist' })).toThrow('test/mnist: name ("1-mnist") must be a DNS-1035 label');
    });
    test('at least one worker', () => {
      expect(() => make({ workers: 0 })).toThrow('test/mnist: workers (0) must be a whole number of at least 1');
    });
    test('every container has an image; the pytorch name is taken', () => {
      expect(() => make({ sidecars: [{ name: 'side', image: '' }] })).toThrow('test/mnist: sidecars[0].image ("") is not a valid image reference');
      expect(() => make({ sidecars: [{ name: 'pytorch', image: IMAGE }] })).toThrow('test/mnist: sidecars[0].name ("pytorch") is used by another container');
      expect(() => make({ image: 'pytorch/pytorch:latest' })).toThrow('test/mnist: image ("pytorch/pytorch:latest") uses the tag "latest"');
    });
    test('elastic policy bounds', () => {
      expect(() => make({ elasticPolicy: { minReplicas: 3, maxReplicas: 2 } })).toThrow('test/mnist: elasticPolicy.minReplicas (3) must not exceed elasticPolicy.maxReplicas (2)');
      expect(() => make({ workers: 5, elasticPolicy: { minReplicas: 1, maxReplicas: 4 } })).toThrow('test/mnist: workers (5) must be within elasticPolicy.minReplicas (1) and elasticPolicy.maxReplicas (4)');
    });
    test('pod and Service names fit 63 characters', () => {
      expect(() => make({ name: 'a'.repeat(54), workers: 10 })).not.toThrow();
      expect(() => make({ name: 'a'.repeat(54), workers: 11 })).toThrow(`makes the pod and Service name "${'a'.repeat(54)}-worker-10" 64 characters long: it must be at most 63`);
      expect(() => make({ name: 'a'.repeat(55), workers: 1 })).toThrow(`test/mnist: name ("${'a'.repeat(55)}") makes the pod and Service name "${'a'.repeat(55)}-worker-0" 64 characters long`);
    });
    test('nprocPerNode and run policy values', () => {
      expect(() => make({ nprocPerNode: 'many' })).toThrow('test/mnist: nprocPerNode ("many") must be a positive number, auto, cpu or gpu');
      expect(() => make({ backoffLimit: -1 })).toThrow('test/mnist: backoffLimit (-1) must be a whole number of at least 0');
      expect(() => make({ cleanPodPolicy: 'Some' as any })).toThrow('test/mnist: cleanPodPolicy ("Some") must be None, Running or All');
    });
  });
});
