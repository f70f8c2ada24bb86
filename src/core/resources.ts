import { IConstruct } from 'constructs';
import { check } from './errors';
import { boolProp } from './props';
import { isQuantity, parseQuantity } from './quantity';

/**
 * Request and limit of one resource, as Kubernetes quantities.
 */
export interface ResourceQuantity {
  /**
   * What the scheduler reserves, e.g. `500m` CPU or `1Gi` memory.
   * @default - no request (the limit, if set, becomes the request)
   */
  readonly request?: string;
  /**
   * The most the container may use.
   * @default - no limit
   */
  readonly limit?: string;
}

/**
 * GPUs (or another accelerator) as an extended resource.
 */
export interface GpuResources {
  /** How many devices, at least 1. */
  readonly count: number;
  /**
   * The extended resource name.
   * @default "nvidia.com/gpu"
   */
  readonly resourceName?: string;
}

/**
 * Compute resources of a container. Always set them explicitly for model and GPU workloads.
 */
export interface ResourceRequirements {
  /**
   * CPU request and limit.
   * @default - none
   */
  readonly cpu?: ResourceQuantity;
  /**
   * Memory request and limit.
   * @default - none
   */
  readonly memory?: ResourceQuantity;
  /**
   * Ephemeral storage request and limit.
   * @default - none
   */
  readonly ephemeralStorage?: ResourceQuantity;
  /**
   * GPUs: extended resources are set as both request and limit (Kubernetes requires them equal).
   * @default - no GPU
   */
  readonly gpu?: GpuResources;
  /**
   * Accept a container without a cpu or memory limit. The policy's ASYA-RES-001 still reports it unless
   * the object carries a suppression (`Policy.suppress`) with a reason.
   * @default false
   */
  readonly allowNoLimits?: boolean;
}

/** Why a container must set cpu and memory limits (the message of `requireLimits`). */
const LIMITS_RULE = 'policy ASYA-RES-001: a container without limits can starve its node\'s neighbours; requests default to the limits';

/**
 * Checks that a container the library renders sets cpu and memory limits, or opts out with
 * `allowNoLimits: true` (policy ASYA-RES-001 flags it then, by design). Validates the shape first.
 * @param field the prop path used in error messages, e.g. `resources` or `sidecars[0].resources`
 * @param containerName the rendered container's name, named in the message
 */
export function requireLimits(scope: IConstruct | string, field: string, r: ResourceRequirements | undefined, containerName: string): void {
  renderResources(scope, field, r);
  if (r?.allowNoLimits === true) return;
  check(r?.cpu?.limit !== undefined && r?.memory?.limit !== undefined, scope, field, r,
    `must set cpu.limit and memory.limit of container "${containerName}" (${LIMITS_RULE}), or allowNoLimits: true to opt out explicitly`);
}

/**
 * Validates resource requirements and renders them to Kubernetes JSON.
 * @param field the prop path used in error messages, e.g. `resources`
 */
export function renderResources(scope: IConstruct | string, field: string, r: ResourceRequirements | undefined): any {
  if (r === undefined) return undefined;
  check(r !== null && typeof r === 'object' && !Array.isArray(r), scope, field, r, 'must be an object of ResourceRequirements (e.g. { cpu: { limit: "1" }, memory: { limit: "1Gi" } })');
  for (const k of Object.keys(r)) {
    check(['cpu', 'memory', 'ephemeralStorage', 'gpu', 'allowNoLimits'].includes(k), scope, `${field}.${k}`, (r as any)[k], 'is not a resource: use cpu, memory, ephemeralStorage or gpu');
  }
  boolProp(scope, `${field}.allowNoLimits`, r.allowNoLimits);
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const one = (name: string, key: string, q?: ResourceQuantity) => {
    if (q === undefined) return;
    check(q !== null && typeof q === 'object' && !Array.isArray(q), scope, `${field}.${name}`, q, 'must be an object with request and/or limit');
    for (const which of ['request', 'limit'] as const) {
      const v = q[which];
      if (v === undefined) continue;
      check(typeof v === 'string' && isQuantity(v), scope, `${field}.${name}.${which}`, v, 'is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)');
    }
    if (q.request !== undefined && q.limit !== undefined) {
      check(parseQuantity(q.request)! <= parseQuantity(q.limit)!, scope, `${field}.${name}.request`, q.request,
        `must not exceed ${field}.${name}.limit (${q.limit})`);
    }
    if (q.request !== undefined) requests[key] = q.request;
    if (q.limit !== undefined) limits[key] = q.limit;
  };
  one('cpu', 'cpu', r.cpu);
  one('memory', 'memory', r.memory);
  one('ephemeralStorage', 'ephemeral-storage', r.ephemeralStorage);
  if (r.gpu !== undefined) {
    check(r.gpu !== null && typeof r.gpu === 'object', scope, `${field}.gpu`, r.gpu, 'must be an object with count (omit gpu for no GPU)');
    check(Number.isInteger(r.gpu.count) && r.gpu.count >= 1, scope, `${field}.gpu.count`, r.gpu.count, 'must be a whole number of at least 1 (omit gpu for no GPU)');
    const name = r.gpu.resourceName ?? 'nvidia.com/gpu';
    check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name), scope, `${field}.gpu.resourceName`, name,
      'must be an extended resource name such as nvidia.com/gpu');
    requests[name] = String(r.gpu.count);
    limits[name] = String(r.gpu.count);
  }
  const out: any = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}
