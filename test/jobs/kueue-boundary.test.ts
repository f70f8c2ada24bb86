import { ClusterQueue, ResourceFlavor, WorkloadPriorityClass } from '../../src';
import { PropError } from '../../src/core/errors';
import { testChart } from '../util';

// Issue 17 item 1 (one boundary): Kueue constructs given untyped props fail with the library's PropError.
// Each case was a TypeError or a schema-invalid object before (found by test/property/untyped-boundary.test.ts).
function propError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const RG = { coveredResources: ['cpu', 'memory'], flavors: [{ flavor: 'default-flavor', nominalQuota: { memory: '36Gi', cpu: '9' } }] };
const cq = (x: any) => () => new ClusterQueue(testChart(), 'cq', { resourceGroups: [RG], ...x });

test.each([
  ['ClusterQueue fairSharing null', cq({ fairSharing: null }), 'test/cq: fairSharing (null) must be an object'],
  ['ClusterQueue preemption null', cq({ preemption: null }), 'test/cq: preemption (null) must be an object'],
  ['ClusterQueue resourceGroups ""', cq({ resourceGroups: '' }), 'test/cq: resourceGroups ("") must be a list'],
  ['ClusterQueue coveredResources " "', cq({ resourceGroups: [{ ...RG, coveredResources: ' ' }] }), 'test/cq: resourceGroups[0].coveredResources (" ") must be a list'],
  ['ClusterQueue flavors " "', cq({ resourceGroups: [{ ...RG, flavors: ' ' }] }), 'test/cq: resourceGroups[0].flavors (" ") must be a list'],
  ['ClusterQueue nominalQuota 0', cq({ resourceGroups: [{ ...RG, flavors: [{ flavor: 'f', nominalQuota: 0 }] }] }),
    'test/cq: resourceGroups[0].flavors[0].nominalQuota (0) must be an object'],
  ['ResourceFlavor nodeTaints ""', () => new ResourceFlavor(testChart(), 'f', { nodeTaints: '' as any }), 'test/f: nodeTaints ("") must be a list'],
  ['ResourceFlavor tolerations ""', () => new ResourceFlavor(testChart(), 'f', { tolerations: '' as any }), 'test/f: tolerations ("") must be a list'],
  ['WorkloadPriorityClass without value', () => new WorkloadPriorityClass(testChart(), 'high', {} as any), 'test/high: value (unset) is required (the priority, a whole number)'],
  ['WorkloadPriorityClass description 0', () => new WorkloadPriorityClass(testChart(), 'high', { value: 1, description: 0 as any }), 'test/high: description (0) must be a string'],
])('%s', (_t, build, message) => {
  expect(propError(build)).toBe(message);
});
