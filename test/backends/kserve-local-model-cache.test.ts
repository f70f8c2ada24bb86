import { KServeLocalModelCache } from '../../src';
import { one, synthValid, testChart } from '../util';

describe('KServeLocalModelCache', () => {
  test('a cluster-scoped cache of an in-cluster S3 model on a node group', () => {
    const chart = testChart('ai');
    const cache = new KServeLocalModelCache(chart, 'bge', { sourceModelUri: 's3://models/bge-small-en-v1.5', modelSize: '2Gi', nodeGroups: ['gpu-a100'], serviceAccountName: 'minio-reader' });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const obj = one(manifests, 'LocalModelCache', 'bge');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec).toEqual({ sourceModelUri: 's3://models/bge-small-en-v1.5', modelSize: '2Gi', nodeGroups: ['gpu-a100'], serviceAccountName: 'minio-reader' });
    expect(cache.sourceModelUri).toBe('s3://models/bge-small-en-v1.5');
  });

  // KSV-3: the download job runs the storage initializer unless a ClusterStorageContainer claims the URI
  // (kserve/kserve pkg/controller/v1alpha1/localmodelnode/controller.go:138-145 @ v0.20.0), and the storage
  // initializer has no oci:// branch (python/storage/kserve_storage/kserve_storage.py:200-240 @ v0.20.0).
  test('refuses an oci:// source: KServe cannot download it into the cache', () => {
    expect(() => new KServeLocalModelCache(testChart(), 'c', { sourceModelUri: 'oci://registry.corp.internal/models/bge:1', modelSize: '2Gi', nodeGroups: ['g'] }))
      .toThrow('test/c: sourceModelUri ("oci://registry.corp.internal/models/bge:1") cannot be an oci:// modelcar: KServe downloads cached models '
        + 'with its storage initializer, which has no oci:// branch (kserve/kserve python/storage/kserve_storage/kserve_storage.py @ v0.20.0); '
        + 'set the oci:// URI as KServeModel.storageUri');
  });

  test.each<[string, any, string]>([
    ['a bad scheme', { sourceModelUri: 'ftp://x/y', modelSize: '1Gi', nodeGroups: ['g'] }, 'test/c: sourceModelUri ("ftp://x/y") must start with one of s3://, gs://, pvc://, hf://, https://'],
    ['a bad size', { sourceModelUri: 'pvc://models/m', modelSize: '2GB', nodeGroups: ['g'] }, 'modelSize ("2GB") is not a Kubernetes quantity'],
    ['no node group', { sourceModelUri: 'pvc://models/m', modelSize: '2Gi', nodeGroups: [] }, 'nodeGroups ([]) must name at least one LocalModelNodeGroup'],
  ])('rejects %s', (_t, props, message) => {
    expect(() => new KServeLocalModelCache(testChart(), 'c', props)).toThrow(message);
  });
});
