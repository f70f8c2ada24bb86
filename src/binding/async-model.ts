import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelScaler } from './model-scaler';
import { AsyncActor } from '../asya/async-actor';
import { StepScaler } from '../asya/async-step';
import { HandlerStep, HandlerStepProps } from '../asya/handler-step';
import { ScalingOptions } from '../asya/scaling';
import { Transport } from '../asya/transport';
import { checkModelBackend, IModelBackend, ScaleTarget } from '../backends/model-backend';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkDns1035Label } from '../core/names';
import { boolProp, durationSeconds, INT32_MAX, intProp, listProp, namespaceProp, objectProp, stringListProp, stringProp } from '../core/props';
import { MODEL_SCALERS } from '../core/registry';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { IServedModel } from '../core/served-model';
import { checkFlow, NetworkPeer, PodTraffic, renderNetworkPolicy, TrafficFlow, TrafficPort } from '../core/traffic';

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
export interface AsyncModelProps extends HandlerStepProps {
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
   * Deadline of one request to the model: connect, send and the whole answer (handlers/README.md has
   * the timing model).
   * @default Duration.minutes(2)
   */
  readonly requestTimeout?: Duration;
  /**
   * Retries on 5xx, connection errors, 429 and 503 (exponential backoff, Retry-After honoured; a read
   * timeout at most once; never other 4xx). When the model scales to zero, connection errors, 429, 502
   * and 503 are also retried throughout the backend's cold start (`scaleTarget.coldStartSeconds`).
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * How long, from the first attempt, the bridge keeps retrying an unavailable model (connection
   * errors, 429, 502, 503): a model starting from zero, restarting or being rolled out. Counted in the
   * actor's processing timeout.
   * @default - the scale target's `coldStartSeconds` (20 minutes unless the backend says otherwise) when
   * the model scales to zero, else none (maxRetries alone)
   */
  readonly unavailableRetryWindow?: Duration;
  /**
   * The key under which the model's output is added to the payload.
   * @default "result"
   */
  readonly outputKey?: string;
  /**
   * Further payload keys the bridge forwards to the model besides the protocol's own (e.g. `seed`, `n`,
   * `presence_penalty`, `tools`, `extra_body`, Open Inference `outputs`); ignored for the free-form
   * protocols, which forward the whole payload.
   * @default - none
   */
  readonly passThroughKeys?: string[];
  /**
   * What the bridge stores under outputKey.
   * @default BridgeOutput.FIELD
   */
  readonly output?: BridgeOutput;
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
   * Create the NetworkPolicy guarding the model's pods (ingress only: their egress stays free). It
   * admits the bridge on the serving port, the flows the backend declares for its operator and its own
   * pods (`IModelBackend.traffic`), scrapes on the metrics ports, and `modelIngressFlows`.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Namespaces whose pods may still reach the model, on the serving port and the metrics ports (e.g.
   * `monitoring`).
   * @default - none
   */
  readonly allowModelIngressFromNamespaces?: string[];
  /**
   * Other clients of the model (its NetworkPolicy ingress), e.g. another team's namespace on the
   * serving port.
   * @default - none
   */
  readonly modelIngressFlows?: TrafficFlow[];
  /**
   * Egress of the bridge besides DNS, the broker, the gateway and the model (rarely needed).
   * @default - none
   */
  readonly bridgeEgressFlows?: TrafficFlow[];
}

/**
 * What a bridge stores under its output key.
 */
export enum BridgeOutput {
  /** The protocol's useful field: the message content, the text, the vectors, `predictions`, `outputs`. */
  FIELD = 'field',
  /** The model's whole JSON answer (OpenAI `finish_reason`, `usage`, `tool_calls`; OIP `id`, `parameters`). */
  RESPONSE = 'response',
}

const OUTPUT_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Body keys the bridge builds itself (handlers/bridge.py OWN_KEYS). */
const OWN_BODY_KEYS = ['model', 'messages', 'prompt', 'input', 'inputs', 'instances'];

