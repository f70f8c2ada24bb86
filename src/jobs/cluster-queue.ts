import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkLabels, checkQuantity, checkResourceName, checkSubdomain } from './util';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { listProp, objectProp, stringListProp } from '../core/props';
import { makeClusterScoped } from '../core/scope';
import { ClusterQueueV1Beta2 } from '../imports/kueue-clusterqueue-kueue.x-k8s.io';

/**
 * Quota of one ResourceFlavor in a resource group.
 */
export interface ClusterQueueFlavorQuota {
  /** The ResourceFlavor's name. */
  readonly flavor: string;
  /** The nominal quota of every covered resource of the group (exactly those), e.g. `{ cpu: '32', memory: '128Gi' }`. */
  readonly nominalQuota: { [resource: string]: string };
  /**
   * How much more than its nominal quota the queue may borrow from its cohort, per resource. Needs a cohort.
   * @default - no limit
   */
  readonly borrowingLimit?: { [resource: string]: string };
  /**
   * How much of its nominal quota the queue lends to its cohort, per resource (at most the nominal quota).
   * Needs a cohort.
   * @default - all of it
   */
  readonly lendingLimit?: { [resource: string]: string };
}

/**
 * A group of resources whose quotas are given per flavor; a workload gets one flavor for all of them.
 */
export interface ClusterQueueResourceGroup {
  /** The resources of the group (`cpu`, `memory`, `nvidia.com/gpu`), each in one group only. */
  readonly coveredResources: string[];
  /** The flavors, in order of preference, each listing exactly the covered resources. */
  readonly flavors: ClusterQueueFlavorQuota[];
}

/**
 * How workloads of a ClusterQueue are ordered.
 */
export enum QueueingStrategy {
  /** By creation time, but a workload that does not fit does not block the ones behind it. */
  BEST_EFFORT_FIFO = 'BestEffortFIFO',
  /** Strictly by creation time (priority first): a workload that does not fit blocks the queue. */
  STRICT_FIFO = 'StrictFIFO',
}

/**
 * Whether a pending workload that fits its ClusterQueue's nominal quota may preempt workloads of other
 * ClusterQueues of the cohort that borrow (use more than their nominal quota).
 */
export enum ReclaimWithinCohortPolicy {
  /** Do not preempt workloads of the cohort (Kueue's default). */
  NEVER = 'Never',
  /** Preempt only lower-priority workloads of the cohort (with Fair Sharing: also by its preemption strategies). */
  LOWER_PRIORITY = 'LowerPriority',
  /** Preempt any workload of the cohort that borrows, whatever its priority (with Fair Sharing: by its strategies). */
  ANY = 'Any',
}

/**
 * Whether a pending workload that needs to borrow may preempt workloads of other ClusterQueues of the cohort.
 */
export enum BorrowWithinCohortPolicy {
  /** Never preempt to borrow (Kueue's default). */
  NEVER = 'Never',
  /** Preempt lower-priority workloads of other ClusterQueues of the cohort to borrow. */
  LOWER_PRIORITY = 'LowerPriority',
}

/**
 * Whether a pending workload that does not fit its ClusterQueue's nominal quota may preempt workloads of the
 * same ClusterQueue.
 */
export enum WithinClusterQueuePolicy {
  /** Do not preempt workloads of the ClusterQueue (Kueue's default). */
  NEVER = 'Never',
  /** Preempt lower-priority workloads of the ClusterQueue. */
  LOWER_PRIORITY = 'LowerPriority',
  /** Preempt lower-priority workloads, or equal-priority workloads newer than the pending one. */
  LOWER_OR_NEWER_EQUAL_PRIORITY = 'LowerOrNewerEqualPriority',
}

/**
 * Preemption to borrow within the cohort (`spec.preemption.borrowWithinCohort`). Kueue honours it with
 * classical preemption only, not when Fair Sharing is enabled in the Kueue configuration.
 */
export interface ClusterQueueBorrowWithinCohort {
  /**
   * Whether a workload that needs to borrow may preempt in other ClusterQueues of the cohort. Anything but
   * `NEVER` needs `reclaimWithinCohort` `LOWER_PRIORITY` or `ANY` (Kueue's webhook).
   * @default BorrowWithinCohortPolicy.NEVER
   */
  readonly policy?: BorrowWithinCohortPolicy;
  /**
   * Only workloads of this priority or lower may be preempted by a borrowing workload (an int32).
   * @default - any workload the policy allows
   */
  readonly maxPriorityThreshold?: number;
}

/**
 * Preemption policies of a ClusterQueue (`spec.preemption`). The cohort policies act only in a cohort
 * (`cohortName`); Kueue does not refuse them without one.
 */
