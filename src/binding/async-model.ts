import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelScaler } from './model-scaler';
import { AsyncActor } from '../asya/async-actor';
import { EgressRule, IAsyncStep } from '../asya/async-step';
import { bundleHandler } from '../asya/bundled-handler';
import { ScalingOptions } from '../asya/scaling';
import { Transport } from '../asya/transport';
import { IModelBackend } from '../backends/model-backend';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkDns1035Label } from '../core/names';
import { durationSeconds, objectProp } from '../core/props';
import { ConstructRegistry } from '../core/registry';
import { ResourceRequirements } from '../core/resources';

/**
 * Queue-driven scaling of the model itself (a KEDA ScaledObject on the backend's scale target, driven
 * by the depth of the bridge's queue).
 */
export interface ModelScalingOptions {
  /**
   * Scale the model on the bridge queue. Refused, with the backend's reason, where the backend has no
   * scale target (KubeRay, KServe without autoscalerClass external, a plain KAITO Workspace). A model
   * has one ScaledObject, shared by all its bindings (one trigger per bridge queue): `false` here while
   * another binding scales the same model is refused at synth (this queue could not wake it).
   * @default - true where the backend has a scale target, false elsewhere
   */
  readonly enabled?: boolean;
  /**
   * Fewest model replicas; 0 scales the model to zero when the queue is empty. The first binding of a
   * model sets the range of its one ScaledObject; later bindings leave it unset or repeat it. 0 needs a
   * queue depth that counts messages in flight: SQS, or RabbitMQ with `managementUrl` (over AMQP KEDA
   * counts ready messages only, and the bridge takes each message at once).
   * @default - the backend's own minimum (`scaleTarget.minReplicas`), else 0 where the backend can scale
   * to zero and the queue counts messages in flight, else 1
   */
  readonly minReplicas?: number;
  /**
   * Most model replicas; at most the backend's own maximum. Each bridge pod sends one request at a
   * time, so a model sees at most as many concurrent requests as there are bridge pods (`bridgeScaling`,
   * by default 4 per model replica): raise `bridgeScaling.maxReplicas` for servers that batch.
   * @default - the backend's own maximum (`scaleTarget.maxReplicas`, e.g. KServe maxReplicas, KAITO
   * replicas), else max(1, minReplicas)
   */
  readonly maxReplicas?: number;
  /**
   * Messages per model replica (this binding's trigger).
   * @default 5
   */
  readonly queueLength?: number;
  /**
   * Seconds between queue polls (per model: set by its first binding).
   * @default 10
   */
  readonly pollingInterval?: number;
  /**
   * Seconds after the last message before scaling down to minReplicas (per model: set by its first binding).
   * @default 300
   */
  readonly cooldownPeriod?: number;
}

/**
 * Props of an AsyncModel.
 */
export interface AsyncModelProps {
  /** The served model. */
  readonly backend: IModelBackend;
  /** The transport the bridge consumes from. */
  readonly transport: Transport;
  /**
   * The bridge actor's name (its queue is `asya-<name>`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Scaling of the model on the bridge queue.
   * @default - see ModelScalingOptions
   */
  readonly modelScaling?: ModelScalingOptions;
  /**
   * Scaling of the bridge actor.
   * @default - 0..modelScaling.maxReplicas*4 (bridges are cheap; the model is the bottleneck)
   */
  readonly bridgeScaling?: ScalingOptions;
  /**
   * Timeout of one request to the model.
   * @default Duration.minutes(2)
   */
  readonly requestTimeout?: Duration;
  /**
   * Retries on 429, 5xx, connection errors and timeouts (exponential backoff, Retry-After honoured).
   * @default 8 when the model scales to zero (covers its cold start), else 3
   */
  readonly maxRetries?: number;
  /**
   * The key under which the model's output is added to the payload.
   * @default "result"
   */
  readonly outputKey?: string;
  /**
   * The bridge's Python image (Python >= 3.10 with sh; the handler needs only the standard library).
   * @default "python:3.12.7-slim-bookworm"
   */
  readonly bridgeImage?: string;
  /**
   * Resources of the bridge runtime.
   * @default - requests 50m CPU / 64Mi, limits 500m CPU / 256Mi
   */
  readonly bridgeResources?: ResourceRequirements;
  /**
   * Create the NetworkPolicy that lets only the bridge reach the model's pods on the serving port.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Namespaces whose pods may still reach the model (e.g. `monitoring` for scraping).
   * @default - none
   */
  readonly allowModelIngressFromNamespaces?: string[];
}

