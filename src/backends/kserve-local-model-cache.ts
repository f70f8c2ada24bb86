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
   * The model to cache: an `oci://` modelcar, `s3://`, `gs://`, `pvc://` or `hf://` URI. InferenceServices
   * whose `storageUri` equals it are served from the nodes' local copy.
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

const SCHEMES = ['oci://', 's3://', 'gs://', 'pvc://', 'hf://', 'https://'];

/**
 * A KServe LocalModelCache (serving.kserve.io/v1alpha1, cluster-scoped): model weights pre-fetched to
 * local disks of a node group, so predictors start without pulling the model. With an `oci://` source
 * from a private registry, a pipeline needs no call to a model hub at all. Requires KServe's local model
 * feature (the LocalModelNodeGroup CRD and controller are installed by the platform).
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
