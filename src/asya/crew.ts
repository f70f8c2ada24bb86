import { Construct } from 'constructs';
import { AsyncActor, CREW_SCOPES, HandlerMode, SidecarOptions } from './async-actor';
import { AsyaImages } from './images';
import { ScalingOptions } from './scaling';
import { Transport } from './transport';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { ConstructRegistry } from '../core/registry';
import { ResourceRequirements } from '../core/resources';

/**
 * Options of S3 result storage.
 */
export interface S3StorageOptions {
  /** The bucket (created by happy-end if missing). */
  readonly bucket: string;
  /**
   * AWS region (AWS_REGION).
   * @default "us-east-1"
   */
  readonly region?: string;
  /**
   * Secret with static credentials (referenced, never copied).
   * @default - none: the AWS default chain (IRSA, instance role)
   */
  readonly credentialsSecret?: string;
  /**
   * Key of the access key in credentialsSecret.
   * @default "access-key"
   */
  readonly accessKeyKey?: string;
  /**
   * Key of the secret key in credentialsSecret.
   * @default "secret-key"
   */
  readonly secretKeyKey?: string;
}

/**
 * Options of MinIO (or another S3-compatible store) result storage.
 */
export interface MinioStorageOptions {
  /** The bucket (created by happy-end if missing). */
  readonly bucket: string;
  /** The endpoint URL, e.g. `http://minio.storage.svc.cluster.local:9000`. */
  readonly endpoint: string;
  /**
   * Secret with the credentials. Required: with an endpoint and no credentials the crew silently uses
   * minioadmin/minioadmin.
   */
  readonly credentialsSecret: string;
  /**
   * Key of the access key in credentialsSecret.
   * @default "access-key"
   */
  readonly accessKeyKey?: string;
  /**
   * Key of the secret key in credentialsSecret.
   * @default "secret-key"
   */
  readonly secretKeyKey?: string;
}

/**
 * Where happy-end persists results and error-end persists failures.
 */
export class ResultStorage {
  /** Amazon S3. */
  public static s3(options: S3StorageOptions): ResultStorage {
    const env: { [k: string]: EnvValue } = {
      ASYA_S3_BUCKET: EnvValue.fromValue(options.bucket),
      AWS_REGION: EnvValue.fromValue(options.region ?? 'us-east-1'),
    };
    if (options.credentialsSecret) {
      env.ASYA_S3_ACCESS_KEY = EnvValue.fromSecret(options.credentialsSecret, options.accessKeyKey ?? 'access-key');
      env.ASYA_S3_SECRET_KEY = EnvValue.fromSecret(options.credentialsSecret, options.secretKeyKey ?? 'secret-key');
    }
    return new ResultStorage(env, options.bucket);
  }

  /** MinIO or another S3-compatible endpoint. */
  public static minio(options: MinioStorageOptions): ResultStorage {
    check(typeof options.credentialsSecret === 'string' && options.credentialsSecret.length > 0, 'ResultStorage.minio', 'credentialsSecret', options.credentialsSecret,
      'is required: without credentials the crew falls back to minioadmin/minioadmin');
    check(/^https?:\/\/\S+$/.test(options.endpoint), 'ResultStorage.minio', 'endpoint', options.endpoint, 'must be an http:// or https:// URL');
    return new ResultStorage({
      ASYA_S3_BUCKET: EnvValue.fromValue(options.bucket),
      ASYA_S3_ENDPOINT: EnvValue.fromValue(options.endpoint),
      ASYA_S3_ACCESS_KEY: EnvValue.fromSecret(options.credentialsSecret, options.accessKeyKey ?? 'access-key'),
      ASYA_S3_SECRET_KEY: EnvValue.fromSecret(options.credentialsSecret, options.secretKeyKey ?? 'secret-key'),
    }, options.bucket);
  }

  /** Do not persist results (the gateway, if any, still gets the final status). */
  public static none(): ResultStorage {
    return new ResultStorage({}, undefined);
  }

  private constructor(
    /** @internal */ public readonly _env: { [k: string]: EnvValue },
    /** The bucket, if results are persisted. */
    public readonly bucket: string | undefined,
  ) {}
}

/**
 * Props of the crew.
 */
export interface AsyaCrewProps {
  /** The transport of the crew (one crew per transport for the whole cluster). */
  readonly transport: Transport;
  /** Where results and failures are persisted. */
  readonly storage: ResultStorage;
  /**
   * The gateway URL the end actors' sidecars report final status to (used when the operator has no
   * gatewayURL; a literal value is required, references are ignored upstream).
   * @default - none
   */
  readonly gatewayUrl?: string;
  /**
   * The crew image.
   * @default AsyaImages.CREW
   */
  readonly image?: string;
  /**
   * Resources of each end actor's runtime.
   * @default - requests 50m CPU / 64Mi, limits 200m CPU / 128Mi (the crew chart's)
   */
  readonly resources?: ResourceRequirements;
  /**
   * Scaling of each end actor.
   * @default - enabled, 0..10 replicas
   */
  readonly scaling?: ScalingOptions;
  /**
   * Sidecar settings of the end actors.
   * @default - pinned sidecar image
   */
  readonly sidecar?: SidecarOptions;
}

/**
 * The crew: the `happy-end` and `error-end` actors every route ends in. Queue names are not namespaced
 * in Asya v0.1.x, so there is exactly one crew per transport in the cluster: deploy it once (in its own
 * chart, e.g. namespace `asya-system`) and let every pipeline refer to it.
 */
export class AsyaCrew extends Construct {
  /** The happy-end actor (persists results). */
  public readonly happyEnd: AsyncActor;
  /** The error-end actor (persists failures). */
  public readonly errorEnd: AsyncActor;

  constructor(scope: Construct, id: string, props: AsyaCrewProps) {
    super(scope, id);
    CREW_SCOPES.add(this);
    CREWS.add(this);
    if (props.gatewayUrl !== undefined) {
      check(/^https?:\/\/\S+$/.test(props.gatewayUrl), this, 'gatewayUrl', props.gatewayUrl, 'must be an http:// or https:// URL');
    }
    const common = {
      transport: props.transport,
      image: props.image ?? AsyaImages.CREW,
      // The crew handlers refuse to start in payload mode.
      handlerMode: HandlerMode.ENVELOPE,
      resources: props.resources ?? { cpu: { request: '50m', limit: '200m' }, memory: { request: '64Mi', limit: '128Mi' } },
      scaling: { maxReplicas: 10, ...(props.scaling ?? {}) },
      sidecar: props.sidecar,
      env: {
        ...props.storage._env,
        ...(props.gatewayUrl ? { ASYA_GATEWAY_URL: EnvValue.fromValue(props.gatewayUrl) } : {}),
      },
    };
    this.happyEnd = new AsyncActor(this, 'happy-end', { ...common, handler: 'handlers.end_handlers.happy_end_handler' });
    this.errorEnd = new AsyncActor(this, 'error-end', { ...common, handler: 'handlers.end_handlers.error_end_handler' });
  }
}

/** Every instance of each app (for whole-app checks). */
export const CREWS = new ConstructRegistry<AsyaCrew>();
