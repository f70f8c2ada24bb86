import {
  BorrowWithinCohortPolicy, ClusterQueue, NamespaceSelector, QueueingStrategy, ReclaimWithinCohortPolicy, WithinClusterQueuePolicy,
} from '../../src/jobs/cluster-queue';
import { Kueue } from '../../src/jobs/kueue';
import { LocalQueue } from '../../src/jobs/local-queue';
import { ResourceFlavor } from '../../src/jobs/resource-flavor';
import { WorkloadPriorityClass } from '../../src/jobs/workload-priority-class';
import { one, synthValid, testChart } from '../util';

describe('ResourceFlavor', () => {
  test('empty spec, cluster-scoped', () => {
    const chart = testChart('ml');
    new ResourceFlavor(chart, 'default-flavor');
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const rf = one(manifests, 'ResourceFlavor', 'default-flavor');
    expect(rf.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(rf.metadata.namespace).toBeUndefined();
    expect(rf.spec).toEqual({});
  });

  test('GPU flavor with node labels, taints, tolerations and topology', () => {
    const chart = testChart('ml');
    new ResourceFlavor(chart, 'a100', {
      nodeLabels: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' },
      nodeTaints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      topologyName: 'gpu-topology',
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const rf = one(manifests, 'ResourceFlavor', 'a100');
    expect(rf.spec.nodeTaints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(rf.spec.topologyName).toBe('gpu-topology');
  });

  test('rules', () => {
    const c = () => testChart();
    expect(() => new ResourceFlavor(c(), 'f', { nodeTaints: [{ key: 'k', effect: 'Never' }] })).toThrow('test/f: nodeTaints[0].effect ("Never") must be one of NoSchedule, PreferNoSchedule, NoExecute');
    // KUE-2: kubernetes-sigs/kueue pkg/webhooks/resourceflavor_webhook.go `validateNodeTaints` @ v0.19.2.
    expect(() => new ResourceFlavor(c(), 'f', { nodeTaints: [{ key: 'bad key', effect: 'NoSchedule' }] }))
      .toThrow('test/f: nodeTaints[0].key ("bad key") is not a valid label key ([prefix/]name, name at most 63 characters)');
    expect(() => new ResourceFlavor(c(), 'f', { nodeTaints: [{ key: 'gpu', value: 'a b', effect: 'NoSchedule' }] }))
      .toThrow('test/f: nodeTaints[0].value ("a b") is not a valid label value');
    expect(() => new ResourceFlavor(c(), 'f', { nodeTaints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'gpu', value: 'x', effect: 'NoSchedule' }] }))
      .toThrow('test/f: nodeTaints[1] ("gpu:NoSchedule") repeats a taint: taints must be unique by key and effect');
    new ResourceFlavor(c(), 'ok', { nodeTaints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }] });
    expect(() => new ResourceFlavor(c(), 'f', { tolerations: [{ operator: 'Equal' }] })).toThrow('test/f: tolerations[0].operator ("Equal") must be Exists when key is empty');
    expect(() => new ResourceFlavor(c(), 'f', { tolerations: [{ key: 'k', tolerationSeconds: 5 }] })).toThrow('tolerations[0].tolerationSeconds (5) needs effect NoExecute');
    expect(() => new ResourceFlavor(c(), 'f', { topologyName: 'topo' })).toThrow('test/f: topologyName ("topo") needs at least one nodeLabel');
    const many: Record<string, string> = {};
    for (let i = 0; i < 9; i++) many[`k${i}`] = 'v';
    expect(() => new ResourceFlavor(c(), 'f', { nodeLabels: many })).toThrow('must have at most 8 labels');
  });
});