/** The checked request settings of a bridge. */
interface BridgeRequest {
  readonly outputKey: string;
  readonly passThrough: string[];
  readonly output: BridgeOutput;
  readonly timeout: number;
  readonly retries: number;
}

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
export class AsyncModel extends HandlerStep {
  /** The served model. */
  public readonly backend: IModelBackend;
  /** The bridge actor. */
  public readonly bridge: AsyncActor;
  /** The ScaledObject on the model, if the model scales on the queue. */
  public readonly scaledObject?: ApiObject;
  /** The NetworkPolicy guarding the model, if any. */
  public readonly networkPolicy?: ApiObject;
  /** The flows of the model's pods (ingress) that this binding declares: its NetworkPolicy is rendered from them. */
  public readonly modelTraffic: PodTraffic;
  /** The ScaledObject on the model, as pipelines see it (IAsyncStep). */
  public override readonly scalers?: StepScaler[] = undefined;
  /** The served model (IAsyncStep): `backend`. */
  public override readonly servedModel?: IServedModel = undefined;

  constructor(scope: Construct, id: string, props: AsyncModelProps) {
    super(scope, id);
    const b = props.backend;
    checkModelBackend(this, 'backend', b);
    this.backend = b;
    this.servedModel = b;
    const name = props.name ?? id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 54, 'the bridge actor name, with scaling');
    check(props.transport instanceof Transport, this, 'transport', props.transport, 'must be Transport.rabbitmq() or Transport.sqs({...})');
    const s = this.checkScalingProps(props);
    const target = this.modelScaleTarget(s);
    // One ScaledObject per scale target with one trigger per binding (./model-scaler.ts): the first
    // binding creates it and fixes the replica range, later ones add their queue.
    if (!target && b.scaleTarget !== undefined) ModelScaler._optOut(this, b);
    const scaler = target ? ModelScaler._bind(this, b, props.transport, name, s) : undefined;
    const minReplicas = scaler?.minReplicas ?? s.minReplicas ?? 1;
    const maxReplicas = scaler?.maxReplicas ?? s.maxReplicas ?? Math.max(1, minReplicas);
    const request = this.checkRequestProps(props);
    const coldStart = this.coldStartSeconds(props, target, minReplicas);
    this.bridge = this.createBridge(name, props, request, coldStart, maxReplicas);

    // KEDA on the model, in the model's namespace: the target's one ScaledObject, shared by its bindings.
    if (scaler) {
      this.scaledObject = scaler.scaledObject;
      this.scalers = [{ name: scaler.scalerName, namespace: scaler.namespace, targetKind: scaler.target.kind, targetName: scaler.target.name }];
      MODEL_SCALERS.add(this);
    }

