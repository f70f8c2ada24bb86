/**
 * The value of an environment variable: a plain value, or a reference to a Secret, a ConfigMap or a
 * pod field. Secrets are only ever referenced (`secretKeyRef`), never copied into the manifest.
 */
export class EnvValue {
  /**
   * A plain value. Never put credentials here: use `EnvValue.fromSecret`.
   */
  public static fromValue(value: string): EnvValue {
    return new EnvValue(value, undefined);
  }

  /**
   * A key of a Secret in the workload's namespace (`valueFrom.secretKeyRef`).
   * @param secretName the Secret's name
   * @param key the key inside the Secret
   * @param optional whether the pod may start without the key
   */
  public static fromSecret(secretName: string, key: string, optional?: boolean): EnvValue {
    return new EnvValue(undefined, { secretKeyRef: { name: secretName, key, ...(optional === undefined ? {} : { optional }) } });
  }

  /**
   * A key of a ConfigMap in the workload's namespace (`valueFrom.configMapKeyRef`).
   * @param configMapName the ConfigMap's name
   * @param key the key inside the ConfigMap
   * @param optional whether the pod may start without the key
   */
  public static fromConfigMap(configMapName: string, key: string, optional?: boolean): EnvValue {
    return new EnvValue(undefined, { configMapKeyRef: { name: configMapName, key, ...(optional === undefined ? {} : { optional }) } });
  }

  /**
   * A field of the pod (`valueFrom.fieldRef`), e.g. `metadata.namespace` or `status.podIP`.
   */
  public static fromFieldRef(fieldPath: string): EnvValue {
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
