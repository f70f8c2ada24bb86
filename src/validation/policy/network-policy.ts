import { PodTemplateRef, PodTemplates } from './pod-templates';
import { PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from './rule';

/** Whether a LabelSelector (matchLabels and matchExpressions) selects pods with `labels`; empty selects all. */
export function selectorMatches(selector: any, labels: { [key: string]: string }): boolean {
  if (!selector || typeof selector !== 'object') return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** The pod templates of `manifest` that no NetworkPolicy of its namespace selects: [path, message]. */
function uncovered(manifest: any, context: PolicyContext, asyncActors: boolean): Array<[string, string]> {
  if ((manifest?.kind === 'AsyncActor') !== asyncActors) return [];
  const pods = PodTemplates.of(manifest);
  if (pods.length === 0) return [];
  const ns = manifest.metadata?.namespace;
  const policies = context.manifests.filter((m) => m?.apiVersion === 'networking.k8s.io/v1' && m.kind === 'NetworkPolicy'
    && m.metadata?.namespace === ns);
  return pods
    .filter((pod: PodTemplateRef) => !policies.some((p) => selectorMatches(p.spec?.podSelector, pod.labels)))
    .map((pod: PodTemplateRef) => [pod.path,
      `pods (labels ${JSON.stringify(pod.labels)}) are selected by no NetworkPolicy in namespace ${JSON.stringify(ns ?? '<none>')}: `
      + `add a NetworkPolicy whose podSelector matches them${asyncActors ? ' (AsyncPipeline emits one per step)' : ''}`]);
}

/**
 * ASYA-NET-001: every AsyncActor's pods are selected by a NetworkPolicy (error).
 *
 * Why: an actor holds broker credentials and calls models; without a NetworkPolicy any pod in the cluster
 * reaches it and it reaches anything. The operator labels actor pods `asya.sh/asya: <name>` and `app: <name>`.
 * Fix: run the actor in an `AsyncPipeline` (one NetworkPolicy per step), or add a NetworkPolicy selecting
 * `asya.sh/asya: <name>`.
 */
export class AsyncActorNetworkPolicyRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-NET-001',
      level: PolicyLevel.ERROR,
      description: 'Every AsyncActor\'s pods (asya.sh/asya: <name>) are selected by a NetworkPolicy of its namespace',
      fix: 'Put the actor in an AsyncPipeline (one NetworkPolicy per step) or add a NetworkPolicy selecting asya.sh/asya: <actor name>.',
    });
  }

  public check(manifest: any, context: PolicyContext): PolicyFinding[] {
    return uncovered(manifest, context, true).map(([path, message]) => this.finding(manifest, path, message));
  }
}

/**
 * ASYA-NET-002: every other workload's pods are selected by a NetworkPolicy (warning).
 *
 * Why: a model server without a NetworkPolicy accepts traffic from every pod of the cluster.
 * Fix: bind it to an actor (`bindAsync` emits an ingress policy) or add a NetworkPolicy matching its pod labels.
 */
export class WorkloadNetworkPolicyRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-NET-002',
      level: PolicyLevel.WARNING,
      description: 'Every pod template (Deployment, Job, model server, training job, ...) is selected by a NetworkPolicy of its namespace',
      fix: 'Bind the model to its actors (bindAsync emits an ingress NetworkPolicy) or add a NetworkPolicy whose podSelector matches the pod labels.',
    });
  }

  public check(manifest: any, context: PolicyContext): PolicyFinding[] {
    return uncovered(manifest, context, false).map(([path, message]) => this.finding(manifest, path, message));
  }
}
