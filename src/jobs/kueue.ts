import { ApiObject } from 'cdk8s';
import { capturedBy, ILaunchableJob } from './launchable-job';
import { checkSubdomain, isLabelValue } from './util';
import { check, PropError } from '../core/errors';

/**
 * How a job is put on a Kueue LocalQueue.
 */
export interface KueueEnqueueOptions {
  /** The LocalQueue's name, in the job's namespace (label `kueue.x-k8s.io/queue-name`). */
  readonly localQueue: string;
  /**
   * A WorkloadPriorityClass name (label `kueue.x-k8s.io/priority-class`).
   * @default - no priority class
   */
  readonly priorityClass?: string;
  /**
   * Confirm that Kueue's configuration enables the PyTorchJob integration (`kubeflow.org/pytorchjob` in
   * `integrations.frameworks`). It is not enabled by default, and without it Kueue ignores the job: it
   * runs outside the queue (launched copies, created suspended, stay suspended forever). Required for
   * PyTorchJobs, ignored otherwise.
   * @default false
   */
  readonly acknowledgePyTorchJobIntegration?: boolean;
}

/**
 * Kueue opt-in for jobs: the queue-name and priority-class labels.
 *
 * The synthesized job carries no `suspend: true`: Kueue's mutating webhook suspends every labelled job on
 * create (kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go `ApplyDefaultForSuspend` @ v0.19.2,
 * called by the Job, TrainJob and PyTorchJob webhooks) and un-suspends it once admitted
 * (pkg/controller/jobframework/reconciler.go). A `suspend: true` in Git would make Argo CD's self-heal
 * suspend the running job again, deleting its pods, in a loop. Jobs a JobLauncher creates keep
 * `suspend: true` (they are not synced).
 *
 * Supported: batch/v1 Job (`spec.suspend`), Kubeflow TrainJob (`spec.suspend`), and Kubeflow PyTorchJob
 * (`spec.runPolicy.suspend`; its integration must be enabled in Kueue's configuration and is deprecated).
 * Volcano Jobs have no Kueue integration and are rejected.
 *
 * @see https://kueue.sigs.k8s.io/docs/tasks/run/jobs/
 */
export class Kueue {
  /** The label that puts a job on a LocalQueue. */
  public static readonly QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';
  /** The label that names a job's WorkloadPriorityClass. */
  public static readonly PRIORITY_CLASS_LABEL = 'kueue.x-k8s.io/priority-class';

  /**
   * Puts a job on a LocalQueue: sets the labels; Kueue's webhook creates the job suspended and Kueue
   * decides when it starts. Call it once per job, before a JobLauncher captures the job.
   */
  public static enqueue(job: ILaunchableJob, options: KueueEnqueueOptions): void {
    const launcher = capturedBy(job);
    if (launcher !== undefined) {
      throw new PropError(job, 'localQueue', options.localQueue,
        `cannot be set: JobLauncher ${launcher} has captured the job's manifest already; enqueue the job before creating its launcher`);
    }
    const obj = ApiObject.of(job);
    const target = `${job.apiGroup}/${job.kind}`;
    if (target === 'batch.volcano.sh/Job') {
      throw new PropError(job, 'localQueue', options.localQueue,
        'cannot queue a Volcano Job: Kueue has no Volcano integration (the job would run unmanaged); queue it on a VolcanoQueue instead');
    }
    checkSubdomain(job, 'localQueue', options.localQueue);
    check(isLabelValue(options.localQueue), job, 'localQueue', options.localQueue, 'must fit a label value (at most 63 characters)');
    if (options.priorityClass !== undefined) {
      checkSubdomain(job, 'priorityClass', options.priorityClass);
      check(isLabelValue(options.priorityClass), job, 'priorityClass', options.priorityClass, 'must fit a label value (at most 63 characters)');
    }
    check(obj.metadata.getLabel(Kueue.QUEUE_NAME_LABEL) === undefined, job, 'localQueue', options.localQueue,
      `cannot be set: the job is already on LocalQueue ${JSON.stringify(obj.metadata.getLabel(Kueue.QUEUE_NAME_LABEL))}`);
    switch (target) {
      case 'batch/Job':
      case 'trainer.kubeflow.org/TrainJob':
        break;
      case 'kubeflow.org/PyTorchJob':
        check(options.acknowledgePyTorchJobIntegration === true, job, 'acknowledgePyTorchJobIntegration', options.acknowledgePyTorchJobIntegration,
          'must be true to queue a PyTorchJob: Kueue does not enable the kubeflow.org/pytorchjob integration by default (add it to integrations.frameworks; ' +
          'it is deprecated), and without it Kueue ignores the job');
        break;
      default:
        throw new PropError(job, 'localQueue', options.localQueue, `cannot queue a ${target}: this library supports batch/Job, kubeflow.org/PyTorchJob and trainer.kubeflow.org/TrainJob`);
    }
    obj.metadata.addLabel(Kueue.QUEUE_NAME_LABEL, options.localQueue);
    if (options.priorityClass !== undefined) obj.metadata.addLabel(Kueue.PRIORITY_CLASS_LABEL, options.priorityClass);
  }

  /**
   * Sets the kind's suspend field on a manifest that carries the queue-name label (jobs a launcher
   * creates: not synced, so suspending them at create is safe and does not rely on Kueue's webhook).
   * @internal
   */
  public static _suspendQueued(manifest: any): void {
    if (manifest?.metadata?.labels?.[Kueue.QUEUE_NAME_LABEL] === undefined) return;
    if (manifest.apiVersion?.startsWith('kubeflow.org/') && manifest.kind === 'PyTorchJob') {
      manifest.spec.runPolicy = { ...(manifest.spec.runPolicy ?? {}), suspend: true };
    } else {
      manifest.spec.suspend = true;
    }
  }

  private constructor() {}
}
