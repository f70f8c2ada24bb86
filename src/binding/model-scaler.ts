import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Transport } from '../asya/transport';
import { IModelBackend, ScaleTarget } from '../backends/model-backend';
import { check } from '../core/errors';
import { claimRuntimeFields } from '../core/ownership';
import { ScaledObject } from '../imports/keda-scaledobject-keda.sh';
import { TriggerAuthentication } from '../imports/keda-triggerauthentication-keda.sh';

/**
 * What one binding asks of the scaler of its model (the fields of `ModelScalingOptions`).
 * @internal
 */
export interface ModelScalerRequest {
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly queueLength?: number;
  readonly pollingInterval?: number;
  readonly cooldownPeriod?: number;
}

/** The pointer KEDA's HPA writes through the scale subresource of every target we know (Deployment,
 * KAITO InferenceSet and Seldon Model all declare `specReplicasPath: .spec.replicas`). */
const REPLICAS = '/spec/replicas';

const BY_APP = new WeakMap<IConstruct, Map<string, ModelScaler>>();
const OPTED_OUT = new WeakMap<IConstruct, Map<string, string[]>>();

function targetKey(backend: IModelBackend, t: ScaleTarget): string {
  return `${backend.namespace}/${t.apiVersion}/${t.kind}/${t.name}`;
}

function registry<T>(map: WeakMap<IConstruct, Map<string, T>>, scope: IConstruct): Map<string, T> {
  const root = scope.node.root;
  let m = map.get(root);
  if (!m) { m = new Map(); map.set(root, m); }
  return m;
}

/**
 * The one KEDA ScaledObject of a model's scale target, with one trigger per bridge queue that may wake it.
 *
 * KEDA admits one ScaledObject per scale target, computes one metric per trigger and scales to the
 * largest of them, activating from zero on any trigger (kedacore/keda `pkg/scaling/executor/
 * scale_scaledobjects.go`, `pkg/scaling/scale_handler.go` @ v2.20.2); so every binding of a shared model
 * adds its queue here, and a model at zero wakes for any tenant. The first binding of a target creates it
 * (under the backend, in the backend's namespace and chart: the scaler lives with what it scales) and
 * fixes its replica range; later bindings add a trigger (and a TriggerAuthentication when their broker
 * credentials differ) and must leave the range unset or repeat it. Nothing is created after validation:
 * the triggers are rendered lazily.
 *
 * Internal: users reach it through `AsyncModel.scaledObject`.
 */
export class ModelScaler extends Construct {
  /**
   * The scaler of `backend`'s scale target, created by the first binding; adds `binding`'s queue to it.
   * @internal
   */
  public static _bind(binding: IConstruct, backend: IModelBackend, transport: Transport, actorName: string,
    request: ModelScalerRequest): ModelScaler {
    const t = backend.scaleTarget!;
    const scalers = registry(BY_APP, binding);
    const key = targetKey(backend, t);
    let scaler = scalers.get(key);
    if (!scaler) {
      scaler = new ModelScaler(backend, binding, transport, request);
      scalers.set(key, scaler);
    } else {
      scaler.checkSameRange(binding, request);
    }
    scaler.addTrigger(binding, transport, actorName, request.queueLength);
    return scaler;
  }

  /**
   * Records a binding of a scalable backend with `modelScaling.enabled: false`: refused at synth when
   * another binding scales the same target (its queue would never wake the model).
   * @internal
   */
  public static _optOut(binding: IConstruct, backend: IModelBackend): void {
    const key = targetKey(backend, backend.scaleTarget!);
    const m = registry(OPTED_OUT, binding);
    m.set(key, [...(m.get(key) ?? []), binding.node.path]);
  }

