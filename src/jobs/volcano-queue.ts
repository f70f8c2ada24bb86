import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkInt, checkLabels, checkQuantity, checkResourceName, checkSubdomain } from './util';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { boolProp } from '../core/props';
import { ConstructRegistry } from '../core/registry';
import { makeClusterScoped } from '../core/scope';
import { Queue as VolcanoQueueL1 } from '../imports/volcano-queue-scheduling.volcano.sh';

/**
 * Props of a VolcanoQueue.
 */
export interface VolcanoQueueProps {
  /**
   * The queue name (cluster-wide). Not `root` (the hierarchy's root, created by Volcano) nor `default`
   * (created by Volcano's chart).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The queue's share of the cluster relative to other queues' weights, 1 to 65535.
   * @default 1
   */
  readonly weight?: number;
  /**
   * The most the queue may use, by resource name (`cpu: '64'`, `nvidia.com/gpu: '8'`).
   * @default - no limit
   */
  readonly capability?: { [resource: string]: string };
  /**
   * What the queue deserves under contention (capacity plugin); what is used above it may be reclaimed.
   * Each resource must be at most its capability.
   * @default - none
   */
  readonly deserved?: { [resource: string]: string };
  /**
   * Resources reserved for the queue. Requires `deserved`; each resource must be at most its deserved
   * amount (and its capability).
   * @default - none
   */
  readonly guarantee?: { [resource: string]: string };
  /**
   * Whether other queues may reclaim resources this queue uses above its deserved share.
   * @default - Volcano's (true)
   */
  readonly reclaimable?: boolean;
  /**
   * The parent queue in a hierarchy (a queue with children accepts no jobs).
   * @default - Volcano's: root
   */
  readonly parent?: string;
  /**
   * Priority among queues (higher is scheduled first and reclaimed last).
   * @default - none
   */
  readonly priority?: number;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const QUEUES = new ConstructRegistry<VolcanoQueue>();

/**
 * A Volcano Queue (scheduling.volcano.sh/v1beta1, cluster-scoped). Volcano opens it (`status.state: Open`)
 * once created; jobs can only be submitted to Open leaf queues.
 *
 * Hierarchies: Volcano's webhook rejects a child queue whose parent does not exist yet
 * (volcano-sh/volcano pkg/webhooks/admission/queues/validate/validate_queue.go:373-390 @ v1.15.1) and a
 * parent queue that still has children cannot be deleted (`validateQueueDeleting`). Within the app, the
 * hierarchy is checked at synth (no cycles; a child's capability at most its parent's; children's
 * deserved and guarantee summing to at most the parent's), an AsyncPipeline with `argoSyncWaves` applies
 * parents first, and a queue with children in the app is annotated `PruneLast=true` so Argo CD prunes it
 * after them (its children are then gone). A parent outside the app must exist before the sync (or the
 * Application's retry converges once it does).
 *
 * @see https://volcano.sh/en/docs/queue/
 */
export class VolcanoQueue extends Construct {
  /** The queue name. */
  public readonly name: string;
  /** The parent queue, if set. */
  public readonly parent?: string;
  /** The Queue object. */
  public readonly resource: ApiObject;
  private readonly capability?: Map<string, Amount>;
  private readonly deserved?: Map<string, Amount>;
  private readonly guarantee?: Map<string, Amount>;
  private isParent = false;

  constructor(scope: Construct, id: string, props: VolcanoQueueProps = {}) {
    super(scope, id);
    this.name = objectName(this, props.name);
    check(this.name !== 'root', this, 'name', this.name, 'must not be "root": Volcano creates the root of the queue hierarchy itself');
    check(this.name !== 'default', this, 'name', this.name, 'must not be "default": Volcano\'s chart creates that queue (and forbids deleting it)');
    checkInt(this, 'weight', props.weight, 1, 65535);
    checkInt(this, 'priority', props.priority, 0);
    checkLabels(this, 'labels', props.labels);
    boolProp(this, 'reclaimable', props.reclaimable);
    if (props.parent !== undefined) {
      checkSubdomain(this, 'parent', props.parent);
      check(props.parent !== this.name, this, 'parent', props.parent, 'must not be the queue itself');
    }
    this.parent = props.parent;

    const capability = this.resources('capability', props.capability);
    const deserved = this.resources('deserved', props.deserved);
    const guarantee = this.resources('guarantee', props.guarantee);
    this.capability = capability;
    this.deserved = deserved;
    this.guarantee = guarantee;
    // installer/helm/chart/volcano/policy/queues-validating.yaml
    if (capability && deserved) this.atMost('deserved', deserved, 'capability', capability);
    if (guarantee) {
      check(deserved !== undefined, this, 'guarantee', props.guarantee, 'requires deserved (Volcano: "guarantee should less equal than deserved")');
      this.atMost('guarantee', guarantee, 'deserved', deserved!);
      if (capability) this.atMost('guarantee', guarantee, 'capability', capability);
    }

    this.resource = new ApiObject(this, 'Resource', {
      ...VolcanoQueueL1.GVK,
      metadata: { name: this.name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        weight: props.weight ?? 1,
        ...(props.capability && Object.keys(props.capability).length ? { capability: { ...props.capability } } : {}),
        ...(props.deserved && Object.keys(props.deserved).length ? { deserved: { ...props.deserved } } : {}),
        ...(props.guarantee && Object.keys(props.guarantee).length ? { guarantee: { resource: { ...props.guarantee } } } : {}),
        ...(props.reclaimable !== undefined ? { reclaimable: props.reclaimable } : {}),
        ...(props.parent !== undefined ? { parent: props.parent } : {}),
        ...(props.priority !== undefined ? { priority: props.priority } : {}),
      },
    });
    makeClusterScoped(this.resource);
    this.linkHierarchy();
    this.node.addValidation({ validate: () => this.validateHierarchy() });
  }

