import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Fields of one synthesized object that a controller owns once the object runs (KEDA's HPA writes the
 * replicas of a scale target, Kueue un-suspends an admitted job): the emitter does not write them, and a
 * GitOps tool is told to ignore them on exactly that object.
 */
export interface RuntimeOwnedFields {
  /** The object (in some chart of the app). */
  readonly object: ApiObject;
  /** JSON pointers of the owned fields, e.g. `/spec/replicas`. */
  readonly jsonPointers: string[];
  /** Who owns them at run time, for messages and docs (e.g. `KEDA ScaledObject ai/llm-scaler`). */
  readonly owner: string;
  /** Whether the fields are removed from the synthesized object (else only ignored by GitOps tools). */
  readonly omitted: boolean;
}

const CLAIMS = new WeakMap<IConstruct, RuntimeOwnedFields[]>();

/**
 * Declares that a controller owns `jsonPointers` of `object` at run time. Called by the construct that
 * creates the owning object (a ScaledObject claims its target's replicas), never from a table keyed by
 * kind, so a new kind cannot be silently missed. With `omit` (the default) the fields are removed from the
 * synthesized object; a claim is recorded once per object and pointer.
 * @internal
 */
export function claimRuntimeFields(object: ApiObject, jsonPointers: string[], owner: string, omit: boolean = true): void {
  const root = object.node.root;
  const list = CLAIMS.get(root) ?? [];
  if (!CLAIMS.has(root)) CLAIMS.set(root, list);
  const fresh = jsonPointers.filter((p) => !list.some((c) => c.object === object && c.jsonPointers.includes(p)));
  if (fresh.length === 0) return;
  list.push({ object, jsonPointers: fresh, owner, omitted: omit });
  if (omit) {
    // `add` then `remove`: removes the field whether or not the emitter wrote it (a bare `remove` of a
    // missing path fails the synth). The parent (`/spec`) must exist, as it does for every scale target.
    for (const p of fresh) object.addJsonPatch(JsonPatch.add(p, null), JsonPatch.remove(p));
  }
}

/**
 * The run-time owned fields declared in the app of `scope`, in declaration order.
 * @internal
 */
export function runtimeOwnedFields(scope: IConstruct): RuntimeOwnedFields[] {
  return [...(CLAIMS.get(scope.node.root) ?? [])];
}

/**
 * An Argo CD `ignoreDifferences` entry for one claim: group, kind, name and namespace of exactly that
 * object (argoproj/argo-cd `pkg/apis/application/v1alpha1/types.go` ResourceIgnoreDifferences @ v3.5.1).
 * @internal
 */
export function ignoreDifferencesEntry(c: RuntimeOwnedFields): any {
  const apiVersion = c.object.apiVersion;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const namespace = c.object.metadata.namespace ?? Chart.of(c.object).namespace;
  return {
    group,
    kind: c.object.kind,
    name: c.object.name,
    ...(namespace ? { namespace } : {}),
    jsonPointers: [...c.jsonPointers],
  };
}