const OUTPUT_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Puts a served model into the async mesh. Asya has no binding CRD: a binding is made of real objects:
 * - a bridge AsyncActor consuming `asya-<name>` that calls the model over HTTP (a small dependency-free
 *   Python handler shipped in a ConfigMap), with a request timeout and bounded retries; failures raise,
 *   so Asya routes the message to error-end;
 * - where the backend allows it, the model's one KEDA ScaledObject (created by its first binding, under
 *   the backend, in the model's namespace), to which each binding adds its queue as a trigger: the model
 *   scales to the busiest queue and wakes from zero for any of them. Its TriggerAuthentication reads the
 *   broker Secret (`rabbitmq-secret` by default) in the model's namespace: create it there too, also
 *   where no actor runs (e.g. a shared-models namespace). Where the target is synthesized, its
 *   `spec.replicas` is left out: KEDA owns it;
 * - a NetworkPolicy that lets only the bridge reach the model.
 */
export class AsyncModel extends Construct implements IAsyncStep {
  public readonly actorName: string;
  public readonly namespace: string;
  public readonly transport: Transport;
  public readonly queueName: string;
  public readonly rewritesRoute: boolean = false;
  public readonly podSelector: { [key: string]: string };
  public readonly egress: EgressRule[];
  /** The served model. */
  public readonly backend: IModelBackend;
  /** The bridge actor. */
  public readonly bridge: AsyncActor;
  /** The ScaledObject on the model, if the model scales on the queue. */
  public readonly scaledObject?: ApiObject;
  /** The NetworkPolicy guarding the model, if any. */
  public readonly networkPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: AsyncModelProps) {
    super(scope, id);
    const b = props.backend;
    check(!!b && typeof b.endpoint === 'string', this, 'backend', b, 'must be a model backend (KaitoModel, KServeModel, OpenAIModel, ...)');
    this.backend = b;
    const name = props.name ?? id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 54, 'the bridge actor name, with scaling');
    const s = objectProp(this, 'modelScaling', props.modelScaling);
    const wantScaling = s.enabled ?? b.scaleTarget !== undefined;
    if (wantScaling) {
      check(b.scaleTarget !== undefined, this, 'modelScaling.enabled', true,
        `cannot be used with ${b.node.path}: ${b.noScaleTargetReason ?? 'the backend has no scale target'}`);
    }
    const target = wantScaling ? b.scaleTarget : undefined;
    // One ScaledObject per scale target with one trigger per binding (./model-scaler.ts): the first
    // binding creates it and fixes the replica range, later ones add their queue.
    if (!target && b.scaleTarget !== undefined) ModelScaler._optOut(this, b);
    const scaler = target ? ModelScaler._bind(this, b, props.transport, name, s) : undefined;
    const minReplicas = scaler?.minReplicas ?? s.minReplicas ?? 1;
    const maxReplicas = scaler?.maxReplicas ?? s.maxReplicas ?? Math.max(1, minReplicas);
    const outputKey = props.outputKey ?? 'result';
    check(typeof outputKey === 'string' && OUTPUT_KEY.test(outputKey), this, 'outputKey', outputKey, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)');
    const timeout = durationSeconds(this, 'requestTimeout', props.requestTimeout, Duration.minutes(2));
    check(timeout >= 1, this, 'requestTimeout', `${timeout}s`, 'must be at least 1 second');
    const retries = props.maxRetries ?? (target && minReplicas === 0 ? 8 : 3);
    check(Number.isInteger(retries) && retries >= 0 && retries <= 20, this, 'maxRetries', retries, 'must be a whole number from 0 to 20');

    // The bridge actor and its handler.
    const handler = bundleHandler(this, name, 'bridge', 'bridge', 'bridge');
    // Worst case per message: every attempt times out, plus capped backoff sleeps (30 s each at most).
    const processing = Math.ceil(timeout * (retries + 1) + Math.min(30, 2 ** retries) * retries + 30);
    this.bridge = new AsyncActor(this, 'Bridge', {
      name,
      transport: props.transport,
      handler: 'bridge.handle',
      image: props.bridgeImage ?? 'python:3.12.7-slim-bookworm',
      env: {
        ...handler.env,
        BRIDGE_PROTOCOL: EnvValue.fromValue(b.protocol.id),
        BRIDGE_URL: EnvValue.fromValue(`${b.endpoint}${b.requestPath}`),
        BRIDGE_MODEL: EnvValue.fromValue(b.modelName),
        ...(Object.keys(b.requestHeaders).length ? { BRIDGE_HEADERS: EnvValue.fromValue(JSON.stringify(b.requestHeaders)) } : {}),
        BRIDGE_TIMEOUT_SECONDS: EnvValue.fromValue(String(timeout)),
        BRIDGE_MAX_RETRIES: EnvValue.fromValue(String(retries)),
        BRIDGE_OUTPUT_KEY: EnvValue.fromValue(outputKey),
      },
      volumes: [handler.volume],
      volumeMounts: [handler.mount],
      resources: props.bridgeResources ?? { cpu: { request: '50m', limit: '500m' }, memory: { request: '64Mi', limit: '256Mi' } },
      processingTimeout: Duration.seconds(processing),
      scaling: props.bridgeScaling ?? { maxReplicas: Math.max(4, maxReplicas * 4) },
      podLabels: { 'app.kubernetes.io/component': 'bridge' },
      // The bridge may reach its model only (plus DNS and the broker).
      egress: [{ namespace: b.namespace, podSelector: { ...b.podSelector }, ports: [b.podPort] }],
    });
    this.bridge.node.addDependency(handler.configMap);
    this.actorName = this.bridge.actorName;
    this.namespace = this.bridge.namespace;
    this.transport = props.transport;
    this.queueName = this.bridge.queueName;
    this.podSelector = { ...this.bridge.podSelector };
    this.egress = [...this.bridge.egress];

    // KEDA on the model, in the model's namespace: the target's one ScaledObject, shared by its bindings.
    if (scaler) {
      this.scaledObject = scaler.scaledObject;
      MODEL_SCALERS.add(this);
    }

    // Only the bridge (and named namespaces) may reach the model's serving port.
    if (props.networkPolicy ?? true) {
      const from: any[] = [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace } },
        podSelector: { matchLabels: { ...this.bridge.podSelector } },
      }];
      for (const ns of props.allowModelIngressFromNamespaces ?? []) {
        from.push({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
      }
      this.networkPolicy = new ApiObject(this, 'ModelIngress', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `${name}-model-ingress`, namespace: b.namespace },
        spec: {
          podSelector: { matchLabels: { ...b.podSelector } },
          policyTypes: ['Ingress'],
          ingress: [{ from, ports: [{ protocol: 'TCP', port: b.podPort }] }],
        },
      });
    }
  }

  /**
   * Lets pods of a namespace scrape the step's metrics port (its NetworkPolicy ingress).
   */
  public allowMetricsScrapingFrom(namespace: string): void {
    this.bridge.allowMetricsScrapingFrom(namespace);
  }
}

/** Every instance of each app (for whole-app checks). */
export const MODEL_SCALERS = new ConstructRegistry<AsyncModel>();
