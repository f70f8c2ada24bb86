import { check } from './errors';
import { isDns1123Subdomain } from './names';
import { boolProp } from './props';

/** A Secret or ConfigMap key reference: the object's name, a key of `[-._a-zA-Z0-9]+` (at most 253), an optional flag. */
function checkKeyRef(where: string, field: string, name: string, key: string, optional?: boolean): void {
  check(typeof name === 'string' && isDns1123Subdomain(name), where, field, name, 'must name an object: a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")');
  check(typeof key === 'string' && key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key), where, 'key', key, 'must be a key of letters, digits, "-", "_" and "." (at most 253 characters)');
  boolProp(where, 'optional', optional);
}

/**
 * The value of an environment variable: a plain value, or a reference to a Secret, a ConfigMap or a
 * pod field. Secrets are only ever referenced (`secretKeyRef`), never copied into the manifest.
 */
export class EnvValue {
  /**
   * A plain value. Never put credentials here: use `EnvValue.fromSecret`.
   */
  public static fromValue(value: string): EnvValue {
    check(typeof value === 'string', 'EnvValue.fromValue', 'value', value, 'must be a string (quote numbers and booleans: "8", "true")');
    return new EnvValue(value, undefined);
  }

  /**
   * A key of a Secret in the workload's namespace (`valueFrom.secretKeyRef`).
   * @param secretName the Secret's name
   * @param key the key inside the Secret
   * @param optional whether the pod may start without the key
   */
  public static fromSecret(secretName: string, key: string, optional?: boolean): EnvValue {
    checkKeyRef('EnvValue.fromSecret', 'secretName', secretName, key, optional);
    return new EnvValue(undefined, { secretKeyRef: { name: secretName, key, ...(optional === undefined ? {} : { optional }) } });
  }

  /**
   * A key of a ConfigMap in the workload's namespace (`valueFrom.configMapKeyRef`).
   * @param configMapName the ConfigMap's name
   * @param key the key inside the ConfigMap
   * @param optional whether the pod may start without the key
   */
  public static fromConfigMap(configMapName: string, key: string, optional?: boolean): EnvValue {
    checkKeyRef('EnvValue.fromConfigMap', 'configMapName', configMapName, key, optional);
    return new EnvValue(undefined, { configMapKeyRef: { name: configMapName, key, ...(optional === undefined ? {} : { optional }) } });
  }

  /**
   * A field of the pod (`valueFrom.fieldRef`), e.g. `metadata.namespace` or `status.podIP`.
   */
  public static fromFieldRef(fieldPath: string): EnvValue {
    check(typeof fieldPath === 'string' && /^[A-Za-z][A-Za-z0-9_.'\[\]\/-]*$/.test(fieldPath), 'EnvValue.fromFieldRef', 'fieldPath', fieldPath,
      'must be a pod field path such as metadata.namespace or status.podIP');
    return new EnvValue(undefined, { fieldRef: { fieldPath } });
  }

  private constructor(
    /** The plain value, when this is not a reference. */
    public readonly value: string | undefined,
    private readonly valueFrom: any,
  ) {}

  /** True when the value is a reference (Secret, ConfigMap or field). */
  public get isReference(): boolean {
    return this.valueFrom !== undefined;
  }

  /** @internal the `EnvVar` entry, in Kubernetes JSON */
  public _toJson(name: string): any {
    return this.valueFrom ? { name, valueFrom: this.valueFrom } : { name, value: this.value };
  }
}
