import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from './errors';
import { isQuantity } from './quantity';
import { qualifiedNameProblem, labelValueProblem } from '../validation/names';

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
