import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AsyaGatewayEndpoint, checkGatewayEndpoint, gatewayFlow } from './async-step';
import { QueueNaming } from './queue-naming';
import { check } from '../core/errors';
import { checkFlow, isCidr, NetworkPeer, TrafficFlow, TrafficPort } from '../core/traffic';

/**
 * RabbitMQ as the operator is configured for it.
 */
export interface RabbitMqTransportOptions {
  /**
   * The broker host KEDA connects to (the operator injects its own settings into sidecars).
   * @default - "rabbitmq.<brokerNamespace>.svc.cluster.local" with brokerNamespace, else "rabbitmq.default.svc.cluster.local"
   */
  readonly host?: string;
  /**
   * AMQP port.
   * @default 5672
   */
  readonly port?: number;
  /**
   * The Secret holding the broker credentials, in every namespace that runs actors (Asya v0.1.x reads
   * it in the actor's namespace and does not copy it). It is referenced, never created by this library.
   * @default "rabbitmq-secret" (the operator chart's default)
   */
  readonly credentialsSecret?: string;
  /**
   * Key of the user name in the Secret.
   * @default "username"
   */
  readonly usernameKey?: string;
  /**
   * Key of the password in the Secret.
   * @default "password"
   */
  readonly passwordKey?: string;
  /**
   * RabbitMQ management API base URL (e.g. `http://rabbitmq.default.svc.cluster.local:15672`). When set,
   * queue-driven scaling of models counts ready plus unacknowledged messages over HTTP (`protocol: http`);
   * over AMQP KEDA counts ready messages only, so messages a bridge is working on are invisible
   * (kedacore/keda pkg/scalers/rabbitmq_scaler.go:546-566 @ v2.20.2). Required for a model that scales to
   * zero on RabbitMQ; without it a bound model defaults to one replica at least. The KEDA operator must
   * reach it (the management plugin's port, 15672 by default) with the credentials of `credentialsSecret`.
   * @default - AMQP (ready messages only), like the operator's own scalers
   */
  readonly managementUrl?: string;
  /**
   * Namespace of the broker, for NetworkPolicy egress rules.
   * @default - egress to the broker port is allowed to any namespace
   */
  readonly brokerNamespace?: string;
  /**
   * Pod labels of the broker, for NetworkPolicy egress rules.
   * @default - any pod
   */
  readonly brokerPodSelector?: { [key: string]: string };
  /**
   * CIDR blocks of a broker outside the cluster (e.g. Amazon MQ), for NetworkPolicy egress rules;
   * exclusive with brokerNamespace and brokerPodSelector.
   * @default - see brokerNamespace
   */
  readonly brokerCidrs?: string[];
  /**
   * The Asya gateway the operator points every sidecar at (its `gatewayURL`): every actor on this
   * transport, the crew's included, may then reach it.
   * @default - no gateway: sidecars report nowhere
   */
  readonly gateway?: AsyaGatewayEndpoint;
  /**
   * The broker's largest accepted message, in bytes (RabbitMQ `max_message_size`): bundled handlers
   * refuse results that would not fit, instead of letting the publish fail and the message be redelivered.
   * @default 16777216 (16 MiB, the default since RabbitMQ 4.0)
   */
  readonly maxMessageBytes?: number;
}

/**
 * Amazon SQS as the operator is configured for it.
 */
