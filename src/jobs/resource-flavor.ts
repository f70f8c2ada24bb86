import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkLabels, checkSubdomain, isLabelValue } from './util';
import { check } from '../core/errors';
import { objectName, qualifiedNameProblem } from '../core/names';
import { Toleration } from '../core/pod';
import { listProp } from '../core/props';
import { makeClusterScoped } from '../core/scope';
import { ResourceFlavorV1Beta2 } from '../imports/kueue-resourceflavor-kueue.x-k8s.io';

/**
 * A taint the nodes of a flavor carry.
 */
export interface NodeTaint {
  /** The taint key. */
  readonly key: string;
  /**
   * The taint value.
   * @default - none
   */
  readonly value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  readonly effect: string;
}

/**
 * Props of a ResourceFlavor.
 */
export interface ResourceFlavorProps {
  /**
   * The flavor name (cluster-wide).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Labels of the flavor's nodes; Kueue injects them as a node selector into admitted pods (at most 8).
   * @default - none: the flavor matches every node
   */
  readonly nodeLabels?: { [key: string]: string };
  /**
   * Taints of the flavor's nodes; workloads must tolerate them to get the flavor (at most 8).
   * @default - none
   */
  readonly nodeTaints?: NodeTaint[];
  /**
   * Tolerations Kueue adds to the pods admitted on this flavor (at most 8).
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Topology-aware scheduling: the Topology object's name (needs at least one node label).
   * @default - none
   */
  readonly topologyName?: string;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * A Kueue ResourceFlavor (kueue.x-k8s.io/v1beta2, cluster-scoped): a kind of node (GPU model, spot or
 * on-demand) that ClusterQueues give quota for.
 *
 * @see https://kueue.sigs.k8s.io/docs/concepts/resource_flavor/
 */
export class ResourceFlavor extends Construct {
  /** The flavor name. */
  public readonly name: string;
  /** The ResourceFlavor object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ResourceFlavorProps = {}) {
    super(scope, id);
    this.name = objectName(this, props.name);
    const nodeLabels = props.nodeLabels ?? {};
    checkLabels(this, 'nodeLabels', nodeLabels);
    check(Object.keys(nodeLabels).length <= 8, this, 'nodeLabels', nodeLabels, 'must have at most 8 labels');
    const taints = listProp(this, 'nodeTaints', props.nodeTaints);
    check(taints.length <= 8, this, 'nodeTaints', taints.length, 'must have at most 8 taints');
    // Kueue's webhook (kubernetes-sigs/kueue pkg/webhooks/resourceflavor_webhook.go `validateNodeTaints` @ v0.19.2):
    // the key is a label name, the value a label value, and (key, effect) pairs are unique.
    const seenTaints = new Set<string>();
    taints.forEach((t, i) => {
      check(typeof t.key === 'string' && t.key.length > 0, this, `nodeTaints[${i}].key`, t.key, 'is required');
      check(qualifiedNameProblem(t.key) === undefined, this, `nodeTaints[${i}].key`, t.key, 'is not a valid label key ([prefix/]name, name at most 63 characters)');
      if (t.value !== undefined) {
        check(isLabelValue(t.value), this, `nodeTaints[${i}].value`, t.value, 'is not a valid label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)');
      }
      check(EFFECTS.includes(t.effect), this, `nodeTaints[${i}].effect`, t.effect, `must be one of ${EFFECTS.join(', ')}`);
      check(!seenTaints.has(`${t.key}\u0000${t.effect}`), this, `nodeTaints[${i}]`, `${t.key}:${t.effect}`, 'repeats a taint: taints must be unique by key and effect');
      seenTaints.add(`${t.key}\u0000${t.effect}`);
    });
    const tolerations = listProp(this, 'tolerations', props.tolerations);
    check(tolerations.length <= 8, this, 'tolerations', tolerations.length, 'must have at most 8 tolerations');
    tolerations.forEach((t, i) => {
      const f = `tolerations[${i}]`;
      if (t.operator !== undefined) check(['Equal', 'Exists'].includes(t.operator), this, `${f}.operator`, t.operator, 'must be Equal or Exists');
      if (t.effect !== undefined) check(EFFECTS.includes(t.effect), this, `${f}.effect`, t.effect, `must be one of ${EFFECTS.join(', ')}`);
      check(!!t.key || t.operator === 'Exists', this, `${f}.operator`, t.operator, 'must be Exists when key is empty (tolerate every taint)');
      check(!(t.operator === 'Exists' && t.value !== undefined), this, `${f}.value`, t.value, 'must be empty when operator is Exists');
      check(t.tolerationSeconds === undefined || t.effect === 'NoExecute', this, `${f}.tolerationSeconds`, t.tolerationSeconds, 'needs effect NoExecute');
    });
    if (props.topologyName !== undefined) {
      checkSubdomain(this, 'topologyName', props.topologyName);
      check(Object.keys(nodeLabels).length >= 1, this, 'topologyName', props.topologyName, 'needs at least one nodeLabel (Kueue: "at least one nodeLabel is required when topology is set")');
    }

    this.resource = new ApiObject(this, 'Resource', {
      ...ResourceFlavorV1Beta2.GVK,
      metadata: { name: this.name },
      spec: {
        ...(Object.keys(nodeLabels).length ? { nodeLabels: { ...nodeLabels } } : {}),
        ...(taints.length ? { nodeTaints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) } : {}),
        ...(tolerations.length ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
        ...(props.topologyName !== undefined ? { topologyName: props.topologyName } : {}),
      },
    });
    makeClusterScoped(this.resource);
  }
}
