import { App, Chart, Testing } from 'cdk8s';
import { EnvValue } from '../../src/core/env';
import { Volume } from '../../src/core/volume';
import { LocalQueue } from '../../src/jobs/local-queue';
import { VolcanoQueue } from '../../src/jobs/volcano-queue';
import {
  VolcanoAction, VolcanoEvent, VolcanoPlugin, VolcanoRestartPolicy, VolcanoTask, VolcanoTrainingJob, VolcanoTrainingJobProps,
} from '../../src/jobs/volcano-training-job';
import { one, synthValid, testChart } from '../util';

const IMAGE = 'ghcr.io/acme/trainer:1.4.0';
const RESOURCES = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };

function task(name: string, extra: Partial<VolcanoTask> = {}): VolcanoTask {
  return { name, image: IMAGE, resources: RESOURCES, ...extra };
}

function make(props: Partial<VolcanoTrainingJobProps> = {}, id = 'train'): VolcanoTrainingJob {
  return new VolcanoTrainingJob(testChart('ml'), id, { tasks: [task('worker')], ...props });
}

describe('VolcanoTrainingJob', () => {
  test('minimal: one task, restricted pod, scheduler left to the webhook, default queue', () => {
    const chart = testChart('ml');
    const job = new VolcanoTrainingJob(chart, 'train', { tasks: [task('worker', { replicas: 2 })] });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const vj = one(manifests, 'Job', 'train');
    expect(vj.apiVersion).toBe('batch.volcano.sh/v1alpha1');
    expect(vj.metadata.namespace).toBe('ml');
    // VOL-4: volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go `patchDefaultScheduler`
    // @ v1.15.1 fills in the configured scheduler name when unset.
    expect(vj.spec.schedulerName).toBeUndefined();
    expect(vj.spec.queue).toBe('default');
    expect(vj.spec.plugins).toBeUndefined();
    const t = vj.spec.tasks[0];
    // VOL-3: the webhook's task defaults are emitted, because it replaces /spec/tasks as a whole on
    // create (mutate_job.go `mutateSpec` @ v1.15.1): minAvailable = replicas, maxRetry = 3.
    expect(t).toMatchObject({ name: 'worker', replicas: 2, minAvailable: 2, maxRetry: 3 });
    expect(vj.spec.maxRetry).toBeUndefined();
    expect(vj.spec.minAvailable).toBeUndefined();
    expect(t.template.spec.restartPolicy).toBe('Never');
    expect(t.template.spec.containers[0].name).toBe('worker');
    expect(t.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(t.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(job.queue).toBe('default');
  });

  test('PyTorch gang job on a queue: GPUs, policies, plugins (svc added), retries and TTL', () => {
    const chart = testChart('ml');
    const q = new VolcanoQueue(chart, 'research', { weight: 4 });
    const job = new VolcanoTrainingJob(chart, 'llama-ft', {
      queue: q.name,
      minAvailable: 3,
      maxRetry: 2,
      ttlSecondsAfterFinished: 3600,
      priorityClassName: 'high',
      labels: { team: 'research' },
      plugins: [VolcanoPlugin.pytorch({ port: 29500 }), VolcanoPlugin.env()],
      policies: [
        { events: [VolcanoEvent.POD_EVICTED, VolcanoEvent.POD_FAILED], action: VolcanoAction.RESTART_JOB },
        { events: [VolcanoEvent.POD_PENDING], action: VolcanoAction.ABORT_JOB, timeout: '30m' },
        { exitCode: 137, action: VolcanoAction.RESTART_JOB },
      ],
      tasks: [
        task('master', {
          command: ['torchrun', 'train.py'],
          resources: { cpu: { request: '8', limit: '16' }, memory: { request: '64Gi', limit: '64Gi' }, gpu: { count: 8 } },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          volumes: [Volume.emptyDir('dshm', { memory: true, sizeLimit: '16Gi' })],
          volumeMounts: [{ volume: 'dshm', mountPath: '/dev/shm' }],
          env: { HF_TOKEN: EnvValue.fromSecret('hf', 'token') },
          policies: [{ events: [VolcanoEvent.TASK_COMPLETED], action: VolcanoAction.COMPLETE_JOB }],
        }),
        task('worker', { replicas: 2, minAvailable: 2, resources: { cpu: { request: '8', limit: '16' }, memory: { request: '64Gi', limit: '64Gi' }, gpu: { count: 8 } }, podLabels: { role: 'worker' } }),
      ],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const vj = one(manifests, 'Job', 'llama-ft');
    expect(vj.spec.queue).toBe('research');
    expect(vj.spec.minAvailable).toBe(3);
    expect(vj.spec.plugins).toEqual({ env: [], pytorch: ['--port=29500'], svc: [] });
    expect(vj.spec.policies).toEqual([
      { events: ['PodEvicted', 'PodFailed'], action: 'RestartJob' },
      { event: 'PodPending', action: 'AbortJob', timeout: '30m' },
      { exitCode: 137, action: 'RestartJob' },
    ]);
    expect(vj.spec.tasks[0].policies).toEqual([{ event: 'TaskCompleted', action: 'CompleteJob' }]);
    expect(vj.spec.tasks[0].template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('8');
    expect(vj.spec.tasks[1]).toMatchObject({ name: 'worker', replicas: 2, minAvailable: 2 });
    expect(vj.spec.tasks[1].template.metadata).toEqual({ labels: { role: 'worker' } });
    expect(vj.spec).toMatchObject({ maxRetry: 2, ttlSecondsAfterFinished: 3600, priorityClassName: 'high' });
    const queue = one(manifests, 'Queue', 'research');
    expect(queue.metadata.namespace).toBeUndefined();
    expect(job.node.validate()).toEqual([]);
  });

  test('dependsOn, OnFailure restart policy, custom container name and svc options', () => {
    const chart = testChart('ml');
    new VolcanoTrainingJob(chart, 'pipeline', {
      plugins: [VolcanoPlugin.svc({ publishNotReadyAddresses: true, disableNetworkPolicy: true }), VolcanoPlugin.ssh()],
      tasks: [
        task('prep', { restartPolicy: VolcanoRestartPolicy.ON_FAILURE, containerName: 'prep-data', maxRetry: 5 }),
        task('train', { dependsOn: ['prep'], replicas: 4 }),
      ],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const vj = one(manifests, 'Job', 'pipeline');
    expect(vj.spec.plugins).toEqual({ ssh: [], svc: ['--publish-not-ready-addresses', '--disable-network-policy'] });
    expect(vj.spec.tasks[0].template.spec.restartPolicy).toBe('OnFailure');
    expect(vj.spec.tasks[0].template.spec.containers[0].name).toBe('prep-data');
    expect(vj.spec.tasks[0].maxRetry).toBe(5);
    expect(vj.spec.tasks[1].dependsOn).toEqual({ name: ['prep'] });
  });

  test('ILaunchableJob and toManifest', () => {
    const job = make({ name: 'ft-run' });
    expect(job.apiVersion).toBe('batch.volcano.sh/v1alpha1');
    expect(job.kind).toBe('Job');
    expect(job.apiGroup).toBe('batch.volcano.sh');
    expect(job.plural).toBe('jobs');
    expect(job.jobName).toBe('ft-run');
    expect(job.namespace).toBe('ml');
    const m = job.toManifest();
    expect(m.metadata).toEqual({ name: 'ft-run', namespace: 'ml' });
    expect(m.spec.tasks[0].name).toBe('worker');
  });

  test('pytorch plugin with custom role names passes them as flags', () => {
    const chart = testChart('ml');
    new VolcanoTrainingJob(chart, 'ddp', {
      plugins: [VolcanoPlugin.pytorch({ master: 'head', worker: 'node' }), VolcanoPlugin.svc()],
      tasks: [task('head'), task('node', { replicas: 3 })],
    });
    const vj = one(synthValid(chart), 'Job', 'ddp');
    expect(vj.spec.plugins).toEqual({ pytorch: ['--master=head', '--worker=node'], svc: [] });
  });

  describe('webhook and admission policy rules', () => {
    test('no tasks', () => {
      expect(() => make({ tasks: [] })).toThrow('test/train: tasks ([]) must have at least one task (Volcano: "No task specified in job spec")');
    });
    test('duplicate task names', () => {
      expect(() => make({ tasks: [task('worker'), task('worker')] })).toThrow('test/train: tasks[1].name ("worker") is used by another task: task names must be unique');
    });
    test('task name not a DNS-1123 label', () => {
      expect(() => make({ tasks: [task('Worker_1')] })).toThrow(/tasks\[0\]\.name \("Worker_1"\) must be a DNS-1123 label/);
    });
    test('negative replicas', () => {
      expect(() => make({ tasks: [task('worker', { replicas: -1 })] })).toThrow('test/train: tasks[0].replicas (-1) must be a whole number of at least 0');
    });
    test('negative task minAvailable', () => {
      expect(() => make({ tasks: [task('worker', { minAvailable: -2 })] })).toThrow('tasks[0].minAvailable (-2) must be a whole number of at least 0');
    });
    test('negative job minAvailable, maxRetry and ttl', () => {
      expect(() => make({ minAvailable: -1 })).toThrow('test/train: minAvailable (-1) must be a whole number of at least 1');
      expect(() => make({ maxRetry: -1 })).toThrow('test/train: maxRetry (-1) must be a whole number of at least 1');
      expect(() => make({ ttlSecondsAfterFinished: -5 })).toThrow('test/train: ttlSecondsAfterFinished (-5) must be a whole number of at least 0');
      expect(() => make({ tasks: [task('worker', { maxRetry: -1 })] })).toThrow('tasks[0].maxRetry (-1) must be a whole number of at least 1');
    });
    // VOL-1: volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go @ v1.15.1 reads 0 as unset:
    // job maxRetry 0 -> 3 (`patchDefaultMaxRetry`), job minAvailable 0 -> the sum (`patchDefaultMinAvailable`),
    // task maxRetry 0 -> 3 (`mutateSpec`). A task's minAvailable is a pointer there: 0 stays 0.
    test('0 means unset to Volcano: maxRetry and job minAvailable need at least 1', () => {
      expect(() => make({ maxRetry: 0 })).toThrow('test/train: maxRetry (0) must be a whole number of at least 1 (Volcano reads 0 as unset and retries 3 times; '
        + 'to never retry, add the policy { events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.TERMINATE_JOB })');
      expect(() => make({ tasks: [task('worker', { maxRetry: 0 })] })).toThrow('test/train: tasks[0].maxRetry (0) must be a whole number of at least 1 (Volcano reads 0 as unset');
      expect(() => make({ minAvailable: 0 })).toThrow('test/train: minAvailable (0) must be a whole number of at least 1 (Volcano reads 0 as unset and gangs the sum of the tasks\' minAvailable)');
      const j = make({ tasks: [task('worker', { replicas: 2, minAvailable: 0 })] });
      expect(j.toManifest().spec.tasks[0].minAvailable).toBe(0);
    });
    test('never retry: the PodFailed -> TerminateJob policy validates', () => {
      const chart = testChart('ml');
      new VolcanoTrainingJob(chart, 'train', {
        tasks: [task('worker')],
        policies: [{ events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.TERMINATE_JOB }],
      });
      expect(one(synthValid(chart), 'Job', 'train').spec.policies).toEqual([{ event: 'PodFailed', action: 'TerminateJob' }]);
    });
    // VOL-4: mutate_job.go `patchDefaultScheduler` @ v1.15.1 only fills an empty schedulerName.
    test('schedulerName: emitted when set, checked', () => {
      expect(make({ schedulerName: 'volcano-gpu' }).toManifest().spec.schedulerName).toBe('volcano-gpu');
      expect(() => make({ schedulerName: 'Volcano GPU' })).toThrow('test/train: schedulerName ("Volcano GPU") must be a DNS-1123 subdomain');
    });
    test('task minAvailable > replicas', () => {
      expect(() => make({ tasks: [task('a'), task('b', { replicas: 2, minAvailable: 4 })] }))
        .toThrow('test/train: tasks[1].minAvailable (4) must not exceed tasks[1].replicas (2)');
    });
    test('job minAvailable > total replicas', () => {
      expect(() => make({ minAvailable: 4, tasks: [task('a'), task('b', { replicas: 2 })] }))
        .toThrow('test/train: minAvailable (4) must not exceed the total replicas of the tasks (3)');
    });
    test('unknown event', () => {
      expect(() => make({ policies: [{ events: ['PodRunning' as any], action: VolcanoAction.RESTART_JOB }] }))
        .toThrow('test/train: policies[0].events[0] ("PodRunning") is an unknown event');
    });
    test('unknown action', () => {
      expect(() => make({ policies: [{ events: [VolcanoEvent.POD_FAILED], action: 'SyncJob' as any }] }))
        .toThrow('test/train: policies[0].action ("SyncJob") is an unknown action');
    });
    test('unknown plugin', () => {
      expect(() => make({ plugins: [{ name: 'horovod', args: [] } as any] })).toThrow(/plugins\[0\] \(.*horovod.*\) is an unknown plugin/);
    });
    test('duplicate plugin', () => {
      expect(() => make({ plugins: [VolcanoPlugin.env(), VolcanoPlugin.env()] })).toThrow('plugins[1] ("env") is given twice');
    });
    test('policy with both event and exitCode', () => {
      expect(() => make({ policies: [{ events: [VolcanoEvent.POD_FAILED], exitCode: 3, action: VolcanoAction.RESTART_JOB }] }))
        .toThrow(/policies\[0\] .* must not set both events and exitCode/);
    });
    test('policy with neither event nor exitCode', () => {
      expect(() => make({ policies: [{ action: VolcanoAction.RESTART_JOB }] })).toThrow(/policies\[0\] .* must set events or exitCode/);
    });
    test('exitCode 0', () => {
      expect(() => make({ policies: [{ exitCode: 0, action: VolcanoAction.RESTART_JOB }] }))
        .toThrow('test/train: policies[0].exitCode (0) must not be 0 (Volcano: "0 is not a valid error code")');
    });
    test('duplicate event and exit code across policies', () => {
      expect(() => make({
        policies: [
          { events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.RESTART_JOB },
          { events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.ABORT_JOB },
        ],
      })).toThrow('policies[1].events[0] ("PodFailed") is handled by another policy of policies');
      expect(() => make({
        tasks: [task('w', { policies: [{ exitCode: 2, action: VolcanoAction.RESTART_TASK }, { exitCode: 2, action: VolcanoAction.RESTART_POD }] })],
      })).toThrow('tasks[0].policies[1].exitCode (2) is handled by another policy of tasks[0].policies');
    });
    test('"*" with other events', () => {
      expect(() => make({
        policies: [{ events: [VolcanoEvent.ANY], action: VolcanoAction.RESTART_JOB }, { events: [VolcanoEvent.POD_EVICTED], action: VolcanoAction.ABORT_JOB }],
      })).toThrow(/policies \(\["\*","PodEvicted"\]\) must not combine the event "\*" with other events/);
    });
    test('bad timeout', () => {
      expect(() => make({ policies: [{ events: [VolcanoEvent.POD_PENDING], action: VolcanoAction.ABORT_JOB, timeout: '10 minutes' }] }))
        .toThrow('policies[0].timeout ("10 minutes") must be a Go duration');
    });
    test('queue root', () => {
      expect(() => make({ queue: 'root' })).toThrow('test/train: queue ("root") must not be the root queue');
    });
    test('queue that is not a leaf of this app', () => {
      const chart = testChart('ml');
      new VolcanoQueue(chart, 'org');
      new VolcanoQueue(chart, 'team-a', { parent: 'org' });
      const job = new VolcanoTrainingJob(chart, 'train', { queue: 'org', tasks: [task('w')] });
      expect(job.node.validate()).toEqual(['queue ("org") has child queues in this app (team-a): Volcano accepts jobs only on leaf queues']);
    });
    test('invalid job name', () => {
      expect(() => make({ name: 'Train.Job' })).toThrow(/test\/train: name \("Train.Job"\) must be a DNS-1123 label/);
    });
    test('job name must be DNS-1035 with svc', () => {
      expect(() => make({ name: '1st-run', plugins: [VolcanoPlugin.pytorch()], tasks: [task('master'), task('worker')] }))
        .toThrow(/name \("1st-run"\) must be a DNS-1035 label/);
    });
    test('pod name over 63 characters (computed with the max index)', () => {
      const jobName = 'a'.repeat(54);
      // 10 pods: the last is <job>-worker-9, 63 characters; 11 pods: <job>-worker-10, 64.
      expect(() => make({ name: jobName, tasks: [task('worker', { replicas: 10 })] })).not.toThrow();
      expect(() => make({ name: jobName, tasks: [task('worker', { replicas: 11 })] }))
        .toThrow(`test/train: tasks[0].name ("worker") makes the pod name "${jobName}-worker-10" 64 characters long: pod names <job>-<task>-<index> must be at most 63`);
    });
    test('dependsOn unknown task', () => {
      expect(() => make({ tasks: [task('a', { dependsOn: ['b'] })] })).toThrow('test/train: tasks[0].dependsOn[0] ("b") names no task of the job (tasks: a)');
    });
    test('dependsOn cycle', () => {
      expect(() => make({ tasks: [task('a', { dependsOn: ['c'] }), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['b'] })] }))
        .toThrow('test/train: tasks.dependsOn ("a -> c -> b -> a") forms a cycle');
      expect(() => make({ tasks: [task('a', { dependsOn: ['a'] })] })).toThrow('must not name the task itself');
    });
    test('pytorch master or worker task missing', () => {
      expect(() => make({ plugins: [VolcanoPlugin.pytorch()], tasks: [task('worker')] }))
        .toThrow('test/train: plugins.pytorch.master ("master") names no task of the job (tasks: worker)');
      expect(() => make({ plugins: [VolcanoPlugin.pytorch({ worker: 'workers' })], tasks: [task('master'), task('worker')] }))
        .toThrow('plugins.pytorch.worker ("workers") names no task of the job');
      expect(() => make({ plugins: [VolcanoPlugin.pytorch({ port: 70000 })], tasks: [task('master'), task('worker')] }))
        .toThrow('plugins.pytorch.port (70000) must be a whole number from 1 to 65535');
      expect(() => make({ plugins: [VolcanoPlugin.pytorch({ worker: 'master' })], tasks: [task('master')] }))
        .toThrow('plugins.pytorch.worker ("master") must differ from plugins.pytorch.master');
    });
    test('pytorch master task with more than one replica', () => {
      expect(() => make({ plugins: [VolcanoPlugin.pytorch()], tasks: [task('master', { replicas: 2 }), task('worker')] }))
        .toThrow('tasks[0].replicas (2) must be 1 for the pytorch master task: every master pod gets RANK 0');
    });
    test('restartPolicy Always', () => {
      expect(() => make({ tasks: [task('w', { restartPolicy: 'Always' as any })] }))
        .toThrow('test/train: tasks[0].restartPolicy ("Always") must be Never or OnFailure: with Always the pods never finish');
    });
    test('OnFailure with PodFailed or exitCode policies', () => {
      expect(() => make({
        tasks: [task('w', { restartPolicy: VolcanoRestartPolicy.ON_FAILURE, policies: [{ exitCode: 3, action: VolcanoAction.RESTART_TASK }] })],
      })).toThrow(/tasks\[0\]\.policies\[0\] .* never fires with tasks\[0\]\.restartPolicy OnFailure/);
    });
    test('container errors name the task', () => {
      expect(() => make({ tasks: [task('a'), task('b', { image: 'busybox:latest' })] })).toThrow('test/train: tasks[1].image ("busybox:latest") uses the tag "latest"');
      expect(() => make({ tasks: [task('a', { sidecars: [{ name: 'a', image: IMAGE }] })] }))
        .toThrow('test/train: tasks[0].sidecars[0].name ("a") is used by another container');
    });
    test('cannot be queued on a Kueue LocalQueue', () => {
      const chart = testChart('ml');
      const lq = new LocalQueue(chart, 'team', { clusterQueue: 'cq' });
      const job = new VolcanoTrainingJob(chart, 'train', { tasks: [task('w')] });
      expect(() => lq.enqueue(job)).toThrow('test/train: localQueue ("team") cannot queue a Volcano Job: Kueue has no Volcano integration');
    });
  });

  test('a chart without namespace leaves the namespace unset', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const job = new VolcanoTrainingJob(chart, 'train', { tasks: [task('w')] });
    expect(job.namespace).toBeUndefined();
    expect(synthValid(chart)[0].metadata.namespace).toBeUndefined();
    expect(app).toBeInstanceOf(App);
  });
});
