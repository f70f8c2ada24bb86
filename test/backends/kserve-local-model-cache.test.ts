import { KServeLocalModelCache } from '../../src';
import { one, synthValid, testChart } from '../util';

describe('KServeLocalModelCache', () => {
  test('a cluster-scoped cache of an OCI modelcar on a node group', () => {
    const chart = testChart('ai');
    const cache = new KServeLocalModelCache(chart, 'bge', { sourceModelUri: 'oci://registry.corp.internal/models/bge:1', modelSize: '2Gi', nodeGroups: ['gpu-a100'] });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const obj = one(manifests, 'LocalModelCache', 'bge');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec).toEqual({ sourceModelUri: 'oci://registry.corp.internal/models/bge:1', modelSize: '2Gi', nodeGroups: ['gpu-a100'] });
    expect(cache.sourceModelUri).toBe('oci://registry.corp.internal/models/bge:1');
  });

  test.each<[string, any, string]>([
    ['a bad scheme', { sourceModelUri: 'ftp://x/y', modelSize: '1Gi', nodeGroups: ['g'] }, 'test/c: sourceModelUri ("ftp://x/y") must start with one of oci://'],
    ['a bad size', { sourceModelUri: 'oci://r/m:1', modelSize: '2GB', nodeGroups: ['g'] }, 'modelSize ("2GB") is not a Kubernetes quantity'],
    ['no node group', { sourceModelUri: 'oci://r/m:1', modelSize: '2Gi', nodeGroups: [] }, 'nodeGroups ([]) must name at least one LocalModelNodeGroup'],
  ])('rejects %s', (_t, props, message) => {
    expect(() => new KServeLocalModelCache(testChart(), 'c', props)).toThrow(message);
  });
});