  /**
   * Defaults and checks of the replica range: the binding's, else the backend's own (SCL-4), else 0 where
   * the target can scale to zero and the queue counts work in flight (SCL-1), else 1.
   */
  private static resolveRange(binding: IConstruct, t: ScaleTarget, transport: Transport, r: ModelScalerRequest): { min: number; max: number } {
    const where = `${t.kind} ${t.name}`;
    const canZero = t.supportsScaleToZero && transport._scaleToZeroRefusal === undefined;
    const min = r.minReplicas ?? t.minReplicas ?? (canZero ? 0 : 1);
    const minField = r.minReplicas !== undefined ? 'modelScaling.minReplicas' : 'modelScaling.minReplicas (from the backend)';
    check(Number.isInteger(min) && min >= 0, binding, minField, min, 'must be a whole number of at least 0');
    check(min > 0 || t.supportsScaleToZero, binding, minField, min, `must be at least 1: ${where} cannot scale to zero`);
    if (min === 0 && transport._scaleToZeroRefusal) check(false, binding, minField, min, transport._scaleToZeroRefusal);
    const max = r.maxReplicas ?? t.maxReplicas ?? Math.max(1, min);
    const maxField = r.maxReplicas !== undefined ? 'modelScaling.maxReplicas' : 'modelScaling.maxReplicas (from the backend)';
    check(Number.isInteger(max) && max >= 1, binding, maxField, max, 'must be a whole number of at least 1');
    check(min <= max, binding, minField, min, `must not exceed modelScaling.maxReplicas (${max})`);
    if (t.minReplicas !== undefined) {
      check(min >= t.minReplicas, binding, minField, min, `must not be below the backend's own minimum (${t.minReplicas} for ${where}): set them alike`);
    }
    if (t.maxReplicas !== undefined) {
      check(max <= t.maxReplicas, binding, maxField, max, `must not exceed the backend's own maximum (${t.maxReplicas} for ${where}): set them alike`);
    }
    return { min, max };
  }

  /** The ScaledObject. */
  public readonly scaledObject: ApiObject;
  /** The ScaledObject's name. */
  public readonly scalerName: string;
  /** Its namespace (the target's). */
  public readonly namespace: string;
  /** The scale target. */
  public readonly target: ScaleTarget;
  /** Fewest replicas of the target. */
  public readonly minReplicas: number;
  /** Most replicas of the target. */
  public readonly maxReplicas: number;
  private readonly pollingInterval: number;
  private readonly cooldownPeriod: number;
  private readonly firstBinding: string;
  private readonly key: string;
  private readonly triggers: any[] = [];
  private readonly authNames = new Map<string, string>();

  private constructor(backend: IModelBackend, binding: IConstruct, transport: Transport, request: ModelScalerRequest) {
    super(backend, 'QueueScaler');
    const t = backend.scaleTarget!;
    this.target = t;
    this.namespace = backend.namespace;
    this.key = targetKey(backend, t);
    this.firstBinding = binding.node.path;
    this.scalerName = `${t.name}-scaler`;
    check(this.scalerName.length <= 54, binding, 'backend', `${t.kind} ${t.name}`,
      `gives the model's ScaledObject name "${this.scalerName}" of ${this.scalerName.length} characters; KEDA allows 54 (its HPA is keda-hpa-<name>)`);
    const range = ModelScaler.resolveRange(binding, t, transport, request);
    this.minReplicas = range.min;
    this.maxReplicas = range.max;
    this.pollingInterval = request.pollingInterval ?? 10;
    this.cooldownPeriod = request.cooldownPeriod ?? 300;
    check(Number.isInteger(this.pollingInterval) && this.pollingInterval >= 1, binding, 'modelScaling.pollingInterval', request.pollingInterval,
      'must be a whole number of seconds of at least 1');
    check(Number.isInteger(this.cooldownPeriod) && this.cooldownPeriod >= 1, binding, 'modelScaling.cooldownPeriod', request.cooldownPeriod,
      'must be a whole number of seconds of at least 1');

    this.scaledObject = new ApiObject(this, 'Resource', {
      ...ScaledObject.GVK,
      metadata: {
        name: this.scalerName,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': t.name, 'app.kubernetes.io/component': 'model-scaler', 'app.kubernetes.io/managed-by': 'cdk8s-asya' },
      },
      spec: {
        scaleTargetRef: { apiVersion: t.apiVersion, kind: t.kind, name: t.name },
        minReplicaCount: this.minReplicas,
        maxReplicaCount: this.maxReplicas,
        pollingInterval: this.pollingInterval,
        cooldownPeriod: this.cooldownPeriod,
        triggers: Lazy.any({ produce: () => this.triggers.map((x) => ({ ...x })) }),
      },
    });
    this.claimReplicas(backend);
    this.node.addValidation({ validate: () => this.validateOptOuts() });
  }

