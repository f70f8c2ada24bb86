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
    return new Volume(name, { configMap: { name: configMapName, ...(defaultMode === undefined ? {} : { defaultMode }) } });
  }

  /**
   * The keys of a Secret as files (the Secret is referenced, never copied).
   */
  public static secret(name: string, secretName: string, defaultMode?: number): Volume {
    return new Volume(name, { secret: { secretName, ...(defaultMode === undefined ? {} : { defaultMode }) } });
  }

  /**
   * A PersistentVolumeClaim, e.g. a volume of model weights.
   */
  public static persistentVolumeClaim(name: string, claimName: string, readOnly?: boolean): Volume {
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
