import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AsyncActor, CREW_SCOPES, HandlerMode, SidecarOptions } from './async-actor';
import { EgressRule, gatewayFlow } from './async-step';
import { AsyaImages } from './images';
import { ScalingOptions } from './scaling';
import { Transport } from './transport';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { boolProp, listProp, objectProp, stringProp } from '../core/props';
import { CREWS } from '../core/registry';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { ClusterDns, isCidr, NetworkPeer, TrafficFlow, TrafficPort } from '../core/traffic';

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
  /**
   * CIDR blocks the crew may reach S3 (and STS, for IRSA) on, port 443: e.g. a VPC endpoint's subnets.
   * @default ["0.0.0.0/0"]: S3's public endpoints have no fixed addresses
   */
  readonly endpointCidrs?: string[];
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
  /**
   * The storage's pods or addresses, for the crew's NetworkPolicy egress.
   * @default - derived from endpoint: `<service>.<namespace>.svc...` gives every pod of that namespace, a
   * one-label host the crew's own namespace, an IP address that address; any other host must be given here
   */
  readonly peer?: NetworkPeer;
  /**
   * The port the storage's pods listen on (the pod port behind the Service).
   * @default - the endpoint's port (MinIO's chart maps Service 9000 to pod 9000)
   */
  readonly podPort?: number;
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
    (options.endpointCidrs ?? []).forEach((c, i) => check(isCidr(c), 'ResultStorage.s3', `endpointCidrs[${i}]`, c, 'must be a CIDR block such as 10.0.0.0/16'));
    const flows = (options.endpointCidrs ?? ['0.0.0.0/0']).map((c) => ({
      peer: NetworkPeer.cidr(c), ports: [TrafficPort.tcp(443)], description: 'S3 and STS (HTTPS): result storage',
    }));
    return new ResultStorage(env, options.bucket, () => flows);
  }

  /** MinIO or another S3-compatible endpoint. */
  public static minio(options: MinioStorageOptions): ResultStorage {
    check(typeof options.credentialsSecret === 'string' && options.credentialsSecret.length > 0, 'ResultStorage.minio', 'credentialsSecret', options.credentialsSecret,
      'is required: without credentials the crew falls back to minioadmin/minioadmin');
    check(/^https?:\/\/\S+$/.test(options.endpoint), 'ResultStorage.minio', 'endpoint', options.endpoint, 'must be an http:// or https:// URL');
    if (options.peer !== undefined) check(options.peer instanceof NetworkPeer, 'ResultStorage.minio', 'peer', options.peer, 'must be a NetworkPeer');
    const url = new URL(options.endpoint);
    const port = options.podPort ?? (url.port ? Number(url.port) : (url.protocol === 'https:' ? 443 : 80));
    check(Number.isInteger(port) && port >= 1 && port <= 65535, 'ResultStorage.minio', 'podPort', port, 'must be a whole number from 1 to 65535');
    const given = options.peer;
    const storageFlows = (scope: IConstruct, namespace: string): TrafficFlow[] => {
      const peer = given ?? peerOfUrl(url.hostname, namespace);
      check(peer !== undefined, scope, 'storage', options.endpoint,
        'names a host outside the cluster: give ResultStorage.minio({ peer: NetworkPeer.cidr(...) }) so the crew\'s NetworkPolicy can allow it');
      return [{ peer: peer!, ports: [TrafficPort.tcp(port)], description: 'MinIO: result storage' }];
    };
    return new ResultStorage({
      ASYA_S3_BUCKET: EnvValue.fromValue(options.bucket),
      ASYA_S3_ENDPOINT: EnvValue.fromValue(options.endpoint),
      ASYA_S3_ACCESS_KEY: EnvValue.fromSecret(options.credentialsSecret, options.accessKeyKey ?? 'access-key'),
      ASYA_S3_SECRET_KEY: EnvValue.fromSecret(options.credentialsSecret, options.secretKeyKey ?? 'secret-key'),
    }, options.bucket, storageFlows);
  }

  /** Do not persist results (the gateway, if any, still gets the final status). */
  public static none(): ResultStorage {
    return new ResultStorage({}, undefined, () => []);
  }

  private constructor(
    /** @internal */ public readonly _env: { [k: string]: EnvValue },
    /** The bucket, if results are persisted. */
    public readonly bucket: string | undefined,
    private readonly flows: (scope: IConstruct, namespace: string) => TrafficFlow[],
  ) {}

  /**
   * The crew's egress to the storage (upstream swallows upload errors: a blocked store loses results
   * silently, deliveryhero/asya src/asya-crew/handlers/end_handlers.py @ v0.1.1).
   * @internal
   */
  public _egressFlows(scope: IConstruct, namespace: string): TrafficFlow[] {
    return this.flows(scope, namespace);
  }
}

/**
 * The pods behind an in-cluster URL host: `<service>.<namespace>[.svc[.cluster.local]]` gives every pod
 * of that namespace, a one-label host the given namespace, an IPv4 address that address; else undefined.
 */