  /** A later binding leaves the target's range unset or repeats it. */
  private checkSameRange(binding: IConstruct, r: ModelScalerRequest): void {
    const fixed: Array<[keyof ModelScalerRequest, number]> = [
      ['minReplicas', this.minReplicas], ['maxReplicas', this.maxReplicas],
      ['pollingInterval', this.pollingInterval], ['cooldownPeriod', this.cooldownPeriod],
    ];
    for (const [f, v] of fixed) {
      check(r[f] === undefined || r[f] === v, binding, `modelScaling.${f}`, r[f],
        `differs from the ${f} (${v}) of the one ScaledObject ${this.namespace}/${this.scalerName} on ${this.target.kind} ${this.target.name}, `
        + `set by ${this.firstBinding}: KEDA admits one ScaledObject per target, so its bindings share it: leave ${f} unset here or repeat it`);
    }
  }

  /** One trigger per bridge queue; one TriggerAuthentication per distinct set of broker credentials. */
  private addTrigger(binding: IConstruct, transport: Transport, actorName: string, queueLength: number | undefined): void {
    const length = queueLength ?? 5;
    check(Number.isInteger(length) && length >= 1, binding, 'modelScaling.queueLength', queueLength, 'must be a whole number of at least 1');
    if (this.minReplicas === 0 && transport._scaleToZeroRefusal) {
      check(false, binding, 'transport', transport.name,
        `cannot wake ${this.target.kind} ${this.target.name}, which scales to zero (minReplicas 0, set by ${this.firstBinding}): ${transport._scaleToZeroRefusal}`);
    }
    const spec = transport._kedaTrigger(binding, 'transport', actorName, length, '');
    check(!this.triggers.some((x) => x.name === actorName), binding, 'name', actorName,
      `already names a trigger of ScaledObject ${this.namespace}/${this.scalerName}: bridges of one model need distinct names`);
    const auth = JSON.stringify(spec.authentication ?? null);
    let authName = this.authNames.get(auth);
    if (authName === undefined) {
      authName = this.authNames.size === 0 ? `${this.scalerName}-auth` : `${this.scalerName}-auth-${this.authNames.size + 1}`;
      this.authNames.set(auth, authName);
      new ApiObject(this, this.authNames.size === 1 ? 'Auth' : `Auth${this.authNames.size}`, {
        ...TriggerAuthentication.GVK,
        metadata: { name: authName, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-asya' } },
        spec: spec.authentication,
      });
    }
    this.triggers.push({ name: actorName, ...spec.trigger, authenticationRef: { name: authName } });
  }

  /**
   * KEDA's HPA owns the target's replicas once the ScaledObject runs: where the target object is
   * synthesized (a Deployment server, an InferenceSet, a Seldon Model), `spec.replicas` is not written
   * (a plain `kubectl apply` would reset it) and GitOps tools ignore it on exactly that object.
   */
  private claimReplicas(backend: IModelBackend): void {
    const t = this.target;
    const obj = backend.node.findAll().find((c): c is ApiObject =>
      ApiObject.isApiObject(c) && c.apiVersion === t.apiVersion && c.kind === t.kind && c.name === t.name);
    if (obj) claimRuntimeFields(obj, [REPLICAS], `KEDA ScaledObject ${this.namespace}/${this.scalerName}`);
  }

  private validateOptOuts(): string[] {
    const out = registry(OPTED_OUT, this).get(this.key) ?? [];
    return out.map((p) => `${p}: modelScaling.enabled (false) leaves its queue out of ScaledObject ${this.namespace}/${this.scalerName}, `
      + `which ${this.firstBinding} creates on ${this.target.kind} ${this.target.name}: every binding of a scaled model must be able to wake it `
      + '(KEDA activates the target on any of its triggers): remove enabled: false, or set it on every binding of the model');
  }
}