export interface SqsTransportOptions {
  /** AWS region of the queues, e.g. `eu-central-1`. */
  readonly region: string;
  /** AWS account id owning the queues (12 digits). */
  readonly accountId: string;
  /**
   * Custom SQS endpoint (LocalStack, VPC endpoint).
   * @default - the public regional endpoint
   */
  readonly endpoint?: string;
  /**
   * The operator runs actors with IRSA (`actorRoleArn` set in its transport config): actor pods then run as
   * the operator-made ServiceAccount `asya-<actor>`, and a user ServiceAccount is an error.
   * @default false
   */
  readonly irsa?: boolean;
  /**
   * IAM role KEDA assumes to read queue depth for queue-driven scaling of models (`podIdentity.provider: aws`).
   * @default - none: use credentialsSecret, or scaling of models on SQS is refused
   */
  readonly kedaRoleArn?: string;
  /**
   * Secret with static AWS credentials for KEDA (referenced, never created).
   * @default - none
   */
  readonly credentialsSecret?: string;
  /**
   * Key of the access key id in credentialsSecret.
   * @default "AWS_ACCESS_KEY_ID"
   */
  readonly accessKeyIdKey?: string;
  /**
   * Key of the secret access key in credentialsSecret.
   * @default "AWS_SECRET_ACCESS_KEY"
   */
  readonly secretAccessKeyKey?: string;
  /**
   * CIDR blocks actors may reach SQS (and STS, for IRSA) on, port 443: e.g. the VPC endpoint's subnets.
   * @default ["0.0.0.0/0"]: SQS's public endpoint has no fixed addresses
   */
  readonly endpointCidrs?: string[];
  /**
   * Link-local credential endpoints actors may reach, e.g. `[AwsCredentialEndpoints.eksPodIdentity()]`
   * (IRSA and static keys need none).
   * @default - none
   */
  readonly credentialEndpoints?: TrafficFlow[];
  /**
   * The Asya gateway the operator points every sidecar at: every actor on this transport, the crew's
   * included, may then reach it.
   * @default - no gateway: sidecars report nowhere
   */
  readonly gateway?: AsyaGatewayEndpoint;
  /**
   * The visibility timeout the operator creates queues with (its `transports.sqs.config.visibilityTimeout`;
   * the sidecar never extends it: deliveryhero/asya src/asya-sidecar/internal/transport/sqs.go:66-69 @ v0.1.1).
   * A message whose processing may take longer reappears and a second replica repeats the work, so
   * handler steps whose worst case exceeds it are refused at synth.
   * @default Duration.seconds(300) (the sidecar's and operator's default)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * The queues' `MaximumMessageSize`, in bytes (1024 to 1048576). The operator sets none when it creates a
   * queue (src/asya-operator/internal/transports/sqs.go @ v0.1.1), so SQS's default applies.
   * @default 262144 (256 KiB, SQS's default for a new queue)
   */
  readonly maxMessageBytes?: number;
}

/** A KEDA trigger plus the TriggerAuthentication spec it needs, in Kubernetes JSON. */
export interface KedaTriggerSpec {
  readonly trigger: any;
  readonly authentication?: any;
}

/**
 * The message transport of actors. Asya v0.1.x accepts exactly two transport names, `rabbitmq` and
 * `sqs`; everything transport-specific (queue names, name limits, KEDA triggers, egress) lives here so no
 * other code branches on the transport.
 */
export class Transport {
  /**
   * RabbitMQ (the operator chart's default transport).
   */
  public static rabbitmq(options: RabbitMqTransportOptions = {}): Transport {
    check(options !== null && typeof options === 'object' && !Array.isArray(options), 'Transport.rabbitmq', 'options', options, 'must be an object of RabbitMqTransportOptions');
    if (options.managementUrl !== undefined) {
      check(typeof options.managementUrl === 'string' && /^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(options.managementUrl), 'Transport.rabbitmq', 'managementUrl',
        options.managementUrl, 'must be an http:// or https:// URL of the RabbitMQ management API (e.g. http://rabbitmq.asya-system.svc.cluster.local:15672)');
    }
    checkTransportTraffic('Transport.rabbitmq', options);
    if (options.maxMessageBytes !== undefined) {
      check(Number.isInteger(options.maxMessageBytes) && options.maxMessageBytes >= 4096 && options.maxMessageBytes <= 536870912, 'Transport.rabbitmq',
        'maxMessageBytes', options.maxMessageBytes, 'must be a whole number of bytes from 4096 to 536870912 (RabbitMQ caps max_message_size at 512 MiB)');
    }
    return new Transport('rabbitmq', options, undefined);
  }

