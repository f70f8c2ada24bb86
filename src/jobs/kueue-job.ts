import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Kueue } from './kueue';
import { ILaunchableJob } from './launchable-job';
import { chartNamespace, checkInt, checkLabels, manifestOf } from './util';
import { ContainerOptions } from '../core/container';
import { check } from '../core/errors';
import { k8s } from '../core/k8s';
import { objectName } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';

/**
 * The restart policy of a batch Job's pods (Kubernetes allows only these two for Jobs).
 */
export enum JobRestartPolicy {
  /** A failed pod is replaced by a new pod (counts against backoffLimit). */
  NEVER = 'Never',
  /** The kubelet restarts failed containers in place. */
  ON_FAILURE = 'OnFailure',
}

/**
 * Props of a KueueJob: the main container's options, pod options and the Job's own settings.
 */
export interface KueueJobProps extends ContainerOptions, PodOptions {
  /**
   * The Job name.
   * @default - the construct id
   */
  readonly name?: string;
  /** The LocalQueue (in the Job's namespace) that admits the Job. */
  readonly localQueue: string;
  /**
   * A WorkloadPriorityClass name.
   * @default - no priority class
   */
  readonly priorityClass?: string;
  /**
   * The main container's name.
   * @default "main"
   */
  readonly containerName?: string;
  /**
   * Pods running at once; Kueue admits the Job's quota for this many pods.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Successful pods needed to complete the Job. Unset means work-queue semantics (Kubernetes): the Job
   * completes once any pod succeeds and all its pods have terminated; the pods must coordinate who does
   * what. Set it (often equal to parallelism) for a fixed number of completions.
   * @default - unset: work queue
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#parallel-jobs
   */
  readonly completions?: number;
  /**
   * Retries before the Job is marked failed.
   * @default - Kubernetes' (6)
   */
  readonly backoffLimit?: number;
  /**
   * Maximum run time in seconds (counted from when Kueue resumes the Job).
   * @default - none
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Delete the Job this many seconds after it finished.
   * @default - kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * The pods' restart policy.
   * @default JobRestartPolicy.NEVER
   */
  readonly restartPolicy?: JobRestartPolicy;
  /**
   * Extra labels on the Job.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A batch/v1 Job queued on a Kueue LocalQueue: label `kueue.x-k8s.io/queue-name`; Kueue's webhook creates
 * it suspended and Kueue resumes it once quota is admitted (the synthesized Job has no `suspend`, see
 * `Kueue.enqueue`).
 *
 * Kueue admits a Job's quota as a whole but does not gang-schedule its pods unless Kueue's configuration
 * sets `waitForPodsReady` (all-or-nothing: it evicts a Job whose pods are not ready in time).
 *
 * @see https://kueue.sigs.k8s.io/docs/tasks/run/jobs/
 */
export class KueueJob extends Construct implements ILaunchableJob {
  public readonly apiVersion: string = k8s.KubeJob.GVK.apiVersion;
  public readonly kind: string = k8s.KubeJob.GVK.kind;
  public readonly apiGroup: string = 'batch';
  public readonly plural: string = 'jobs';
  public readonly jobName: string;
  /** 63: the Job controller labels pods with `batch.kubernetes.io/job-name`, a label value. */
  public readonly maxNameLength: number = 63;
  public readonly namespace?: string;
  /** The Job object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KueueJobProps) {
    super(scope, id);
    this.jobName = objectName(this, props.name);
    this.namespace = chartNamespace(this);
    checkLabels(this, 'labels', props.labels);
    checkInt(this, 'parallelism', props.parallelism, 1);
    checkInt(this, 'completions', props.completions, 1);
    checkInt(this, 'backoffLimit', props.backoffLimit, 0);
    checkInt(this, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 1);
    checkInt(this, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0);
    const restartPolicy = props.restartPolicy ?? JobRestartPolicy.NEVER;
    check(Object.values(JobRestartPolicy).includes(restartPolicy), this, 'restartPolicy', restartPolicy, 'must be Never or OnFailure (Kubernetes rejects Always for Jobs)');

    const podSpec = renderPodSpec(this, { name: props.containerName ?? 'main', field: '', options: props }, props);
    podSpec.restartPolicy = restartPolicy;
    const metadata: any = {
      ...(props.podLabels && Object.keys(props.podLabels).length ? { labels: { ...props.podLabels } } : {}),
      ...(props.podAnnotations && Object.keys(props.podAnnotations).length ? { annotations: { ...props.podAnnotations } } : {}),
    };
    this.resource = new ApiObject(this, 'Resource', {
      ...k8s.KubeJob.GVK,
      metadata: { name: this.jobName, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        parallelism: props.parallelism ?? 1,
        ...(props.completions !== undefined ? { completions: props.completions } : {}),
        ...(props.backoffLimit !== undefined ? { backoffLimit: props.backoffLimit } : {}),
        ...(props.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: props.activeDeadlineSeconds } : {}),
        ...(props.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: props.ttlSecondsAfterFinished } : {}),
        template: { ...(Object.keys(metadata).length ? { metadata } : {}), spec: podSpec },
      },
    });
    Kueue.enqueue(this, { localQueue: props.localQueue, priorityClass: props.priorityClass });
  }

  public toManifest(): any {
    return manifestOf(this);
  }
}
