import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { checkQuantity, listProp } from '../core/props';
import { makeClusterScoped } from '../core/scope';
import { LocalModelCache } from '../imports/kserve-localmodelcache-serving.kserve.io';

/**
 * Props of a KServeLocalModelCache.
 */
export interface KServeLocalModelCacheProps {
  /**
   * The cache's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The model to cache: an `s3://`, `gs://`, `pvc://`, `hf://` or `https://` URI. InferenceServices whose
   * `storageUri` equals it are served from the nodes' local copy. Not `oci://`: KServe's download job
   * runs the storage initializer, which has no `oci://` branch (serve an `oci://` modelcar directly from
   * `KServeModel.storageUri` instead).
   */
  readonly sourceModelUri: string;
  /** Disk the model needs on each node, a quantity such as `20Gi`. */
  readonly modelSize: string;
  /** Names of the LocalModelNodeGroups (created by the platform) whose nodes keep a copy. */
  readonly nodeGroups: string[];
  /**
   * ServiceAccount of the download jobs (for storage credentials).
   * @default - KServe's default
   */
  readonly serviceAccountName?: string;
}

const SCHEMES = ['s3://', 'gs://', 'pvc://', 'hf://', 'https://'];

/**
 * A KServe LocalModelCache (serving.kserve.io/v1alpha1, cluster-scoped): model weights pre-fetched to
 * local disks of a node group, so predictors start without pulling the model. Requires KServe's local
 * model feature (the LocalModelNodeGroup CRD and controller are installed by the platform). The download
 * job runs KServe's storage initializer image (configured in KServe, not here); for an air-gapped
 * cluster, point the cache at an in-cluster source (`s3://` on MinIO, `pvc://`) and mirror that image.
 */
export class KServeLocalModelCache extends Construct {
  /** The cache's name. */
  public readonly name: string;
  /** The model URI the cache serves. */
  public readonly sourceModelUri: string;
  /** The LocalModelCache object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KServeLocalModelCacheProps) {
    super(scope, id);
    this.name = objectName(this, props.name);
    // KSV-3: the LocalModelNode controller runs the storage initializer unless a ClusterStorageContainer of
    // workloadType localModelDownloadJob claims the URI (kserve/kserve pkg/controller/v1alpha1/localmodelnode/controller.go:138-145,278-300 @ v0.20.0),
    // and the storage initializer knows no oci:// (python/storage/kserve_storage/kserve_storage.py:200-240 @ v0.20.0).
    check(typeof props.sourceModelUri !== 'string' || !props.sourceModelUri.startsWith('oci://'), this, 'sourceModelUri', props.sourceModelUri,
      'cannot be an oci:// modelcar: KServe downloads cached models with its storage initializer, which has no oci:// branch '
      + '(kserve/kserve python/storage/kserve_storage/kserve_storage.py @ v0.20.0); set the oci:// URI as KServeModel.storageUri '
      + '(KServe runs it as a modelcar), or cache from s3://, gs://, pvc://, hf:// or https://');
    check(typeof props.sourceModelUri === 'string' && SCHEMES.some((s) => props.sourceModelUri.startsWith(s) && props.sourceModelUri.length > s.length),
      this, 'sourceModelUri', props.sourceModelUri, `must start with one of ${SCHEMES.join(', ')}`);
    checkQuantity(this, 'modelSize', props.modelSize);
    check(props.modelSize !== undefined, this, 'modelSize', props.modelSize, 'is required (the disk each node reserves for the model)');
    const groups = listProp(this, 'nodeGroups', props.nodeGroups);
    check(groups.length > 0, this, 'nodeGroups', groups, 'must name at least one LocalModelNodeGroup');
    groups.forEach((g, i) => check(typeof g === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(g), this, `nodeGroups[${i}]`, g, 'must be a LocalModelNodeGroup name'));
    this.sourceModelUri = props.sourceModelUri;
    this.resource = new ApiObject(this, 'Resource', {
      ...LocalModelCache.GVK,
      metadata: { name: this.name },
      spec: {
        sourceModelUri: props.sourceModelUri,
        modelSize: props.modelSize,
        nodeGroups: [...groups],
        ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
      },
    });
    makeClusterScoped(this.resource);
  }
}