describe('ClusterQueue', () => {
  test('defaults: all namespaces ({}), BestEffortFIFO, cluster-scoped', () => {
    const chart = testChart('ml');
    new ClusterQueue(chart, 'cluster-queue', {
      resourceGroups: [{ coveredResources: ['cpu', 'memory'], flavors: [{ flavor: 'default-flavor', nominalQuota: { memory: '36Gi', cpu: '9' } }] }],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const cq = one(manifests, 'ClusterQueue', 'cluster-queue');
    expect(cq.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(cq.metadata.namespace).toBeUndefined();
    expect(cq.spec.namespaceSelector).toEqual({});
    expect(cq.spec.queueingStrategy).toBe('BestEffortFIFO');
    // resources in coveredResources order, whatever the order of the quota map
    expect(cq.spec.resourceGroups[0].flavors[0].resources).toEqual([{ name: 'cpu', nominalQuota: '9' }, { name: 'memory', nominalQuota: '36Gi' }]);
  });

  test('cohort with borrowing and lending limits, GPU group, label selector, StrictFIFO', () => {
    const chart = testChart('ml');
    new ClusterQueue(chart, 'team-a', {
      cohortName: 'research',
      queueingStrategy: QueueingStrategy.STRICT_FIFO,
      namespaceSelector: NamespaceSelector.matchLabels({ 'kueue.acme.io/team': 'a' }),
      resourceGroups: [
        { coveredResources: ['cpu', 'memory'], flavors: [{ flavor: 'default-flavor', nominalQuota: { cpu: '64', memory: '256Gi' } }] },
        {
          coveredResources: ['nvidia.com/gpu'],
          flavors: [
            { flavor: 'a100', nominalQuota: { 'nvidia.com/gpu': '8' }, borrowingLimit: { 'nvidia.com/gpu': '8' }, lendingLimit: { 'nvidia.com/gpu': '4' } },
            { flavor: 'spot', nominalQuota: { 'nvidia.com/gpu': '0' }, borrowingLimit: { 'nvidia.com/gpu': '16' } },
          ],
        },
      ],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const cq = one(manifests, 'ClusterQueue', 'team-a');
    expect(cq.spec.cohortName).toBe('research');
    expect(cq.spec.namespaceSelector).toEqual({ matchLabels: { 'kueue.acme.io/team': 'a' } });
    expect(cq.spec.resourceGroups[1].flavors[0].resources[0]).toEqual({ name: 'nvidia.com/gpu', nominalQuota: '8', borrowingLimit: '8', lendingLimit: '4' });
  });

  test('NamespaceSelector.none() leaves the selector unset', () => {
    const chart = testChart();
    new ClusterQueue(chart, 'closed', { namespaceSelector: NamespaceSelector.none() });
    const cq = one(synthValid(chart), 'ClusterQueue', 'closed');
    expect(cq.spec.namespaceSelector).toBeUndefined();
  });

  describe('webhook rules', () => {
    const c = () => testChart();
    const group = (extra: any = {}) => ({ coveredResources: ['cpu'], flavors: [{ flavor: 'f', nominalQuota: { cpu: '1' }, ...extra }] });
    test('flavor must list exactly the covered resources', () => {
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [{ coveredResources: ['cpu', 'memory'], flavors: [{ flavor: 'f', nominalQuota: { cpu: '1', gpu: '1' } }] }] }))
        .toThrow('test/q: resourceGroups[0].flavors[0].nominalQuota (["cpu","gpu"]) must list exactly the covered resources (cpu, memory); missing memory; not covered gpu');
    });
    test('borrowingLimit and lendingLimit need a cohort', () => {
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [group({ borrowingLimit: { cpu: '2' } })] }))
        .toThrow('test/q: resourceGroups[0].flavors[0].borrowingLimit["cpu"] ("2") must be unset without a cohortName');
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [group({ lendingLimit: { cpu: '1' } })] }))
        .toThrow('lendingLimit["cpu"] ("1") must be unset without a cohortName');
    });
    test('lendingLimit above nominalQuota', () => {
      expect(() => new ClusterQueue(c(), 'q', { cohortName: 'co', resourceGroups: [group({ lendingLimit: { cpu: '2' } })] }))
        .toThrow('test/q: resourceGroups[0].flavors[0].lendingLimit["cpu"] ("2") must not exceed nominalQuota["cpu"] (1)');
    });
    test('limit on an uncovered resource', () => {
      expect(() => new ClusterQueue(c(), 'q', { cohortName: 'co', resourceGroups: [group({ borrowingLimit: { memory: '2' } })] }))
        .toThrow('borrowingLimit ("memory") is not a covered resource (cpu)');
    });
    test('resource in two groups, flavor twice', () => {
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [group(), { coveredResources: ['cpu'], flavors: [{ flavor: 'g', nominalQuota: { cpu: '1' } }] }] }))
        .toThrow('test/q: resourceGroups[1].coveredResources[0] ("cpu") is covered by another resource group');
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [group(), { coveredResources: ['memory'], flavors: [{ flavor: 'f', nominalQuota: { memory: '1' } }] }] }))
        .toThrow('test/q: resourceGroups[1].flavors[0].flavor ("f") is used by another flavor entry');
    });
    test('negative or invalid quota', () => {
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [{ coveredResources: ['cpu'], flavors: [{ flavor: 'f', nominalQuota: { cpu: '-1' } }] }] }))
        .toThrow('test/q: resourceGroups[0].flavors[0].nominalQuota["cpu"] ("-1") must not be negative');
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [{ coveredResources: ['cpu'], flavors: [{ flavor: 'f', nominalQuota: { cpu: 'x' } }] }] }))
        .toThrow('is not a Kubernetes quantity');
    });
    test('empty groups and bad strategy', () => {
      expect(() => new ClusterQueue(c(), 'q', { resourceGroups: [{ coveredResources: [], flavors: [] }] })).toThrow('resourceGroups[0].coveredResources ([]) must list 1 to 64 resources');
      expect(() => new ClusterQueue(c(), 'q', { queueingStrategy: 'FIFO' as any })).toThrow('test/q: queueingStrategy ("FIFO") must be BestEffortFIFO or StrictFIFO');
    });
  });

  // KUE-4: spec.preemption and spec.fairSharing as kubernetes-sigs/kueue v0.19.2 defines them
  // (apis/kueue/v1beta2/clusterqueue_types.go; CRD config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml,
  // pinned as imports/kueue.x-k8s.io_clusterqueues.yaml).
  describe('preemption and fair sharing (KUE-4)', () => {
    const c = () => testChart();
    test('reclaim lent quota, preempt to borrow below a priority, preempt within the queue, weight', () => {
      const chart = testChart('ml');
      new ClusterQueue(chart, 'team-a', {
        cohortName: 'research',
        resourceGroups: [{ coveredResources: ['nvidia.com/gpu'], flavors: [{ flavor: 'a100', nominalQuota: { 'nvidia.com/gpu': '8' } }] }],
        preemption: {
          reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY,
          borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY, maxPriorityThreshold: 100 },
          withinClusterQueue: WithinClusterQueuePolicy.LOWER_OR_NEWER_EQUAL_PRIORITY,
        },
        fairSharing: { weight: 2 },
      });
      const manifests = synthValid(chart);
      expect(manifests).toMatchSnapshot();
      const cq = one(manifests, 'ClusterQueue', 'team-a');
      expect(cq.spec.preemption).toEqual({
        reclaimWithinCohort: 'Any',
        borrowWithinCohort: { policy: 'LowerPriority', maxPriorityThreshold: 100 },
        withinClusterQueue: 'LowerOrNewerEqualPriority',
      });
      expect(cq.spec.fairSharing).toEqual({ weight: 2 });
    });

    test('unset fields are left to Kueue\'s defaults; fractional weights are quantity strings', () => {
      const chart = testChart();
      new ClusterQueue(chart, 'none');
      new ClusterQueue(chart, 'partial', { preemption: { withinClusterQueue: WithinClusterQueuePolicy.LOWER_PRIORITY }, fairSharing: { weight: 0.5 } });
      new ClusterQueue(chart, 'tiny', { preemption: {}, fairSharing: { weight: 2e-9 } });
      new ClusterQueue(chart, 'zero', { fairSharing: { weight: 0 }, preemption: { borrowWithinCohort: {} } });
      const manifests = synthValid(chart);
      expect(one(manifests, 'ClusterQueue', 'none').spec.preemption).toBeUndefined();
      expect(one(manifests, 'ClusterQueue', 'none').spec.fairSharing).toBeUndefined();
      expect(one(manifests, 'ClusterQueue', 'partial').spec.preemption).toEqual({ withinClusterQueue: 'LowerPriority' });
      expect(one(manifests, 'ClusterQueue', 'partial').spec.fairSharing).toEqual({ weight: '0.5' });
      expect(one(manifests, 'ClusterQueue', 'tiny').spec.preemption).toBeUndefined();
      expect(one(manifests, 'ClusterQueue', 'tiny').spec.fairSharing).toEqual({ weight: '2n' });
      // weight 0 is allowed ("A zero weight implies infinite share value"); borrowWithinCohort defaults to policy Never.
      expect(one(manifests, 'ClusterQueue', 'zero').spec.fairSharing).toEqual({ weight: 0 });
      expect(one(manifests, 'ClusterQueue', 'zero').spec.preemption).toEqual({ borrowWithinCohort: { policy: 'Never' } });
    });

    test('borrowWithinCohort needs reclaimWithinCohort (clusterqueue_webhook.go validatePreemption @ v0.19.2, and the CRD\'s CEL rule)', () => {
      expect(() => new ClusterQueue(c(), 'q', { cohortName: 'co', preemption: { borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY } } }))
        .toThrow('test/q: preemption.borrowWithinCohort.policy ("LowerPriority") needs preemption.reclaimWithinCohort LowerPriority or Any (Kueue: "reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never")');
      expect(() => new ClusterQueue(c(), 'q', {
        preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.NEVER, borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY } },
      })).toThrow('needs preemption.reclaimWithinCohort LowerPriority or Any');
      // upstream accepts the cohort policies without a cohortName (they then never act), so the construct does too.
      new ClusterQueue(c(), 'ok', { preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.LOWER_PRIORITY, borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY } } });
    });

    test('enum values and maxPriorityThreshold (CRD enums and int32 @ v0.19.2)', () => {
      expect(() => new ClusterQueue(c(), 'q', { preemption: { reclaimWithinCohort: 'Always' as any } }))
        .toThrow('test/q: preemption.reclaimWithinCohort ("Always") must be one of Never, LowerPriority, Any');
      expect(() => new ClusterQueue(c(), 'q', { preemption: { withinClusterQueue: 'Any' as any } }))
        .toThrow('test/q: preemption.withinClusterQueue ("Any") must be one of Never, LowerPriority, LowerOrNewerEqualPriority');
      expect(() => new ClusterQueue(c(), 'q', { preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY, borrowWithinCohort: { policy: 'Any' as any } } }))
        .toThrow('test/q: preemption.borrowWithinCohort.policy ("Any") must be one of Never, LowerPriority');
      expect(() => new ClusterQueue(c(), 'q', { preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY, borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY, maxPriorityThreshold: 1.5 } } }))
        .toThrow('test/q: preemption.borrowWithinCohort.maxPriorityThreshold (1.5) must be an integer priority (int32)');
      expect(() => new ClusterQueue(c(), 'q', { preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY, borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY, maxPriorityThreshold: 2 ** 31 } } }))
        .toThrow('test/q: preemption.borrowWithinCohort.maxPriorityThreshold (2147483648) must be an integer priority (int32)');
      new ClusterQueue(c(), 'neg', { preemption: { reclaimWithinCohort: ReclaimWithinCohortPolicy.ANY, borrowWithinCohort: { policy: BorrowWithinCohortPolicy.LOWER_PRIORITY, maxPriorityThreshold: -10 } } });
    });

    test('fairSharing.weight (pkg/webhooks/common.go validateFairSharing @ v0.19.2)', () => {
      expect(() => new ClusterQueue(c(), 'q', { fairSharing: { weight: -1 } }))
        .toThrow('test/q: fairSharing.weight (-1) must be greater than or equal to 0');
      expect(() => new ClusterQueue(c(), 'q', { fairSharing: { weight: 1e-9 } }))
        .toThrow('test/q: fairSharing.weight (1e-9) must be 0 or greater than 1e-9 (Kueue: "When not 0, weight must be > 10e-9", i.e. above 1n)');
      expect(() => new ClusterQueue(c(), 'q', { fairSharing: { weight: '2' as any } }))
        .toThrow('test/q: fairSharing.weight ("2") must be a finite number');
      expect(() => new ClusterQueue(c(), 'q', { fairSharing: { weight: Infinity } }))
        .toThrow('test/q: fairSharing.weight (null) must be a finite number');
    });
  });
});

