import { VolcanoQueue, VolcanoQueueProps } from '../../src/jobs/volcano-queue';
import { one, synthValid, testChart } from '../util';

function make(props: VolcanoQueueProps = {}): VolcanoQueue {
  return new VolcanoQueue(testChart('ml'), 'gpu', props);
}

describe('VolcanoQueue', () => {
  test('default: weight 1, cluster-scoped (no namespace even in a namespaced chart)', () => {
    const chart = testChart('ml');
    const q = new VolcanoQueue(chart, 'team-a');
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const queue = one(manifests, 'Queue', 'team-a');
    expect(queue.apiVersion).toBe('scheduling.volcano.sh/v1beta1');
    expect(queue.metadata).toEqual({ name: 'team-a' });
    expect(queue.spec).toEqual({ weight: 1 });
    expect(q.name).toBe('team-a');
  });

  test('capacity: capability, deserved, guarantee, reclaimable, parent, priority', () => {
    const chart = testChart('ml');
    new VolcanoQueue(chart, 'research', {
      name: 'research-gpu',
      weight: 65535,
      capability: { 'cpu': '128', 'memory': '1Ti', 'nvidia.com/gpu': '16' },
      deserved: { 'cpu': '64', 'memory': '512Gi', 'nvidia.com/gpu': '8' },
      guarantee: { 'nvidia.com/gpu': '4', 'cpu': '32000m' },
      reclaimable: false,
      parent: 'research',
      priority: 10,
      labels: { team: 'research' },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const q = one(manifests, 'Queue', 'research-gpu');
    expect(q.metadata.namespace).toBeUndefined();
    expect(q.spec.guarantee).toEqual({ resource: { 'nvidia.com/gpu': '4', 'cpu': '32000m' } });
    expect(q.spec).toMatchObject({ weight: 65535, reclaimable: false, parent: 'research', priority: 10 });
    expect(q.spec.deserved['nvidia.com/gpu']).toBe('8');
  });

  test('weight outside 1..65535', () => {
    expect(() => make({ weight: 0 })).toThrow('test/gpu: weight (0) must be a whole number from 1 to 65535');
    expect(() => make({ weight: 65536 })).toThrow('test/gpu: weight (65536) must be a whole number from 1 to 65535');
  });
  test('invalid quantity', () => {
    expect(() => make({ capability: { cpu: 'lots' } })).toThrow('test/gpu: capability["cpu"] ("lots") is not a Kubernetes quantity');
    expect(() => make({ capability: { cpu: '-1' } })).toThrow('test/gpu: capability["cpu"] ("-1") must not be negative');
    expect(() => make({ capability: { 'bad name!': '1' } })).toThrow('test/gpu: capability ("bad name!") is not a resource name');
  });
  test('deserved > capability', () => {
    expect(() => make({ capability: { cpu: '8' }, deserved: { cpu: '16' } })).toThrow('test/gpu: deserved["cpu"] ("16") must not exceed capability["cpu"] (8)');
    expect(() => make({ capability: { cpu: '8' }, deserved: { memory: '1Gi' } }))
      .toThrow('test/gpu: deserved["memory"] ("1Gi") needs capability["memory"] too');
  });
  test('guarantee without deserved', () => {
    expect(() => make({ guarantee: { cpu: '1' } })).toThrow('test/gpu: guarantee ({"cpu":"1"}) requires deserved');
  });
  test('guarantee > deserved', () => {
    expect(() => make({ deserved: { cpu: '2' }, guarantee: { cpu: '2500m' } })).toThrow('test/gpu: guarantee["cpu"] ("2500m") must not exceed deserved["cpu"] (2)');
  });
  test('reserved names and self parent', () => {
    expect(() => make({ name: 'root' })).toThrow('test/gpu: name ("root") must not be "root"');
    expect(() => make({ name: 'default' })).toThrow('test/gpu: name ("default") must not be "default"');
    expect(() => make({ parent: 'gpu' })).toThrow('test/gpu: parent ("gpu") must not be the queue itself');
    expect(() => make({ name: 'GPU' })).toThrow(/name \("GPU"\) must be a DNS-1123 label/);
  });
});

// VOL-2 / VOL-6: Volcano rejects a child whose parent does not exist and refuses to delete a parent that
// has children (volcano-sh/volcano pkg/webhooks/admission/queues/validate/validate_queue.go:373-390,
// validateQueueDeleting @ v1.15.1).
describe('VolcanoQueue hierarchy', () => {
  test('a queue with children in the app is pruned last (either creation order)', () => {
    const chart = testChart('ml');
    new VolcanoQueue(chart, 'team-a-batch', { parent: 'team-a' }); // child first
    new VolcanoQueue(chart, 'team-a', { parent: 'research' });
    new VolcanoQueue(chart, 'research', { capability: { cpu: '64' } });
    const manifests = synthValid(chart);
    const ann = (n: string) => one(manifests, 'Queue', n).metadata.annotations;
    expect(ann('research')).toEqual({ 'argocd.argoproj.io/sync-options': 'PruneLast=true' });
    expect(ann('team-a')).toEqual({ 'argocd.argoproj.io/sync-options': 'PruneLast=true' });
    expect(ann('team-a-batch')).toBeUndefined();
  });

  test('rejects a cycle of parents', () => {
    const chart = testChart('ml');
    new VolcanoQueue(chart, 'a', { parent: 'b' });
    new VolcanoQueue(chart, 'b', { parent: 'a' });
    expect(() => synthValid(chart)).toThrow('test/a: parent ("b") closes a cycle of queues (a -> b -> a): Volcano needs each parent to exist before its child');
  });

  test('rejects a child capability above its parent\'s', () => {
    const chart = testChart('ml');
    new VolcanoQueue(chart, 'research', { capability: { cpu: '64' } });
    new VolcanoQueue(chart, 'team-a', { parent: 'research', capability: { cpu: '128' } });
    expect(() => synthValid(chart)).toThrow('test/team-a: capability["cpu"] ("128") must not exceed the capability of its parent queue research (64)');
  });

  test('rejects children whose deserved sum exceeds the parent\'s', () => {
    const chart = testChart('ml');
    new VolcanoQueue(chart, 'research', { capability: { cpu: '64' }, deserved: { cpu: '32' } });
    new VolcanoQueue(chart, 'team-a', { parent: 'research', capability: { cpu: '64' }, deserved: { cpu: '20' } });
    new VolcanoQueue(chart, 'team-b', { parent: 'research', capability: { cpu: '64' }, deserved: { cpu: '20' } });
    expect(() => synthValid(chart)).toThrow('test/research: deserved["cpu"] ("32") is less than the sum of its child queues\' deserved (team-a, team-b)');
  });
});
