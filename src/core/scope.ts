import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * Makes an object cluster-scoped: cdk8s gives every object its chart's namespace, which the API
 * server refuses on cluster-scoped kinds.
 */
export function makeClusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
