import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Kueue } from './kueue';
import { ILaunchableJob } from './launchable-job';
import { chartNamespace, checkLabels, checkSubdomain } from './util';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { LocalQueueV1Beta2 } from '../imports/kueue-localqueue-kueue.x-k8s.io';

/**
 * Props of a LocalQueue.
 */
export interface LocalQueueProps {
  /**
   * The queue name, the value of the jobs' `kueue.x-k8s.io/queue-name` label (at most 63 characters).
   * @default - the construct id
   */
  readonly name?: string;
  /** The ClusterQueue that backs this queue (immutable once created). */
  readonly clusterQueue: string;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * Options of `LocalQueue.enqueue`.
 */
export interface LocalQueueEnqueueOptions {
  /**
   * A WorkloadPriorityClass name.
   * @default - no priority class
   */
  readonly priorityClass?: string;
  /**
   * Confirm that the PyTorchJob integration is enabled in Kueue (see `KueueEnqueueOptions`).
   * @default false
   */
  readonly acknowledgePyTorchJobIntegration?: boolean;
}

/**
 * A Kueue LocalQueue (kueue.x-k8s.io/v1beta2): the namespaced entry point to a ClusterQueue.
 *
 * @see https://kueue.sigs.k8s.io/docs/concepts/local_queue/
 */
export class LocalQueue extends Construct {
  /** The queue name. */
  public readonly name: string;
  /** The namespace (of the chart), if any. */
  public readonly namespace?: string;
  /** The backing ClusterQueue's name. */
  public readonly clusterQueue: string;
  /** The LocalQueue object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: LocalQueueProps) {
    super(scope, id);
    this.name = objectName(this, props.name, 63, 'it is used as the value of the kueue.x-k8s.io/queue-name label');
    this.namespace = chartNamespace(this);
    checkSubdomain(this, 'clusterQueue', props.clusterQueue);
    checkLabels(this, 'labels', props.labels);
    this.clusterQueue = props.clusterQueue;
    this.resource = new ApiObject(this, 'Resource', {
      ...LocalQueueV1Beta2.GVK,
      metadata: { name: this.name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: { clusterQueue: props.clusterQueue },
    });
  }

  /**
   * Puts a job on this queue (labels plus the kind's suspend field). The job must be in the queue's
   * namespace. Volcano Jobs are rejected: Kueue has no Volcano integration.
   */
  public enqueue(job: ILaunchableJob, options: LocalQueueEnqueueOptions = {}): void {
    if (job.apiGroup !== 'batch.volcano.sh') {
      check(job.namespace === this.namespace, job, 'namespace', job.namespace,
        `must be the LocalQueue's namespace (${JSON.stringify(this.namespace)}): Kueue looks the queue up in the job's namespace`);
    }
    Kueue.enqueue(job, { localQueue: this.name, ...options });
  }
}
