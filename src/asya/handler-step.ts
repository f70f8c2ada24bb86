import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncActor, HandlerMode } from './async-actor';
import { EgressRule, IAsyncStep, StepScaler } from './async-step';
import { bundleHandler, handlersChecksum, orderAfterHandlers } from './bundled-handler';
import { handlerGracefulShutdownSeconds, handlerProcessingTimeoutSeconds, handlerWorstCaseSeconds } from './handler-budget';
import { ScalingOptions } from './scaling';
import { Transport } from './transport';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { parseQuantity } from '../core/quantity';
import { ResourceRequirements } from '../core/resources';
import { IServedModel } from '../core/served-model';

/**
 * Props every step that wraps a bundled handler takes.
 */
export interface HandlerStepProps {
  /**
   * The Asya runtime's log level (`ASYA_LOG_LEVEL`: DEBUG, INFO, WARNING, ERROR or CRITICAL). At INFO
   * and below the runtime logs every payload and result (deliveryhero/asya
   * src/asya-runtime/asya_runtime.py:404,406 @ v0.1.1), so prompts and documents end up in pod logs.
   * @default "WARNING"
   */
  readonly runtimeLogLevel?: string;
}

/**
 * How a handler step runs its bundled handler (the arguments of `HandlerStep.createHandlerActor`).
 */
export interface HandlerActorOptions {
  /** The actor name. */
  readonly name: string;
  /** The transport the actor consumes from. */
  readonly transport: Transport;
  /** The bundled module (`bridge` or `job_launcher`); its entry point is `<module>.handle`. */
  readonly module: string;
  /**
   * How the runtime calls the handler.
   * @default HandlerMode.PAYLOAD
   */
  readonly handlerMode?: HandlerMode;
  /** The runtime image (Python >= 3.10). */
  readonly image: string;
  /** The handler's own env (BRIDGE_* or LAUNCHER_*). */
  readonly env: { [name: string]: EnvValue };
  /** Runtime resources. */
  readonly resources: ResourceRequirements;
  /**
   * Scaling of the actor.
   * @default - the AsyncActor default
   */
  readonly scaling?: ScalingOptions;
  /** Deadline of one request, in seconds. */
  readonly requestTimeoutSeconds: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /**
   * Seconds of retrying an unavailable server (a model starting from zero).
   * @default 0
   */
  readonly coldStartSeconds?: number;
  /**
   * The runtime log level.
   * @default "WARNING"
   */
  readonly runtimeLogLevel?: string;
  /**
   * ServiceAccount of the pods.
   * @default - the namespace default (or the operator's under IRSA)
   */
  readonly serviceAccountName?: string;
  /**
   * Extra pod labels.
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Egress besides DNS and the broker.
   * @default - none
   */
  readonly egress?: EgressRule[];
}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
/** Bytes of a message kept for the envelope around a result (id, route, headers). */
const ENVELOPE_RESERVE_BYTES = 16 * 1024;
/** Memory the runtime needs besides a result, and how many times a result's size a call may hold at peak. */
const RUNTIME_BASE_BYTES = 32 * 1024 * 1024;
const PEAK_FACTOR = 8;
/** The smallest cap the bridge accepts (BRIDGE_MAX_RESULT_BYTES). */
const MIN_RESULT_BYTES = 1024;

/**
 * A step that runs one of this package's bundled Python handlers in an AsyncActor (AsyncModel,
 * JobLauncher). The base owns what they share: the actor and the step fields it exposes, the handler's
 * shipping (one ConfigMap per chart and namespace, see `bundleHandler`), the runtime log level, and the
 * time budget: the actor's processing timeout is the handler's own worst case (`handler-budget.ts`),
 * refused where the transport would redeliver the message earlier (the SQS visibility timeout).
 */
export abstract class HandlerStep extends Construct implements IAsyncStep {
  /** ScaledObjects the step creates besides its actor's (IAsyncStep; jsii wants optional members declared on abstract classes). */
  public readonly scalers?: StepScaler[];
  /** The served model the step calls, if any (IAsyncStep). */
  public readonly servedModel?: IServedModel;
  private _actor?: AsyncActor;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** The actor running the handler. */
  public get handlerActor(): AsyncActor {
    if (!this._actor) throw new Error(`${this.node.path}: the handler actor is not created yet`);
    return this._actor;
  }