  /** VOL-6: a queue with children is pruned last (Volcano refuses to delete a parent with children). */
  private linkHierarchy(): void {
    const queues = QUEUES.of(this);
    for (const q of queues) {
      if (q.parent === this.name && q.name !== this.name) this.markParent();
      if (this.parent !== undefined && q.name === this.parent) q.markParent();
    }
    QUEUES.add(this);
  }

  private markParent(): void {
    if (this.isParent) return;
    this.isParent = true;
    this.resource.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'PruneLast=true');
  }

  /** The app's hierarchy under this queue's parent: cycles, capability and the children's sums. */
  private validateHierarchy(): string[] {
    const byName = new Map(QUEUES.of(this).map((q) => [q.name, q]));
    const errors: string[] = [];
    const seen = new Set<string>([this.name]);
    for (let p = this.parent; p !== undefined && byName.has(p); p = byName.get(p)!.parent) {
      if (seen.has(p)) {
        errors.push(`${this.node.path}: parent (${JSON.stringify(this.parent)}) closes a cycle of queues (${[...seen].join(' -> ')} -> ${p}): Volcano needs each parent to exist before its child`);
        break;
      }
      seen.add(p);
    }
    const parent = this.parent !== undefined ? byName.get(this.parent) : undefined;
    if (parent && this.capability && parent.capability) {
      for (const [k, v] of this.capability) {
        const limit = parent.capability.get(k);
        if (limit !== undefined && v.value > limit.value) {
          errors.push(`${this.node.path}: capability["${k}"] (${JSON.stringify(v.text)}) must not exceed the capability of its parent queue ${parent.name} (${limit.text})`);
        }
      }
    }
    // The sums are checked once, by the parent.
    const children = [...byName.values()].filter((q) => q.parent === this.name && q !== this);
    for (const [field, own] of [['deserved', this.deserved], ['guarantee', this.guarantee]] as const) {
      if (!own) continue;
      const sums = new Map<string, number>();
      for (const c of children) for (const [k, v] of c[field] ?? []) sums.set(k, (sums.get(k) ?? 0) + v.value);
      for (const [k, sum] of sums) {
        const limit = own.get(k);
        if (limit !== undefined && sum > limit.value) {
          errors.push(`${this.node.path}: ${field}["${k}"] (${JSON.stringify(limit.text)}) is less than the sum of its child queues' ${field} `
            + `(${children.map((c) => c.name).join(', ')}): Volcano requires children's ${field} to fit in the parent's`);
        }
      }
    }
    return errors;
  }

  private resources(field: string, list: { [resource: string]: string } | undefined): Map<string, Amount> | undefined {
    if (!list || Object.keys(list).length === 0) return undefined;
    const out = new Map<string, Amount>();
    for (const [k, v] of Object.entries(list)) {
      checkResourceName(this, field, k);
      out.set(k, { text: v, value: checkQuantity(this, `${field}["${k}"]`, v) });
    }
    return out;
  }

  /** Every resource of `small` is listed in `big` with at least as much. */
  private atMost(smallField: string, small: Map<string, Amount>, bigField: string, big: Map<string, Amount>): void {
    for (const [k, v] of small) {
      const limit = big.get(k);
      check(limit !== undefined, this, `${smallField}["${k}"]`, v.text, `needs ${bigField}["${k}"] too: Volcano requires every resource of ${smallField} in ${bigField}`);
      check(v.value <= limit!.value, this, `${smallField}["${k}"]`, v.text, `must not exceed ${bigField}["${k}"] (${limit!.text})`);
    }
  }
}

interface Amount {
  readonly text: string;
  readonly value: number;
}
