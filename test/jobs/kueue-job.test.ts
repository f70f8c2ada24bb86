import { EnvValue } from '../../src/core/env';
import { JobRestartPolicy, KueueJob } from '../../src/jobs/kueue-job';
import { LocalQueue } from '../../src/jobs/local-queue';
import { one, synthValid, testChart } from '../util';

const IMAGE = 'ghcr.io/acme/batch:2.0.1';
const RESOURCES = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };

describe('KueueJob', () => {
  // GIT-2: Kueue's Job webhook suspends labelled Jobs on create
  // (kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go `ApplyDefaultForSuspend` @ v0.19.2,
  // pkg/controller/jobs/job/job_webhook.go `Default`) and resumes them when admitted (jobframework/reconciler.go):
  // a suspend: true in Git would fight Argo CD's self-heal, so it is not emitted.
  test('a batch/v1 Job on a LocalQueue: queue-name label, no suspend in Git, restricted pod', () => {
    const chart = testChart('team-a');
    const job = new KueueJob(chart, 'sample-job', { localQueue: 'user-queue', image: IMAGE, args: ['30s'], resources: { cpu: { request: '1', limit: '1' }, memory: { request: '200Mi', limit: '200Mi' } } });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const j = one(manifests, 'Job', 'sample-job');
    expect(j.apiVersion).toBe('batch/v1');
    expect(j.metadata.labels).toEqual({ 'kueue.x-k8s.io/queue-name': 'user-queue' });
    expect(j.spec.suspend).toBeUndefined();
    expect(j.spec.parallelism).toBe(1);
    expect(j.spec.template.spec.restartPolicy).toBe('Never');
    expect(j.spec.template.spec.containers[0].name).toBe('main');
    expect(j.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(job.toManifest()).toEqual(j);
    expect([job.apiGroup, job.plural, job.kind, job.apiVersion, job.jobName, job.namespace]).toEqual(['batch', 'jobs', 'Job', 'batch/v1', 'sample-job', 'team-a']);
  });

  test('priority class, parallel completions and limits', () => {
    const chart = testChart('team-a');
    const job = new KueueJob(chart, 'embed-batch', {
      localQueue: 'user-queue',
      priorityClass: 'high',
      image: IMAGE,
      env: { MODEL: EnvValue.fromValue('bge-m3') },
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
      parallelism: 4,
      completions: 16,
      backoffLimit: 2,
      activeDeadlineSeconds: 7200,
      ttlSecondsAfterFinished: 600,
      restartPolicy: JobRestartPolicy.ON_FAILURE,
      labels: { app: 'embed' },
      podLabels: { app: 'embed' },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const j = one(manifests, 'Job', 'embed-batch');
    expect(j.metadata.labels).toEqual({ 'app': 'embed', 'kueue.x-k8s.io/queue-name': 'user-queue', 'kueue.x-k8s.io/priority-class': 'high' });
    expect(j.spec).toMatchObject({
      parallelism: 4, completions: 16, backoffLimit: 2, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 600,
    });
    expect(j.spec.suspend).toBeUndefined();
    expect(job.maxNameLength).toBe(63);
  });

  test('rules', () => {
    expect(() => new KueueJob(testChart(), 'j', { localQueue: 'q', image: IMAGE, resources: RESOURCES, restartPolicy: 'Always' as any }))
      .toThrow('test/j: restartPolicy ("Always") must be Never or OnFailure');
    expect(() => new KueueJob(testChart(), 'j', { localQueue: 'Q!', image: IMAGE, resources: RESOURCES })).toThrow('test/j: localQueue ("Q!") must be a DNS-1123 subdomain');
    expect(() => new KueueJob(testChart(), 'j', { localQueue: 'q', image: IMAGE, resources: RESOURCES, parallelism: 0 })).toThrow('test/j: parallelism (0) must be a whole number of at least 1');
    expect(() => new KueueJob(testChart(), 'j', { localQueue: 'q'.repeat(64), image: IMAGE, resources: RESOURCES })).toThrow('must fit a label value (at most 63 characters)');
  });

  test('LocalQueue.enqueue checks the namespace and refuses a second queue', () => {
    const chart = testChart('team-a');
    const lq = new LocalQueue(testChart('team-b'), 'other', { clusterQueue: 'cq' });
    const job = new KueueJob(chart, 'j', { localQueue: 'user-queue', image: IMAGE, resources: RESOURCES });
    expect(() => lq.enqueue(job)).toThrow('test/j: namespace ("team-a") must be the LocalQueue\'s namespace ("team-b")');
    const same = new LocalQueue(chart, 'again', { clusterQueue: 'cq' });
    expect(() => same.enqueue(job)).toThrow('test/j: localQueue ("again") cannot be set: the job is already on LocalQueue "user-queue"');
  });
});
