import { IConstruct } from 'constructs';
import { check } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_LETTER = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a DNS-1123 label (lowercase alphanumerics and "-", at most `max` characters). */
export function checkDnsLabel(scope: IConstruct | string, field: string, value: string, max: number = 63, why?: string): void {
  check(typeof value === 'string' && DNS_LABEL.test(value), scope, field, value,
    'must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)');
  check(value.length <= max, scope, field, value, `must be at most ${max} characters${why ? ` (${why})` : ''}, it has ${value.length}`);
}

/** Checks a DNS-1035 label (like DNS-1123 but starting with a letter). */
export function checkDns1035Label(scope: IConstruct | string, field: string, value: string, max: number = 63, why?: string): void {
  check(typeof value === 'string' && DNS_LABEL_LETTER.test(value), scope, field, value,
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
