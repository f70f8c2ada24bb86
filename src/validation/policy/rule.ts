/**
 * How serious a policy finding is.
 */
export enum PolicyLevel {
  /** The object must not be applied as is: `Policy.assertCompliant` throws and the cdk8s plugin fails. */
  ERROR = 'error',
  /** Worth a look; reported, never fatal. */
  WARNING = 'warning',
}

/**
 * One rule broken by one synthesized object, at one place.
 */
export interface PolicyFinding {
  /** The rule broken, e.g. `ASYA-PSS-001`. */
  readonly ruleId: string;
  /** The rule's level. */
  readonly level: PolicyLevel;
  /** The object, as `apiVersion/kind namespace/name` (namespace omitted when the object has none). */
  readonly object: string;
  /** JSON path inside the object, e.g. `.spec.template.spec.containers[0].securityContext`; `.` for the object itself. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /**
   * Whether a `cdk8s-asya.io/suppress` annotation on the object suppresses this finding.
   * @default false
   */
  readonly suppressed?: boolean;
  /**
   * The reason given by the suppression, when suppressed.
   * @default - not suppressed
   */
  readonly suppressionReason?: string;
}

/**
 * What a rule sees besides the object it checks: every object of the app (for cross-object rules).
 */
export class PolicyContext {
  /**
   * @param manifests every synthesized object of the app, in synthesis order
   */
  public constructor(public readonly manifests: any[]) {}
}

/**
 * A policy rule: a small pure check run over every synthesized object, in the manner of cdk-nag rules.
 */
export interface IPolicyRule {
  /** Stable identifier, e.g. `ASYA-PSS-001`; suppressions name it. */
  readonly id: string;
  /** Level of every finding of the rule. */
  readonly level: PolicyLevel;
  /** One line: what the rule requires. */
  readonly description: string;
  /** One line: how to fix a violation. */
  readonly fix: string;
  /**
   * Checks one object.
   * @param manifest the object, as synthesized (a plain object)
   * @param context every object of the app
   * @returns the findings; empty when the object complies
   */
  check(manifest: any, context: PolicyContext): PolicyFinding[];
}

/**
 * Identity of a rule.
 */
export interface PolicyRuleProps {
  /** Stable identifier, e.g. `ACME-IMG-001`. */
  readonly id: string;
  /** Level of every finding of the rule. */
  readonly level: PolicyLevel;
  /** One line: what the rule requires. */
  readonly description: string;
  /** One line: how to fix a violation. */
  readonly fix: string;
}

/**
 * Base class of rules: holds the identity and builds findings.
 */
export abstract class PolicyRule implements IPolicyRule {
  /**
   * The object reference used in findings and reports: `apiVersion/kind namespace/name`.
   */
  public static objectRef(manifest: any): string {
    const gvk = `${manifest?.apiVersion ?? '<no apiVersion>'}/${manifest?.kind ?? '<no kind>'}`;
    const name = manifest?.metadata?.name ?? manifest?.metadata?.generateName ?? '<no name>';
    const ns = manifest?.metadata?.namespace;
    return `${gvk} ${ns ? `${ns}/` : ''}${name}`;
  }

  public readonly id: string;
  public readonly level: PolicyLevel;
  public readonly description: string;
  public readonly fix: string;

  protected constructor(props: PolicyRuleProps) {
    this.id = props.id;
    this.level = props.level;
    this.description = props.description;
    this.fix = props.fix;
  }

  public abstract check(manifest: any, context: PolicyContext): PolicyFinding[];

  /** A finding of this rule on `manifest` at `path`. */
  protected finding(manifest: any, path: string, message: string): PolicyFinding {
    return { ruleId: this.id, level: this.level, object: PolicyRule.objectRef(manifest), path, message };
  }
}

/** `.a.b[0]["asya.sh/asya"]`: appends keys to a JSON path the way SchemaValidator writes them. */
export function jsonPath(base: string, ...keys: Array<string | number>): string {
  let out = base === '.' ? '' : base;
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) out += `.${k}`;
    else out += `["${k}"]`;
  }
  return out || '.';
}