function peerOfUrl(host: string, namespace: string): NetworkPeer | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return NetworkPeer.cidr(`${host}/32`);
  const svc = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
  if (!svc) return undefined;
  return NetworkPeer.namespace(svc[2] ?? namespace);
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
   * Scaling of each end actor. At least one replica by default, like the operator's crew chart
   * (deliveryhero/asya deploy/helm-charts/asya-crew/values.yaml:10-15 @ v0.1.1): every message of every
   * pipeline ends here, so a crew at zero adds a cold start to each first result after idle.
   * @default - enabled, 1..10 replicas
   */
  readonly scaling?: ScalingOptions;
  /**
   * Sidecar settings of the end actors. Their `resources` must set cpu and memory limits (or
   * `allowNoLimits: true`), like every actor's.
   * @default - pinned sidecar image and the actors' default sidecar resources (100m/500m CPU, 64Mi/256Mi memory: see SidecarOptions.resources)
   */
  readonly sidecar?: SidecarOptions;
  /**
   * Extra egress of the end actors, besides DNS, the broker, the storage and the gateway.
   * @default - none
   */
  readonly egress?: EgressRule[];
  /**
   * Extra egress of the end actors in the traffic model's terms (any peer), e.g.
   * `[AwsCredentialEndpoints.eksPodIdentity()]` when S3 credentials come from EKS Pod Identity.
   * @default - none
   */
  readonly egressFlows?: TrafficFlow[];
  /**
   * ServiceAccount of the end actors (e.g. one annotated for IRSA, so happy-end can write to S3).
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * Namespaces allowed to scrape the end actors' sidecar metrics (8080).
   * @default - none
   */
  readonly metricsScrapeNamespaces?: string[];
  /**
   * Create the end actors' NetworkPolicies.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * The cluster DNS.
   * @default - ClusterDns.of(this)
   */
  readonly dns?: ClusterDns;
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
    check(props.transport instanceof Transport, this, 'transport', props.transport, 'must be Transport.rabbitmq() or Transport.sqs({...})');
    check(props.storage instanceof ResultStorage, this, 'storage', props.storage, 'must be a ResultStorage (e.g. ResultStorage.none() or ResultStorage.s3(...))');
    stringProp(this, 'image', props.image);
    boolProp(this, 'networkPolicy', props.networkPolicy);
    objectProp(this, 'resources', props.resources);
    if (props.resources) requireLimits(this, 'resources', props.resources, 'asya-runtime');
    objectProp(this, 'sidecar', props.sidecar);
    if (props.sidecar?.resources !== undefined) requireLimits(this, 'sidecar.resources', props.sidecar.resources, 'asya-sidecar');
    objectProp(this, 'scaling', props.scaling);
    if (props.gatewayUrl !== undefined) {
      check(typeof props.gatewayUrl === 'string' && /^https?:\/\/\S+$/.test(props.gatewayUrl), this, 'gatewayUrl', props.gatewayUrl, 'must be an http:// or https:// URL');
    }
    const namespace = Chart.of(this).namespace ?? 'default';
    const common = {
      transport: props.transport,
      serviceAccountName: props.serviceAccountName,
      egress: props.egress,
      egressFlows: [...props.storage._egressFlows(this, namespace), ...this.gatewayFlows(props, namespace), ...listProp(this, 'egressFlows', props.egressFlows)],
      metricsScrapeNamespaces: props.metricsScrapeNamespaces,
      networkPolicy: props.networkPolicy,
      dns: props.dns,
      image: props.image ?? AsyaImages.CREW,
      // The crew handlers refuse to start in payload mode.
      handlerMode: HandlerMode.ENVELOPE,
      resources: props.resources ?? { cpu: { request: '50m', limit: '200m' }, memory: { request: '64Mi', limit: '128Mi' } },
      scaling: { minReplicas: 1, maxReplicas: 10, ...(props.scaling ?? {}) },
      sidecar: props.sidecar,
      env: {
        ...props.storage._env,
        ...(props.gatewayUrl ? { ASYA_GATEWAY_URL: EnvValue.fromValue(props.gatewayUrl) } : {}),
      },
    };
    this.happyEnd = new AsyncActor(this, 'happy-end', { ...common, handler: 'handlers.end_handlers.happy_end_handler' });
    this.errorEnd = new AsyncActor(this, 'error-end', { ...common, handler: 'handlers.end_handlers.error_end_handler' });
  }

  /**
   * The end actors' sidecars POST the final status to the gateway (`/envelopes/{id}/final`,
   * deliveryhero/asya src/asya-sidecar/internal/progress/reporter.go @ v0.1.1). A gateway declared on
   * the transport is reached by every actor already; otherwise `gatewayUrl` names it: an in-cluster
   * Service URL gives the asya-gateway chart's pods (`app.kubernetes.io/name: asya-gateway`, port 8080)
   * in that namespace.
   */
  private gatewayFlows(props: AsyaCrewProps, namespace: string): TrafficFlow[] {
    if (props.gatewayUrl === undefined || props.transport.gateway !== undefined) return [];
    const host = new URL(props.gatewayUrl).hostname;
    const svc = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
    check(svc !== null, this, 'gatewayUrl', props.gatewayUrl,
      'names a host outside the cluster: declare the gateway on the transport (Transport.rabbitmq({ gateway: { namespace, podSelector, port } })) so NetworkPolicies can allow it');
    return [gatewayFlow({ namespace: svc![2] ?? namespace })];
  }
}
