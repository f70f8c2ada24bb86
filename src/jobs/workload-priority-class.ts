import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkInt } from './util';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { makeClusterScoped } from '../core/scope';
import { WorkloadPriorityClassV1Beta2 } from '../imports/kueue-workloadpriorityclass-kueue.x-k8s.io';

/**
 * Props of a WorkloadPriorityClass.
 */
export interface WorkloadPriorityClassProps {
  /**
   * The class name, the value of the jobs' `kueue.x-k8s.io/priority-class` label (at most 63 characters).
   * @default - the construct id
   */
  readonly name?: string;
  /** The priority; higher is admitted first and preempted last (a 32-bit integer). */
  readonly value: number;
  /**
   * What the class is for.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A Kueue WorkloadPriorityClass (kueue.x-k8s.io/v1beta2, cluster-scoped): a priority for queueing and
 * preemption that, unlike a PriorityClass, does not change the pods' scheduling priority.
 *
 * @see https://kueue.sigs.k8s.io/docs/concepts/workload_priority_class/
 */
export class WorkloadPriorityClass extends Construct {
  /** The class name. */
  public readonly name: string;
  /** The WorkloadPriorityClass object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: WorkloadPriorityClassProps) {
    super(scope, id);
    this.name = objectName(this, props.name, 63, 'it is used as the value of the kueue.x-k8s.io/priority-class label');
    check(props.value !== undefined && props.value !== null, this, 'value', props.value, 'is required (the priority, a whole number)');
    checkInt(this, 'value', props.value, -2147483648);
    check(props.description === undefined || typeof props.description === 'string', this, 'description', props.description, 'must be a string');
    this.resource = new ApiObject(this, 'Resource', {
      ...WorkloadPriorityClassV1Beta2.GVK,
      metadata: { name: this.name },
      value: props.value,
      ...(props.description !== undefined ? { description: props.description } : {}),
    });
    makeClusterScoped(this.resource);
  }
}
