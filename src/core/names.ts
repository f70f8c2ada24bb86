import { IConstruct } from 'constructs';
import { check } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True when `name` is a DNS-1123 label (at most 63 characters). */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** True when `name` is a DNS-1123 subdomain (at most 253 characters). */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** True when `name` is a DNS-1035 label (starts with a letter, at most 63 characters). */
export function isDns1035Label(name: string): boolean {
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

/** Problems with a label or annotation key (`prefix/name`), empty when valid. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `key "${key}" has more than one "/"`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `key prefix "${prefix}" must be a DNS-1123 subdomain`;
  if (!name || name.length > 63 || !LABEL_NAME.test(name)) {
    return `key name "${name}" must be at most 63 characters of [A-Za-z0-9_.-], starting and ending with an alphanumeric`;
  }
  return undefined;
}

/** Problems with a label value, empty when valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label value "${value}" must be at most 63 characters of [A-Za-z0-9_.-], starting and ending with an alphanumeric`;
  }
  return undefined;
}


/** Checks a DNS-1123 label (lowercase alphanumerics and "-", at most `max` characters). */
export function checkDnsLabel(scope: IConstruct | string, field: string, value: string, max: number = 63, why?: string): void {
  check(typeof value === 'string' && DNS1123_LABEL.test(value), scope, field, value,
    'must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)');
  check(value.length <= max, scope, field, value, `must be at most ${max} characters${why ? ` (${why})` : ''}, it has ${value.length}`);
}

/** Checks a DNS-1035 label (like DNS-1123 but starting with a letter). */
export function checkDns1035Label(scope: IConstruct | string, field: string, value: string, max: number = 63, why?: string): void {
  check(typeof value === 'string' && DNS1035_LABEL.test(value), scope, field, value,
    'must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)');
  check(value.length <= max, scope, field, value, `must be at most ${max} characters${why ? ` (${why})` : ''}, it has ${value.length}`);
}

/**
 * The Kubernetes object name of a construct: the `name` prop if given, else the construct id.
 * Names are never hashed: they are what users type in kubectl.
 */
export function objectName(scope: IConstruct, name: string | undefined, max: number = 63, why?: string): string {
  const n = name ?? scope.node.id;
  checkDnsLabel(scope, name === undefined ? 'name (from the construct id)' : 'name', n, max, why);
  return n;
}
