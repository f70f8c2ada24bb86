import { check } from './errors';
import { isDns1123Label, isDns1123Subdomain } from './names';
import { boolProp, checkQuantity, intProp, objectProp } from './props';

function checkVolumeName(where: string, name: string): void {
  check(typeof name === 'string' && isDns1123Label(name), where, 'name', name, 'must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
}

function checkObjectRef(where: string, field: string, name: string): void {
  check(typeof name === 'string' && isDns1123Subdomain(name), where, field, name, 'must name an object: a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")');
}

/**
 * Options of an emptyDir volume.
 */
export interface EmptyDirOptions {
  /**
   * Keep the data in memory (`medium: Memory`), e.g. for `/dev/shm` of model servers.
   * @default false
   */
  readonly memory?: boolean;
  /**
   * Size limit, a Kubernetes quantity such as `1Gi`.
   * @default - no limit
   */
  readonly sizeLimit?: string;
}

/**
 * A pod volume. Use the static factories; mount it with a `VolumeMount` naming it.
 */
export class Volume {
  /**
   * Scratch space that lives as long as the pod.
   */
  public static emptyDir(name: string, options: EmptyDirOptions = {}): Volume {
    checkVolumeName('Volume.emptyDir', name);
    options = objectProp('Volume.emptyDir', 'options', options);
    boolProp('Volume.emptyDir', 'options.memory', options.memory);
    checkQuantity('Volume.emptyDir', 'options.sizeLimit', options.sizeLimit);
    return new Volume(name, {
      emptyDir: {
        ...(options.memory ? { medium: 'Memory' } : {}),
        ...(options.sizeLimit ? { sizeLimit: options.sizeLimit } : {}),
      },
    });
  }

  /**
   * The keys of a ConfigMap as files.
   * @param defaultMode file mode of the files, e.g. 0o444
   */
  public static configMap(name: string, configMapName: string, defaultMode?: number): Volume {
    checkVolumeName('Volume.configMap', name);
    checkObjectRef('Volume.configMap', 'configMapName', configMapName);
    intProp('Volume.configMap', 'defaultMode', defaultMode, 0, 0o777);
    return new Volume(name, { configMap: { name: configMapName, ...(defaultMode === undefined ? {} : { defaultMode }) } });
  }

  /**
   * The keys of a Secret as files (the Secret is referenced, never copied).
   */
  public static secret(name: string, secretName: string, defaultMode?: number): Volume {
    checkVolumeName('Volume.secret', name);
    checkObjectRef('Volume.secret', 'secretName', secretName);
    intProp('Volume.secret', 'defaultMode', defaultMode, 0, 0o777);
    return new Volume(name, { secret: { secretName, ...(defaultMode === undefined ? {} : { defaultMode }) } });
  }

  /**
   * A PersistentVolumeClaim, e.g. a volume of model weights.
   */
  public static persistentVolumeClaim(name: string, claimName: string, readOnly?: boolean): Volume {
    checkVolumeName('Volume.persistentVolumeClaim', name);
    checkObjectRef('Volume.persistentVolumeClaim', 'claimName', claimName);
    boolProp('Volume.persistentVolumeClaim', 'readOnly', readOnly);
    return new Volume(name, { persistentVolumeClaim: { claimName, ...(readOnly === undefined ? {} : { readOnly }) } });
  }

  private constructor(
    /** The volume name, referenced by mounts. */
    public readonly name: string,
    private readonly source: any,
  ) {}

  /** @internal the `Volume` entry, in Kubernetes JSON */
  public _toJson(): any {
    return { name: this.name, ...this.source };
  }
}

/**
 * Where a volume is mounted in a container.
 */
export interface VolumeMount {
  /** Name of a volume of the pod. */
  readonly volume: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /**
   * A sub-path of the volume to mount.
   * @default - the volume's root
   */
  readonly subPath?: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}
