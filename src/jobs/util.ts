import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check, PropError } from '../core/errors';
import { isDns1123Subdomain, labelValueProblem, qualifiedNameProblem } from '../core/names';
import { isQuantity, parseQuantity } from '../core/quantity';

/** Runs `fn`, prefixing the field of any PropError it throws (`image` becomes `tasks[1].image`). */
export function withFieldPrefix<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PropError) {
      const field = `${prefix}.${e.field}`;
      e.message = e.message.replace(`${e.constructPath}: ${e.field}`, `${e.constructPath}: ${field}`);
      (e as { field: string }).field = field;
    }
    throw e;
  }
}


/** Checks a reference to another object by name (a DNS-1123 subdomain, at most 253 characters). */
export function checkSubdomain(scope: IConstruct, field: string, value: string): void {
  check(typeof value === 'string' && isDns1123Subdomain(value), scope, field, value,
    'must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)');
}

/** Checks labels (keys and values). */
export function checkLabels(scope: IConstruct, field: string, labels: { [key: string]: string } | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    check(qualifiedNameProblem(k) === undefined, scope, field, k, 'is not a valid label key ([prefix/]name, name at most 63 characters)');
    check(isLabelValue(v), scope, `${field}["${k}"]`, v, 'is not a valid label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)');
  }
}

/** True when `v` is a valid label value. */
export function isLabelValue(v: string): boolean {
  return typeof v === 'string' && labelValueProblem(v) === undefined;
}

/** Checks a whole number within bounds. */
export function checkInt(scope: IConstruct, field: string, value: number | undefined, min: number, max: number = 2147483647): void {
  if (value === undefined) return;
  check(Number.isInteger(value) && value >= min && value <= max, scope, field, value,
    max === 2147483647 ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
}

/** Checks a non-negative Kubernetes quantity and returns its value. */
export function checkQuantity(scope: IConstruct, field: string, value: string): number {
  check(typeof value === 'string' && isQuantity(value), scope, field, value, 'is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)');
  const n = parseQuantity(value)!;
  check(n >= 0, scope, field, value, 'must not be negative');
  return n;
}

const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Checks a resource name such as `cpu`, `memory` or `nvidia.com/gpu`. */
export function checkResourceName(scope: IConstruct, field: string, name: string): void {
  check(typeof name === 'string' && RESOURCE_NAME.test(name), scope, field, name,
    'is not a resource name (e.g. cpu, memory, ephemeral-storage, nvidia.com/gpu)');
}

/** The namespace of the chart holding `scope`, if any. */
export function chartNamespace(scope: IConstruct): string | undefined {
  return Chart.of(scope).namespace;
}

/** The synthesized JSON of the construct's `Resource` child. */
export function manifestOf(scope: IConstruct): any {
  return ApiObject.of(scope).toJson();
}

/** A Go duration such as `30s`, `5m` or `1h30m`. */
export const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
