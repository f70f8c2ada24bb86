import { IConstruct } from 'constructs';
import { check } from '../core/errors';
import { boolProp, INT32_MAX, objectProp } from '../core/props';

/**
 * KEDA scaling modifiers (`spec.scaling.advanced`).
 */
export interface AdvancedScalingOptions {
  /**
   * A KEDA scaling-modifier formula. Asya v0.1.x creates an unnamed trigger, so a formula cannot reference
   * any metric: only constants and the functions ceil, floor, round, abs, min and max.
   * @default - none
   */
  readonly formula?: string;
  /**
   * Target of the formula, a number > 0 (required with a formula).
   * @default - none
   */
  readonly target?: string;
  /**
   * Activation target of the formula.
   * @default - none
   */
  readonly activationTarget?: string;
  /**
   * `AverageValue` or `Value` (`Utilization` is refused by KEDA for these triggers).
   * @default - KEDA's default (AverageValue)
   */
  readonly metricType?: string;
  /**
   * Restore the original replica count when the ScaledObject is deleted.
   * @default false
   */
  readonly restoreToOriginalReplicaCount?: boolean;
}

/**
 * Queue-driven scaling of an actor (KEDA, created by the Asya operator). On by default with
 * `minReplicas: 0`: async work costs nothing when idle.
 */
export interface ScalingOptions {
  /**
   * Scale on queue depth. When false, the actor runs `replicas` pods.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Fewest replicas; 0 scales to zero when the queue is empty.
   * @default 0
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default 50
   */
  readonly maxReplicas?: number;
  /**
   * Messages per replica: KEDA runs ceil(queueDepth / queueLength) replicas.
   * @default 5
   */
  readonly queueLength?: number;
  /**
   * How often KEDA polls the queue, in seconds.
   * @default 10
   */
  readonly pollingInterval?: number;
  /**
   * Seconds after the last message before scaling to zero.
   * @default 60
   */
  readonly cooldownPeriod?: number;
  /**
   * KEDA scaling modifiers.
   * @default - none
   */
  readonly advanced?: AdvancedScalingOptions;
}

const FORMULA_FUNCTIONS = new Set(['ceil', 'floor', 'round', 'abs', 'min', 'max']);

/** Scaling with every default applied, validated. */
export interface ResolvedScaling {
  readonly enabled: boolean;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly queueLength: number;
  readonly pollingInterval: number;
  readonly cooldownPeriod: number;
  readonly advanced?: AdvancedScalingOptions;
}

function wholeAtLeast(scope: IConstruct, field: string, v: number, min: number): void {
  check(Number.isInteger(v) && v >= min, scope, field, v, `must be a whole number of at least ${min}`);
  check(v <= INT32_MAX, scope, field, v, `must be at most ${INT32_MAX} (Kubernetes and KEDA store it as int32)`);
}

/**
 * Applies defaults and enforces the operator's and KEDA's rules (and ours: min <= max even when off).
 */
export function resolveScaling(scope: IConstruct, field: string, given?: ScalingOptions): ResolvedScaling {
  const s = objectProp(scope, field, given);
  boolProp(scope, `${field}.enabled`, s.enabled);
  const r: ResolvedScaling = {
    enabled: s.enabled ?? true,
    minReplicas: s.minReplicas ?? 0,
    maxReplicas: s.maxReplicas ?? 50,
    queueLength: s.queueLength ?? 5,
    pollingInterval: s.pollingInterval ?? 10,
    cooldownPeriod: s.cooldownPeriod ?? 60,
    advanced: s.advanced,
  };
  wholeAtLeast(scope, `${field}.minReplicas`, r.minReplicas, 0);
  wholeAtLeast(scope, `${field}.maxReplicas`, r.maxReplicas, 1);
  check(r.minReplicas <= r.maxReplicas, scope, `${field}.minReplicas`, r.minReplicas, `must not exceed ${field}.maxReplicas (${r.maxReplicas})`);
  wholeAtLeast(scope, `${field}.queueLength`, r.queueLength, 1);
  wholeAtLeast(scope, `${field}.pollingInterval`, r.pollingInterval, 1);
  wholeAtLeast(scope, `${field}.cooldownPeriod`, r.cooldownPeriod, 1);
  const a = s.advanced === undefined ? undefined : objectProp(scope, `${field}.advanced`, s.advanced);
  if (a) {
    const af = `${field}.advanced`;
    if (!a.formula) {
      for (const k of ['target', 'activationTarget', 'metricType'] as const) {
        check(a[k] === undefined, scope, `${af}.${k}`, a[k], `needs ${af}.formula (KEDA ignores scaling-modifier fields without a formula)`);
      }
    } else {
      check(a.target !== undefined && /^\d+(\.\d+)?$/.test(a.target) && Number(a.target) > 0, scope, `${af}.target`, a.target,
        'must be a number greater than 0 when a formula is set (KEDA rejects the ScaledObject otherwise)');
      const idents = a.formula.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
      const bad = idents.filter((i) => !FORMULA_FUNCTIONS.has(i));
      check(bad.length === 0, scope, `${af}.formula`, a.formula,
        `references ${bad.map((b) => `"${b}"`).join(', ')}: Asya's KEDA trigger is unnamed, so a formula can use only constants and ${[...FORMULA_FUNCTIONS].join(', ')}`);
      if (a.activationTarget !== undefined) {
        check(/^\d+(\.\d+)?$/.test(a.activationTarget), scope, `${af}.activationTarget`, a.activationTarget, 'must be a number');
      }
    }
    if (a.metricType !== undefined) {
      check(a.metricType !== 'Utilization', scope, `${af}.metricType`, a.metricType, 'is refused by KEDA for queue triggers: use AverageValue or Value');
      check(['AverageValue', 'Value'].includes(a.metricType), scope, `${af}.metricType`, a.metricType,
        'must be AverageValue or Value (the operator silently turns anything else into AverageValue)');
    }
  }
  return r;
}