export interface ClusterQueuePreemption {
  /**
   * Reclaim lent quota: preempt workloads of other ClusterQueues of the cohort that borrow.
   * @default ReclaimWithinCohortPolicy.NEVER
   */
  readonly reclaimWithinCohort?: ReclaimWithinCohortPolicy;
  /**
   * Preempt in other ClusterQueues of the cohort in order to borrow.
   * @default - never
   */
  readonly borrowWithinCohort?: ClusterQueueBorrowWithinCohort;
  /**
   * Preempt workloads of this ClusterQueue when a pending one does not fit the nominal quota.
   * @default WithinClusterQueuePolicy.NEVER
   */
  readonly withinClusterQueue?: WithinClusterQueuePolicy;
}

/**
 * Fair Sharing properties of a ClusterQueue (`spec.fairSharing`). They matter only when Fair Sharing is
 * enabled in the Kueue configuration (`fairSharing.enable: true` in the controller's config, not in this
 * object).
 */
export interface ClusterQueueFairSharing {
  /**
   * The queue's weight in its cohort: its share is its usage above nominal quota divided by the weight, and
   * Kueue admits from the lowest share and preempts from the highest. 0 means always last; otherwise more
   * than 1e-9.
   * @default 1
   */
  readonly weight?: number;
}

/**
 * Which namespaces may submit to a ClusterQueue (through their LocalQueues).
 */
export class NamespaceSelector {
  /** Every namespace (`{}`). */
  public static all(): NamespaceSelector {
    return new NamespaceSelector({});
  }

  /** Namespaces carrying all of these labels. */
  public static matchLabels(labels: { [key: string]: string }): NamespaceSelector {
    return new NamespaceSelector({ matchLabels: { ...labels } });
  }

  /** No namespace (Kueue's default when the field is unset: the queue admits nothing). */
  public static none(): NamespaceSelector {
    return new NamespaceSelector(undefined);
  }

  private constructor(private readonly selector: any) {}

  /** @internal */
  public _toJson(): any {
    return this.selector === undefined ? undefined : JSON.parse(JSON.stringify(this.selector));
  }
}

/**
 * Props of a ClusterQueue.
 */
export interface ClusterQueueProps {
  /**
   * The queue name (cluster-wide).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Resource groups with their flavors and quotas (at most 16).
   * @default - none (the queue can admit nothing)
   */
  readonly resourceGroups?: ClusterQueueResourceGroup[];
  /**
   * Which namespaces may use the queue. Kueue treats an unset selector as "no namespace".
   * @default NamespaceSelector.all()
   */
  readonly namespaceSelector?: NamespaceSelector;
  /**
   * The cohort whose members borrow unused quota from each other.
   * @default - none: no borrowing or lending
   */
  readonly cohortName?: string;
  /**
   * How workloads are ordered.
   * @default QueueingStrategy.BEST_EFFORT_FIFO
   */
  readonly queueingStrategy?: QueueingStrategy;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Preemption policies: reclaim lent quota from the cohort, preempt to borrow, preempt within the queue.
   * Without them (Kueue's default: all `Never`), quota lent to the cohort comes back only when borrowers finish.
   * @default - no preemption
   */
  readonly preemption?: ClusterQueuePreemption;
  /**
   * Fair Sharing weight (used only when Fair Sharing is enabled in the Kueue configuration).
   * @default - unset (weight 1)
   */
  readonly fairSharing?: ClusterQueueFairSharing;
}

/**
 * A Kueue ClusterQueue (kueue.x-k8s.io/v1beta2, cluster-scoped): quota per resource and flavor, shared by
 * the LocalQueues pointing at it. The webhook's rules are enforced in the constructor.
 *
 * Quota lent to a cohort is reclaimed early only with `preemption.reclaimWithinCohort`; without it, a
 * borrower keeps the quota until its workloads finish. Fair Sharing (ordering and preemption by weighted
 * share, `fairSharing.weight`) is a Kueue configuration switch; this construct only sets the weight.
 *
 * @see https://kueue.sigs.k8s.io/docs/concepts/cluster_queue/
 * @see https://kueue.sigs.k8s.io/docs/concepts/preemption/
 */
export class ClusterQueue extends Construct {
  /** The queue name. */
  public readonly name: string;
  /** The ClusterQueue object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ClusterQueueProps = {}) {
    super(scope, id);
    this.name = objectName(this, props.name);
    checkLabels(this, 'labels', props.labels);
    if (props.cohortName !== undefined) checkSubdomain(this, 'cohortName', props.cohortName);
    const strategy = props.queueingStrategy ?? QueueingStrategy.BEST_EFFORT_FIFO;
    check(Object.values(QueueingStrategy).includes(strategy), this, 'queueingStrategy', strategy, 'must be BestEffortFIFO or StrictFIFO');
    const selectorJson = this.namespaceSelector(props.namespaceSelector);
    const resourceGroups = this.resourceGroups(props);
    const preemption = this.preemption(props.preemption);
    const fairSharing = this.fairSharing(props.fairSharing);

    this.resource = new ApiObject(this, 'Resource', {
      ...ClusterQueueV1Beta2.GVK,
      metadata: { name: this.name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        ...(selectorJson !== undefined ? { namespaceSelector: selectorJson } : {}),
        ...(props.cohortName !== undefined ? { cohortName: props.cohortName } : {}),
        queueingStrategy: strategy,
        ...(resourceGroups.length ? { resourceGroups } : {}),
        ...(preemption ? { preemption } : {}),
        ...(fairSharing ? { fairSharing } : {}),
      },
    });
    makeClusterScoped(this.resource);
  }

  /** `spec.namespaceSelector` (all namespaces unless told). */
  private namespaceSelector(s: NamespaceSelector | undefined): any {
    const selector = s ?? NamespaceSelector.all();
    check(selector instanceof NamespaceSelector, this, 'namespaceSelector', selector, 'must be a NamespaceSelector (all(), matchLabels(), none())');
    const selectorJson = selector._toJson();
    if (selectorJson?.matchLabels) checkLabels(this, 'namespaceSelector.matchLabels', selectorJson.matchLabels);
    return selectorJson;
  }