describe('LocalQueue and WorkloadPriorityClass', () => {
  test('LocalQueue points at a ClusterQueue; WorkloadPriorityClass has a top-level value', () => {
    const chart = testChart('team-a');
    const cq = new ClusterQueue(testChart(), 'cq');
    const lq = new LocalQueue(chart, 'user-queue', { clusterQueue: cq.name });
    const wpc = new WorkloadPriorityClass(chart, 'high', { value: 10000, description: 'production training' });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const l = one(manifests, 'LocalQueue', 'user-queue');
    expect(l.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(l.metadata.namespace).toBe('team-a');
    expect(l.spec).toEqual({ clusterQueue: 'cq' });
    const w = one(manifests, 'WorkloadPriorityClass', 'high');
    expect(w.value).toBe(10000);
    expect(w.description).toBe('production training');
    expect(w.spec).toBeUndefined();
    expect(w.metadata.namespace).toBeUndefined();
    expect(lq.namespace).toBe('team-a');
    expect(wpc.name).toBe('high');
  });

  test('rules', () => {
    expect(() => new LocalQueue(testChart(), 'q', { clusterQueue: 'Bad_Name' })).toThrow('test/q: clusterQueue ("Bad_Name") must be a DNS-1123 subdomain');
    expect(() => new LocalQueue(testChart(), 'q', { name: 'a'.repeat(64), clusterQueue: 'cq' }))
      .toThrow('must be at most 63 characters (it is used as the value of the kueue.x-k8s.io/queue-name label)');
    expect(() => new WorkloadPriorityClass(testChart(), 'p', { value: 1.5 })).toThrow('test/p: value (1.5) must be a whole number');
  });

  test('Kueue label constants', () => {
    expect(Kueue.QUEUE_NAME_LABEL).toBe('kueue.x-k8s.io/queue-name');
    expect(Kueue.PRIORITY_CLASS_LABEL).toBe('kueue.x-k8s.io/priority-class');
  });
});