  public get actorName(): string { return this.handlerActor.actorName; }
  public get namespace(): string { return this.handlerActor.namespace; }
  public get transport(): Transport { return this.handlerActor.transport; }
  public get queueName(): string { return this.handlerActor.queueName; }
  public get rewritesRoute(): boolean { return this.handlerActor.rewritesRoute; }
  public get podSelector(): { [key: string]: string } { return { ...this.handlerActor.podSelector }; }
  public get egress(): EgressRule[] { return [...this.handlerActor.egress]; }

  /**
   * Lets pods of a namespace scrape the step's metrics port (its NetworkPolicy ingress).
   */
  public allowMetricsScrapingFrom(namespace: string): void {
    this.handlerActor.allowMetricsScrapingFrom(namespace);
  }

  /**
   * Creates the actor (once) that runs the bundled handler: ships the module, sets the runtime env
   * (PYTHONPATH, ASYA_LOG_LEVEL, the handler's env), the processing timeout from the handler's worst
   * case and a graceful shutdown that lets a request in progress finish.
   */
  protected createHandlerActor(id: string, o: HandlerActorOptions): AsyncActor {
    check(!this._actor, this, 'handler', o.module, 'is created twice: a handler step runs one actor');
    const logLevel = o.runtimeLogLevel ?? 'WARNING';
    check(LOG_LEVELS.includes(logLevel), this, 'runtimeLogLevel', logLevel, `must be one of ${LOG_LEVELS.join(', ')}`);
    const budget = { requestTimeoutSeconds: o.requestTimeoutSeconds, maxRetries: o.maxRetries, coldStartSeconds: o.coldStartSeconds ?? 0 };
    const processing = handlerProcessingTimeoutSeconds(budget);
    const ceiling = o.transport.maxProcessingSeconds;
    if (ceiling !== undefined) {
      check(processing <= ceiling, this, 'requestTimeout', `${o.requestTimeoutSeconds}s`,
        `with ${o.maxRetries} retries${budget.coldStartSeconds ? ` and a ${budget.coldStartSeconds}s cold start` : ''} gives a worst case of `
        + `${handlerWorstCaseSeconds(budget)}s and a processing timeout of ${processing}s, above the SQS visibility timeout of ${ceiling}s: `
        + 'the message would reappear and another replica would repeat the call. Raise Transport.sqs({ visibilityTimeout }) together with the '
        + 'operator\'s transports.sqs.config.visibilityTimeout, or lower requestTimeout, maxRetries or the cold start');
    }
    const handler = bundleHandler(this, o.module);
    this._actor = new AsyncActor(this, id, {
      name: o.name,
      transport: o.transport,
      handler: `${o.module}.handle`,
      ...(o.handlerMode ? { handlerMode: o.handlerMode } : {}),
      image: o.image,
      env: { ...handler.env, ASYA_LOG_LEVEL: EnvValue.fromValue(logLevel), ...o.env },
      volumes: [handler.volume],
      volumeMounts: [handler.mount],
      resources: o.resources,
      processingTimeout: Duration.seconds(processing),
      gracefulShutdownTimeout: Duration.seconds(handlerGracefulShutdownSeconds(o.requestTimeoutSeconds)),
      ...(o.scaling ? { scaling: o.scaling } : {}),
      ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
      ...(o.podLabels ? { podLabels: o.podLabels } : {}),
      podAnnotations: { 'asya.sh/handlers-checksum': handlersChecksum() },
      ...(o.egress ? { egress: o.egress } : {}),
    });
    orderAfterHandlers(this._actor, handler);
    return this._actor;
  }

  /**
   * The largest result the handler may return, in bytes: below the transport's message limit (minus room
   * for the envelope) and, with a memory limit, below what the runtime can hold (a result is held about
   * eight times over at its peak: body, decoded JSON, the runtime's serialization and log formatting;
   * never below 1 KiB).
   */
  protected maxResultBytes(transport: Transport, resources: ResourceRequirements): number {
    const message = transport.maxMessageBytes;
    let cap = message - Math.min(ENVELOPE_RESERVE_BYTES, Math.floor(message / 4));
    const limit = resources.memory?.limit !== undefined ? parseQuantity(resources.memory.limit) : undefined;
    if (limit !== undefined) {
      // Below ~32Mi the runtime itself does not fit; the cap then stays at its floor (the handler's minimum).
      cap = Math.min(cap, Math.max(MIN_RESULT_BYTES, Math.floor((limit - RUNTIME_BASE_BYTES) / PEAK_FACTOR)));
    }
    return cap;
  }
}