  /** `spec.resourceGroups`: at most 16 groups, each resource in one group, each flavor once, at most 256 flavors. */
  private resourceGroups(props: ClusterQueueProps): any[] {
    const groups = listProp(this, 'resourceGroups', props.resourceGroups);
    check(groups.length <= 16, this, 'resourceGroups', groups.length, 'must have at most 16 groups');
    const seenResources = new Set<string>();
    const seenFlavors = new Set<string>();
    const resourceGroups = groups.map((g, i) => this.resourceGroup(g, `resourceGroups[${i}]`, seenResources, seenFlavors, props.cohortName));
    const totalFlavors = resourceGroups.reduce((n, g) => n + g.flavors.length, 0);
    check(totalFlavors <= 256, this, 'resourceGroups', totalFlavors, 'must have at most 256 flavors across all groups');
    return resourceGroups;
  }

  /** One resource group: 1 to 64 covered resources and 1 to 64 flavors. */
  private resourceGroup(g: ClusterQueueResourceGroup, f: string, seenResources: Set<string>, seenFlavors: Set<string>, cohortName: string | undefined) {
    objectProp(this, f, g);
    const covered = stringListProp(this, `${f}.coveredResources`, g.coveredResources);
    check(covered.length >= 1 && covered.length <= 64, this, `${f}.coveredResources`, covered, 'must list 1 to 64 resources');
    covered.forEach((r, j) => {
      checkResourceName(this, `${f}.coveredResources[${j}]`, r);
      check(!seenResources.has(r), this, `${f}.coveredResources[${j}]`, r, 'is covered by another resource group: each resource belongs to one group');
      seenResources.add(r);
    });
    const flavors = listProp(this, `${f}.flavors`, g.flavors);
    check(flavors.length >= 1 && flavors.length <= 64, this, `${f}.flavors`, flavors.length, 'must list 1 to 64 flavors');
    return {
      coveredResources: [...covered],
      flavors: flavors.map((fq, j) => this.renderFlavorQuota(fq, `${f}.flavors[${j}]`, covered, seenFlavors, cohortName)),
    };
  }

