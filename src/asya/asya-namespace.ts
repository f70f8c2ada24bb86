import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { objectName } from '../core/names';
import { makeClusterScoped } from '../core/scope';

/**
 * Props of an AsyaNamespace.
 */
export interface AsyaNamespaceProps {
  /**
   * The namespace name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Keep the Namespace when a GitOps tool prunes it (removed from Git) or deletes its Application:
   * deleting a Namespace deletes everything in it, including the Secrets created out of band (the broker's
   * `rabbitmq-secret`, model tokens), which no sync restores. Annotates it `argocd.argoproj.io/sync-options:
   * Prune=false,Delete=false` (argoproj/argo-cd docs/user-guide/sync-options.md @ v3.5.1) and
   * `kustomize.toolkit.fluxcd.io/prune: disabled` (fluxcd/kustomize-controller docs/spec/v1/kustomizations.md
   * @ v1.9.4). Secrets the library never synthesizes are not tracked by either tool, so they are pruned only
   * with their Namespace. Delete a protected Namespace by hand.
   * @default true
   */
  readonly protectFromPruning?: boolean;
}

/**
 * A namespace that runs actors, with Pod Security admission labels that fit Asya: `enforce: baseline`
 * (the operator-injected sidecar sets no container securityContext, so `restricted` would reject actor
 * pods) and `warn`/`audit: restricted`, so everything else is held to `restricted`.
 *
 * Connection secrets are referenced, never created here: Asya v0.1.x reads the broker Secret (the
 * operator's `passwordSecretRef`, `rabbitmq-secret` by default, keys `username` and `password`) in every
 * actor namespace, and KEDA's TriggerAuthentications reference the same Secret. Create it out of band
 * (External Secrets, Sealed Secrets, or `kubectl create secret generic rabbitmq-secret
 * --from-literal=username=... --from-literal=password=... -n <namespace>`).
 */
export class AsyaNamespace extends Construct {
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AsyaNamespaceProps = {}) {
    super(scope, id);
    this.name = objectName(this, props.name);
    this.resource = new ApiObject(this, 'Resource', {
      ...k8s.KubeNamespace.GVK,
      metadata: {
        name: this.name,
        ...((props.protectFromPruning ?? true) ? {
          annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
        } : {}),
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          ...(props.labels ?? {}),
        },
      },
    });
    makeClusterScoped(this.resource);
  }
}