  /**
   * Amazon SQS (disabled in the operator chart by default: enable it there).
   */
  public static sqs(options: SqsTransportOptions): Transport {
    check(options !== null && typeof options === 'object' && !Array.isArray(options), 'Transport.sqs', 'options', options,
      'is required: Transport.sqs({ region, accountId })');
    check(typeof options.region === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region), 'Transport.sqs', 'region', options.region,
      'must be an AWS region such as eu-central-1');
    check(typeof options.accountId === 'string' && /^\d{12}$/.test(options.accountId), 'Transport.sqs', 'accountId', options.accountId,
      'must be a 12-digit AWS account id');
    if (options.credentialsSecret !== undefined && options.kedaRoleArn !== undefined) {
      check(false, 'Transport.sqs', 'kedaRoleArn', options.kedaRoleArn, 'cannot be combined with credentialsSecret: choose one way for KEDA to authenticate');
    }
    checkTransportTraffic('Transport.sqs', options);
    if (options.maxMessageBytes !== undefined) {
      check(Number.isInteger(options.maxMessageBytes) && options.maxMessageBytes >= 4096 && options.maxMessageBytes <= 1048576, 'Transport.sqs',
        'maxMessageBytes', options.maxMessageBytes, 'must be a whole number of bytes from 4096 to 1048576 (SQS allows at most 1 MiB)');
    }
    if (options.visibilityTimeout !== undefined) {
      const v = options.visibilityTimeout instanceof Duration ? options.visibilityTimeout.toSeconds() : NaN;
      check(Number.isInteger(v) && v >= 1 && v <= 43200, 'Transport.sqs', 'visibilityTimeout', options.visibilityTimeout,
        'must be a Duration of whole seconds from 1 second to 12 hours (SQS\'s range)');
    }
    return new Transport('sqs', undefined, options);
  }

  private constructor(
    /** The transport name in the operator's config and in `spec.transport` (`rabbitmq` or `sqs`). */
    public readonly name: string,
    private readonly rabbit: RabbitMqTransportOptions | undefined,
    private readonly sqsOptions: SqsTransportOptions | undefined,
  ) {}

  /** True for SQS with IRSA: actors must not set a ServiceAccount. */
  public get usesIrsa(): boolean {
    return this.sqsOptions?.irsa === true;
  }

  /** The queue an actor of this name consumes. */
  public queueName(actorName: string): string {
    return QueueNaming.queueName(actorName);
  }

  /** The TCP ports actors and bridges must reach on the broker (NetworkPolicy egress). */
  public get brokerPorts(): number[] {
    return this.rabbit ? [this.rabbit.port ?? 5672] : [443];
  }

  /** Namespace of the broker for egress rules, if known. */
  public get brokerNamespace(): string | undefined {
    return this.rabbit?.brokerNamespace;
  }

  /** Pod labels of the broker for egress rules, if known. */
  public get brokerPodSelector(): { [key: string]: string } | undefined {
    return this.rabbit?.brokerPodSelector;
  }

  /** The largest message the broker accepts, in bytes (results of bundled handlers are kept below it). */
  public get maxMessageBytes(): number {
    return this.rabbit ? (this.rabbit.maxMessageBytes ?? 16 * 1024 * 1024) : (this.sqsOptions!.maxMessageBytes ?? 256 * 1024);
  }

  /**
   * The longest a message may be processed before the broker hands it to another consumer, in seconds:
   * the SQS visibility timeout; undefined for RabbitMQ (an unacknowledged message stays with its consumer).
   */
  public get maxProcessingSeconds(): number | undefined {
    return this.sqsOptions ? (this.sqsOptions.visibilityTimeout?.toSeconds() ?? 300) : undefined;
  }

  /** The gateway every sidecar on this transport reports to, if declared. */
  public get gateway(): AsyaGatewayEndpoint | undefined {
    return this.rabbit?.gateway ?? this.sqsOptions?.gateway;
  }

  /**
   * The egress every actor on this transport needs: the broker (RabbitMQ 5672: Asya builds only
   * `amqp://` URLs; SQS 443, which also covers STS for IRSA), the gateway if declared, and opted-in
   * credential endpoints.
   * @internal
   */
  public _egressFlows(): TrafficFlow[] {
    const ports = this.brokerPorts.map((p) => TrafficPort.tcp(p));
    const flows: TrafficFlow[] = [];
    if (this.rabbit) {
      const r = this.rabbit;
      if (r.brokerCidrs?.length) {
        for (const c of r.brokerCidrs) flows.push({ peer: NetworkPeer.cidr(c), ports, description: 'RabbitMQ broker (AMQP)' });
      } else if (r.brokerNamespace) {
        flows.push({ peer: NetworkPeer.pods(r.brokerNamespace, r.brokerPodSelector ?? {}), ports, description: 'RabbitMQ broker (AMQP)' });
      } else if (r.brokerPodSelector) {
        flows.push({ peer: NetworkPeer.podsInAnyNamespace(r.brokerPodSelector), ports, description: 'RabbitMQ broker (AMQP)' });
      } else {
        flows.push({ peer: NetworkPeer.any(), ports, description: 'RabbitMQ broker (AMQP; set brokerNamespace to narrow)' });
      }
    } else {
      const s = this.sqsOptions!;
      for (const c of s.endpointCidrs ?? ['0.0.0.0/0']) flows.push({ peer: NetworkPeer.cidr(c), ports, description: 'SQS and STS (HTTPS)' });
      flows.push(...(s.credentialEndpoints ?? []));
    }
    const g = this.gateway;
    if (g) flows.push(gatewayFlow(g));
    return flows;
  }

  /**
   * Checks an actor name against this transport's queue-name rules.
   * @internal
   */
  public _checkActorName(scope: IConstruct, field: string, name: string): void {
    if (this.sqsOptions) {
      check(name !== 'dlq', scope, field, name, 'is reserved on SQS: the operator\'s shared dead-letter queue is asya-dlq');
      const queue = this.queueName(name);
      check(queue.length <= 80, scope, field, name, `gives the SQS queue name "${queue}" of ${queue.length} characters; SQS allows at most 80`);
      check(/^[A-Za-z0-9_-]+$/.test(queue), scope, field, name, 'gives an SQS queue name with characters other than letters, digits, "-" and "_"');
    } else {
      check(!name.endsWith('-dlq'), scope, field, name,
        `ends with "-dlq": on RabbitMQ its queue ${this.queueName(name)} is the dead-letter queue of actor "${name.slice(0, -4)}"`);
    }
  }

  /**
   * Whether the KEDA trigger of this transport counts messages in flight (delivered, not yet acknowledged):
   * SQS does (`scaleOnInFlight` defaults to true), RabbitMQ only over the management API: over AMQP KEDA
   * reads `QueueDeclarePassive().Messages`, the ready messages only, while over HTTP it reads
   * `messages` = ready + unacknowledged (kedacore/keda pkg/scalers/rabbitmq_scaler.go:546-566 @ v2.20.2).
   * A bridge takes each message at once (prefetch 1), so without it a queue of work in flight reads 0.
   * @internal
   */
  public get _countsInFlight(): boolean {
    return this.rabbit ? this.rabbit.managementUrl !== undefined : true;
  }

  /**
   * Why a workload scaled on this transport's queues cannot be allowed to scale to zero, if it cannot.
   * @internal
   */
  public get _scaleToZeroRefusal(): string | undefined {
    if (this._countsInFlight) return undefined;
    return 'needs Transport.rabbitmq({ managementUrl }) on RabbitMQ: over AMQP KEDA counts ready messages only '
      + '(kedacore/keda pkg/scalers/rabbitmq_scaler.go @ v2.20.2), and a bridge takes each message at once, so the queue reads 0 '
      + 'while work is in flight and the model is scaled to zero under steady traffic (and, at zero, rarely wakes); '
      + 'set managementUrl (the management plugin, port 15672) to count ready + unacknowledged messages, or keep minReplicas at 1 or more';
  }

  /**
   * The KEDA trigger that scales a workload on the depth of an actor's queue.
   * @param authName name of the TriggerAuthentication the trigger references
   * @internal
   */
  public _kedaTrigger(scope: IConstruct, field: string, actorName: string, queueLength: number, authName: string): KedaTriggerSpec {
    const queue = this.queueName(actorName);
    if (this.rabbit) {
      const r = this.rabbit;
      const secret = r.credentialsSecret ?? 'rabbitmq-secret';
      const http = r.managementUrl !== undefined;
      const host = http ? r.managementUrl! : `amqp://${r.host ?? `rabbitmq.${r.brokerNamespace ?? 'default'}.svc.cluster.local`}:${r.port ?? 5672}`;
      return {
        trigger: {
          type: 'rabbitmq',
          metadata: { protocol: http ? 'http' : 'amqp', host, queueName: queue, mode: 'QueueLength', value: String(queueLength) },
          authenticationRef: { name: authName },
        },
        authentication: {
          secretTargetRef: [
            { parameter: 'username', name: secret, key: r.usernameKey ?? 'username' },
            { parameter: 'password', name: secret, key: r.passwordKey ?? 'password' },
          ],
        },
      };
    }
    const s = this.sqsOptions!;
    const base = s.endpoint ? s.endpoint.replace(/\/$/, '') : `https://sqs.${s.region}.amazonaws.com`;
    const metadata: any = {
      queueURL: `${base}/${s.accountId}/${queue}`,
      queueLength: String(queueLength),
      awsRegion: s.region,
      ...(s.endpoint ? { awsEndpoint: s.endpoint } : {}),
    };
    let authentication: any;
    if (s.kedaRoleArn) {
      authentication = { podIdentity: { provider: 'aws', roleArn: s.kedaRoleArn } };
    } else if (s.credentialsSecret) {
      authentication = {
        secretTargetRef: [
          { parameter: 'awsAccessKeyID', name: s.credentialsSecret, key: s.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID' },
          { parameter: 'awsSecretAccessKey', name: s.credentialsSecret, key: s.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY' },
        ],
      };
    } else {
      check(false, scope, field, 'sqs', 'needs Transport.sqs({ kedaRoleArn }) or credentialsSecret: KEDA must authenticate to SQS to read the queue depth (identityOwner pod would use the model server\'s identity)');
    }
    return { trigger: { type: 'aws-sqs-queue', metadata, authenticationRef: { name: authName } }, authentication };
  }
}

/** Checks the NetworkPolicy options of a transport (broker peers, SQS endpoints, gateway). */
function checkTransportTraffic(where: string, o: any): void {
  for (const key of ['brokerCidrs', 'endpointCidrs']) {
    if (o[key] === undefined) continue;
    check(Array.isArray(o[key]) && o[key].length > 0, where, key, o[key], 'must list at least one CIDR block');
    o[key].forEach((c: string, i: number) => check(isCidr(c), where, `${key}[${i}]`, c, 'must be a CIDR block such as 10.0.0.0/16'));
  }
  if (o.brokerCidrs !== undefined) {
    check(o.brokerNamespace === undefined && o.brokerPodSelector === undefined, where, 'brokerCidrs', o.brokerCidrs,
      'cannot be combined with brokerNamespace or brokerPodSelector: a broker is either outside the cluster or in it');
  }
  (o.credentialEndpoints ?? []).forEach((f: TrafficFlow, i: number) => checkFlow(where, `credentialEndpoints[${i}]`, f));
  if (o.gateway !== undefined) checkGatewayEndpoint(where, 'gateway', o.gateway);
}