  /** One flavor of a resource group: its nominal quota (exactly the covered resources) and borrowing/lending limits. */
  private renderFlavorQuota(fq: ClusterQueueFlavorQuota, ff: string, covered: string[], seenFlavors: Set<string>, cohortName: string | undefined) {
    objectProp(this, ff, fq);
    checkSubdomain(this, `${ff}.flavor`, fq.flavor);
    check(!seenFlavors.has(fq.flavor), this, `${ff}.flavor`, fq.flavor, 'is used by another flavor entry: each flavor appears once per ClusterQueue');
    seenFlavors.add(fq.flavor);
    const quota = objectProp(this, `${ff}.nominalQuota`, fq.nominalQuota);
    const keys = Object.keys(quota);
    const missing = covered.filter((r) => !(r in quota));
    const extra = keys.filter((r) => !covered.includes(r));
    check(missing.length === 0 && extra.length === 0, this, `${ff}.nominalQuota`, keys,
      `must list exactly the covered resources (${covered.join(', ')})` +
      `${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not covered ${extra.join(', ')}` : ''}`);
    for (const which of ['borrowingLimit', 'lendingLimit'] as const) {
      const limits = objectProp(this, `${ff}.${which}`, fq[which]);
      for (const r of Object.keys(limits)) {
        check(covered.includes(r), this, `${ff}.${which}`, r, `is not a covered resource (${covered.join(', ')})`);
        check(cohortName !== undefined, this, `${ff}.${which}["${r}"]`, limits[r], 'must be unset without a cohortName (Kueue: "must be nil when cohort is empty")');
      }
    }
    return {
      name: fq.flavor,
      resources: covered.map((r) => {
        const nominal = checkQuantity(this, `${ff}.nominalQuota["${r}"]`, quota[r]);
        const borrow = fq.borrowingLimit?.[r];
        const lend = fq.lendingLimit?.[r];
        if (borrow !== undefined) checkQuantity(this, `${ff}.borrowingLimit["${r}"]`, borrow);
        if (lend !== undefined) {
          const l = checkQuantity(this, `${ff}.lendingLimit["${r}"]`, lend);
          check(l <= nominal, this, `${ff}.lendingLimit["${r}"]`, lend, `must not exceed nominalQuota["${r}"] (${quota[r]})`);
        }
        return {
          name: r,
          nominalQuota: quota[r],
          ...(borrow !== undefined ? { borrowingLimit: borrow } : {}),
          ...(lend !== undefined ? { lendingLimit: lend } : {}),
        };
      }),
    };
  }

  /** `spec.preemption`, checked as kubernetes-sigs/kueue pkg/webhooks/clusterqueue_webhook.go `validatePreemption` @ v0.19.2. */
  private preemption(p: ClusterQueuePreemption | undefined): any {
    if (p === undefined) return undefined;
    objectProp(this, 'preemption', p);
    check(p !== null, this, 'preemption', p, 'must be an object');
    const enumOf = (e: object, field: string, value: unknown) => {
      const allowed = Object.values(e) as string[];
      check(allowed.includes(value as string), this, field, value, `must be one of ${allowed.join(', ')}`);
    };
    if (p.reclaimWithinCohort !== undefined) enumOf(ReclaimWithinCohortPolicy, 'preemption.reclaimWithinCohort', p.reclaimWithinCohort);
    if (p.withinClusterQueue !== undefined) enumOf(WithinClusterQueuePolicy, 'preemption.withinClusterQueue', p.withinClusterQueue);
    let borrow: any;
    if (p.borrowWithinCohort !== undefined) {
      const b = p.borrowWithinCohort;
      const policy = b.policy ?? BorrowWithinCohortPolicy.NEVER;
      enumOf(BorrowWithinCohortPolicy, 'preemption.borrowWithinCohort.policy', policy);
      const t = b.maxPriorityThreshold;
      if (t !== undefined) {
        check(Number.isInteger(t) && t >= -2147483648 && t <= 2147483647, this, 'preemption.borrowWithinCohort.maxPriorityThreshold', t,
          'must be an integer priority (int32)');
      }
      check(policy === BorrowWithinCohortPolicy.NEVER || (p.reclaimWithinCohort ?? ReclaimWithinCohortPolicy.NEVER) !== ReclaimWithinCohortPolicy.NEVER,
        this, 'preemption.borrowWithinCohort.policy', policy,
        'needs preemption.reclaimWithinCohort LowerPriority or Any (Kueue: "reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never")');
      borrow = { policy, ...(t !== undefined ? { maxPriorityThreshold: t } : {}) };
    }
    const out = {
      ...(p.reclaimWithinCohort !== undefined ? { reclaimWithinCohort: p.reclaimWithinCohort } : {}),
      ...(borrow ? { borrowWithinCohort: borrow } : {}),
      ...(p.withinClusterQueue !== undefined ? { withinClusterQueue: p.withinClusterQueue } : {}),
    };
    return Object.keys(out).length ? out : undefined;
  }

  /** `spec.fairSharing`, checked as kubernetes-sigs/kueue pkg/webhooks/common.go `validateFairSharing` @ v0.19.2. */
  private fairSharing(f: ClusterQueueFairSharing | undefined): any {
    if (f !== undefined) check(f !== null && typeof f === 'object' && !Array.isArray(f), this, 'fairSharing', f, 'must be an object');
    if (f === undefined || f.weight === undefined) return undefined;
    const w = f.weight;
    check(typeof w === 'number' && Number.isFinite(w), this, 'fairSharing.weight', w, 'must be a finite number');
    check(w >= 0, this, 'fairSharing.weight', w, 'must be greater than or equal to 0');
    check(w === 0 || w > 1e-9, this, 'fairSharing.weight', w, 'must be 0 or greater than 1e-9 (Kueue: "When not 0, weight must be > 10e-9", i.e. above 1n)');
    // int-or-string quantity: integers as numbers, fractions as decimal strings (e.g. "0.5").
    return { weight: Number.isInteger(w) ? w : quantityString(w) };
  }
}

/** A non-integer number as a Kubernetes quantity string without exponent rounding surprises (0.5 -> "0.5", 1e-7 -> "100n"). */
function quantityString(n: number): string {
  if (n >= 1e-3) return String(Number(n.toPrecision(15)));
  return `${Math.round(n * 1e9)}n`;
}
