import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from './errors';
import { labelValueProblem, qualifiedNameProblem } from './names';
import { isQuantity } from './quantity';

/**
 * Guards for props given by untyped callers (plain JavaScript, or jsii languages that bypass type
 * checks): every bad shape becomes a PropError naming the field, never a TypeError.
 */

/** An optional list prop: undefined, or an array without null or undefined elements. */
export function listProp<T>(scope: IConstruct | string, field: string, value: T[] | undefined): T[] {
  if (value === undefined) return [];
  check(Array.isArray(value), scope, field, value, 'must be a list');
  value.forEach((v, i) => check(v !== null && v !== undefined, scope, `${field}[${i}]`, v, 'must not be empty'));
  return value;
}

/** An optional object prop: undefined or null becomes {}, anything else must be a plain object. */
export function objectProp<T extends object>(scope: IConstruct | string, field: string, value: T | undefined | null): T {
  if (value === undefined || value === null) return {} as T;
  check(typeof value === 'object' && !Array.isArray(value), scope, field, value, 'must be an object');
  return value;
}

/** An optional string prop. */
export function stringProp(scope: IConstruct | string, field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  check(typeof value === 'string', scope, field, value, 'must be a string');
  return value;
}

/** An optional Duration prop, in whole or fractional seconds. */
export function durationSeconds(scope: IConstruct | string, field: string, value: Duration | undefined, fallback: Duration): number {
  const d = value ?? fallback;
  check(d instanceof Duration, scope, field, d, 'must be a Duration (e.g. Duration.seconds(30))');
  return d.toMilliseconds() / 1000;
}

/** A map of Kubernetes labels (or node selector terms): valid keys, string values of label syntax. */
export function checkLabelMap(scope: IConstruct | string, field: string, labels: { [key: string]: string } | undefined): void {
  for (const [k, v] of Object.entries(objectProp(scope, field, labels))) {
    const kp = qualifiedNameProblem(k);
    check(kp === undefined, scope, field, k, `is not a valid label key: ${kp}`);
    check(typeof v === 'string', scope, `${field}["${k}"]`, v, 'must be a string');
    const vp = labelValueProblem(v);
    check(vp === undefined, scope, `${field}["${k}"]`, v, `is not a valid label value: ${vp}`);
  }
}

/** An optional quantity prop (e.g. a size limit). */
export function checkQuantity(scope: IConstruct | string, field: string, value: string | undefined): void {
  if (value === undefined) return;
  check(typeof value === 'string' && isQuantity(value), scope, field, value, 'is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)');
}

/*
 * The boundary guards (issue 17 item 1): one guard per kind of prop, each failing with a PropError that
 * names the construct path, the prop path, the value (formatted safely) and the rule.
 */

/** The largest value Kubernetes stores in an int32 field (replicas, ports, seconds, uids). */
export const INT32_MAX = 2147483647;

/** A required prop: anything but undefined and null. */
export function requiredProp<T>(scope: IConstruct | string, field: string, value: T | undefined | null): T {
  check(value !== undefined && value !== null, scope, field, value, 'is required');
  return value as T;
}

/** An optional boolean prop: true, false or undefined; truthy strings such as 'false' are refused. */
export function boolProp(scope: IConstruct | string, field: string, value: boolean | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  check(typeof value === 'boolean', scope, field, value, 'must be true or false (a boolean, not a string or number)');
  return value;
}

/**
 * An optional whole-number prop within [min, max] (max defaults to the int32 limit Kubernetes stores).
 */
export function intProp(scope: IConstruct | string, field: string, value: number | undefined, min: number = 0, max: number = INT32_MAX): number | undefined {
  if (value === undefined) return undefined;
  check(typeof value === 'number' && Number.isInteger(value), scope, field, value, 'must be a whole number');
  check(value >= min && value <= max, scope, field, value, `must be between ${min} and ${max}`);
  return value;
}

/** An optional string prop that must be one of `allowed` (an enum-like prop). */
export function enumProp<T extends string>(scope: IConstruct | string, field: string, value: T | undefined, allowed: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  check(typeof value === 'string' && allowed.includes(value), scope, field, value, `must be one of ${allowed.join(', ')}`);
  return value;
}

/** An optional list of strings: a list, every element a string (non-empty unless `allowEmpty`). */
export function stringListProp(scope: IConstruct | string, field: string, value: string[] | undefined, allowEmpty: boolean = false): string[] {
  const list = listProp(scope, field, value);
  list.forEach((v, i) => {
    check(typeof v === 'string', scope, `${field}[${i}]`, v, 'must be a string');
    if (!allowEmpty) check(v.length > 0, scope, `${field}[${i}]`, v, 'must not be empty');
  });
  return list;
}

/** An optional Duration prop in whole seconds within [min, max] (Kubernetes and KEDA store seconds as integers). */
export function wholeSeconds(
  scope: IConstruct | string, field: string, value: Duration | undefined, fallback: Duration, min: number = 0, max: number = INT32_MAX,
): number {
  const s = durationSeconds(scope, field, value, fallback);
  check(Number.isInteger(s), scope, field, `${s}s`, 'must be a whole number of seconds');
  check(s >= min && s <= max, scope, field, `${s}s`, `must be between ${min} and ${max} seconds`);
  return s;
}

/** A Kubernetes namespace name: a DNS-1123 label of at most 63 characters. */
export function namespaceProp(scope: IConstruct | string, field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  check(typeof value === 'string' && value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value), scope, field, value,
    'must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
  return value;
}

/** A map of annotations: qualified-name keys, string values, at most 256 KiB in total (apimachinery ValidateAnnotations). */
export function checkAnnotationMap(scope: IConstruct | string, field: string, annotations: { [key: string]: string } | undefined): void {
  let total = 0;
  for (const [k, v] of Object.entries(objectProp(scope, field, annotations))) {
    const kp = qualifiedNameProblem(k.toLowerCase());
    check(kp === undefined, scope, field, k, `is not a valid annotation key: ${kp}`);
    check(typeof v === 'string', scope, `${field}["${k}"]`, v, 'must be a string');
    total += k.length + v.length;
  }
  check(total <= 256 * 1024, scope, field, `${total} bytes`, 'must total at most 256 KiB (keys and values)');
}

/**
 * The security options of a workload: `allowRoot` a boolean, ids whole int32 numbers, and no `runAsUser: 0`
 * while the pod runs with `runAsNonRoot: true` (the kubelet refuses to start such a container:
 * kubernetes pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot).
 */
export function checkSecurityOptions(
  scope: IConstruct | string, field: string, sec: { allowRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number } | undefined,
): void {
  const s = objectProp(scope, field, sec);
  boolProp(scope, `${field}.allowRoot`, s.allowRoot);
  for (const k of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) intProp(scope, `${field}.${k}`, s[k], 0, INT32_MAX);
  check(!(s.runAsUser === 0 && s.allowRoot !== true), scope, `${field}.runAsUser`, s.runAsUser,
    'is root (0) while the pod runs with runAsNonRoot: true, so the kubelet refuses to start it: use a non-zero uid, or set allowRoot: true');
}