    // The model's pods: the bridge on the serving port, the backend's own flows, scrapes, the user's.
    listProp(this, 'bridgeEgressFlows', props.bridgeEgressFlows).forEach((f, i) => { checkFlow(this, `bridgeEgressFlows[${i}]`, f); this.bridge.allowEgress(f); });
    this.modelTraffic = this.declareModelTraffic(props);
    if ((props.networkPolicy ?? true) && b.traffic?.ipBlock === undefined) this.networkPolicy = this.renderModelIngressPolicy(name);
  }

  /**
   * Lets pods of a namespace scrape the bridge's metrics port and the model's metrics ports.
   */
  public override allowMetricsScrapingFrom(namespace: string): void {
    super.allowMetricsScrapingFrom(namespace);
    const ports = this.backend.traffic?.metricsPorts ?? [];
    if (ports.length) this.modelTraffic.allowIngress({ peer: NetworkPeer.namespace(namespace), ports, description: 'metrics scrapes of the model server' });
  }

  /** Adds a client of the model (its NetworkPolicy ingress). */
  public allowModelIngress(flow: TrafficFlow): void {
    checkFlow(this, 'allowModelIngress(flow)', flow);
    this.modelTraffic.allowIngress(flow);
  }

  private declareModelTraffic(props: AsyncModelProps): PodTraffic {
    const b = this.backend;
    const t = new PodTraffic(b.traffic?.podNamespace ?? b.namespace, b.podSelector);
    const serving = [TrafficPort.tcp(b.podPort)];
    t.allowIngress({ peer: NetworkPeer.pods(this.namespace, this.bridge.podSelector), ports: serving, description: `the bridge ${this.actorName}` });
    for (const f of b.traffic?.ingress ?? []) t.allowIngress(f);
    const metrics = b.traffic?.metricsPorts ?? [];
    stringListProp(this, 'allowModelIngressFromNamespaces', props.allowModelIngressFromNamespaces).forEach((ns, i) => {
      namespaceProp(this, `allowModelIngressFromNamespaces[${i}]`, ns);
      t.allowIngress({ peer: NetworkPeer.namespace(ns), ports: [...serving, ...metrics], description: 'allowModelIngressFromNamespaces' });
    });
    listProp(this, 'modelIngressFlows', props.modelIngressFlows).forEach((f, i) => { checkFlow(this, `modelIngressFlows[${i}]`, f); t.allowIngress(f); });
    return t;
  }

  /** Checks the scaling and bridge props; returns the model scaling options. */
  private checkScalingProps(props: AsyncModelProps): ModelScalingOptions {
    const s = objectProp(this, 'modelScaling', props.modelScaling);
    boolProp(this, 'modelScaling.enabled', s.enabled);
    intProp(this, 'modelScaling.minReplicas', s.minReplicas, 0, INT32_MAX);
    intProp(this, 'modelScaling.maxReplicas', s.maxReplicas, 1, INT32_MAX);
    intProp(this, 'modelScaling.queueLength', s.queueLength, 1, INT32_MAX);
    intProp(this, 'modelScaling.pollingInterval', s.pollingInterval, 1, INT32_MAX);
    intProp(this, 'modelScaling.cooldownPeriod', s.cooldownPeriod, 1, INT32_MAX);
    boolProp(this, 'networkPolicy', props.networkPolicy);
    stringProp(this, 'bridgeImage', props.bridgeImage);
    objectProp(this, 'bridgeResources', props.bridgeResources);
    if (props.bridgeResources) requireLimits(this, 'bridgeResources', props.bridgeResources, 'asya-runtime');
    return s;
  }

  /** The backend's scale target if the model scales on the queue (refused where the backend has none). */
  private modelScaleTarget(s: ModelScalingOptions): ScaleTarget | undefined {
    const b = this.backend;
    const wantScaling = s.enabled ?? b.scaleTarget !== undefined;
    if (wantScaling) {
      check(b.scaleTarget !== undefined, this, 'modelScaling.enabled', true,
        `cannot be used with ${b.node.path}: ${b.noScaleTargetReason ?? 'the backend has no scale target'}`);
    }
    return wantScaling ? b.scaleTarget : undefined;
  }

  /** Checks what the bridge sends and keeps: output key, pass-through keys, output, timeout, retries. */
  private checkRequestProps(props: AsyncModelProps): BridgeRequest {
    const outputKey = props.outputKey ?? 'result';
    check(typeof outputKey === 'string' && OUTPUT_KEY.test(outputKey), this, 'outputKey', outputKey, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)');
    const passThrough = stringListProp(this, 'passThroughKeys', props.passThroughKeys);
    passThrough.forEach((k, i) => check(typeof k === 'string' && OUTPUT_KEY.test(k) && !OWN_BODY_KEYS.includes(k), this, `passThroughKeys[${i}]`, k,
      `must be an identifier other than ${OWN_BODY_KEYS.join(', ')} (the bridge builds those itself)`));
    const output = props.output ?? BridgeOutput.FIELD;
    check(Object.values(BridgeOutput).includes(output), this, 'output', output, 'must be BridgeOutput.FIELD or BridgeOutput.RESPONSE');
    const timeout = durationSeconds(this, 'requestTimeout', props.requestTimeout, Duration.minutes(2));
    check(timeout >= 1, this, 'requestTimeout', `${timeout}s`, 'must be at least 1 second');
    const retries = props.maxRetries ?? 3;
    check(Number.isInteger(retries) && retries >= 0 && retries <= 20, this, 'maxRetries', retries, 'must be a whole number from 0 to 20');
    return { outputKey, passThrough, output, timeout, retries };
  }

  /**
   * How long the bridge retries an unavailable model (TIM-1: a model at zero gets its cold start).
   */
  private coldStartSeconds(props: AsyncModelProps, target: ScaleTarget | undefined, minReplicas: number): number {
    const coldStart = props.unavailableRetryWindow !== undefined
      ? durationSeconds(this, 'unavailableRetryWindow', props.unavailableRetryWindow, Duration.seconds(0))
      : (target && minReplicas === 0 ? (target.coldStartSeconds ?? 1200) : 0);
    check(Number.isInteger(coldStart) && coldStart >= 0 && coldStart <= 86400, this, 'unavailableRetryWindow', `${coldStart}s`,
      'must be whole seconds from 0 to 24 hours');
    return coldStart;
  }

  /**
   * The bridge actor and its handler (SEL-1: Seldon's envoy answers 404 while the model is not
   * scheduled, so 404 is retried like a 503 there).
   */
  private createBridge(name: string, props: AsyncModelProps, r: BridgeRequest, coldStart: number, maxReplicas: number): AsyncActor {
    const b = this.backend;
    const resources = props.bridgeResources ?? { cpu: { request: '50m', limit: '500m' }, memory: { request: '64Mi', limit: '256Mi' } };
    return this.createHandlerActor('Bridge', {
      name,
      transport: props.transport,
      module: 'bridge',
      image: props.bridgeImage ?? 'python:3.12.7-slim-bookworm',
      env: {
        BRIDGE_PROTOCOL: EnvValue.fromValue(b.protocol.id),
        BRIDGE_URL: EnvValue.fromValue(`${b.endpoint}${b.requestPath}`),
        BRIDGE_MODEL: EnvValue.fromValue(b.modelName),
        ...(Object.keys(b.requestHeaders).length ? { BRIDGE_HEADERS: EnvValue.fromValue(JSON.stringify(b.requestHeaders)) } : {}),
        BRIDGE_TIMEOUT_SECONDS: EnvValue.fromValue(String(r.timeout)),
        BRIDGE_MAX_RETRIES: EnvValue.fromValue(String(r.retries)),
        ...(coldStart ? { BRIDGE_COLD_START_SECONDS: EnvValue.fromValue(String(coldStart)) } : {}),
        ...('Seldon-Model' in b.requestHeaders ? { BRIDGE_RETRY_NOT_FOUND: EnvValue.fromValue('true') } : {}),
        BRIDGE_MAX_RESULT_BYTES: EnvValue.fromValue(String(this.maxResultBytes(props.transport, resources))),
        BRIDGE_OUTPUT_KEY: EnvValue.fromValue(r.outputKey),
        ...(r.passThrough.length ? { BRIDGE_PASS_THROUGH: EnvValue.fromValue(r.passThrough.join(',')) } : {}),
        ...(r.output !== BridgeOutput.FIELD ? { BRIDGE_OUTPUT: EnvValue.fromValue(r.output) } : {}),
      },
      resources,
      requestTimeoutSeconds: r.timeout,
      maxRetries: r.retries,
      coldStartSeconds: coldStart,
      runtimeLogLevel: props.runtimeLogLevel,
      scaling: props.bridgeScaling ?? { maxReplicas: Math.max(4, maxReplicas * 4) },
      podLabels: { 'app.kubernetes.io/component': 'bridge' },
      // The bridge may reach its model only (plus DNS and the broker).
      // (or, per the backend's traffic, its pods in another namespace or an address block outside the cluster)
      egress: [b.traffic?.ipBlock !== undefined ? { ipBlock: b.traffic.ipBlock, ports: [b.podPort] }
        : { namespace: b.traffic?.podNamespace ?? b.namespace, podSelector: { ...b.podSelector }, ports: [b.podPort] }],
    });
  }

  /** The NetworkPolicy guarding the model's pods, rendered from `modelTraffic`. */
  private renderModelIngressPolicy(name: string): ApiObject {
    const b = this.backend;
    return renderNetworkPolicy(this, 'ModelIngress', this.modelTraffic, {
      name: `${name}-model-ingress`,
      namespace: b.traffic?.podNamespace ?? b.namespace,
      ingress: true,
      egress: false,
    });
  }
}
