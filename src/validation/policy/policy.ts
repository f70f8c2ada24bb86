import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PinnedImageRule } from './images';
import { AsyncActorNetworkPolicyRule, WorkloadNetworkPolicyRule } from './network-policy';
import {
  DropCapabilitiesRule, NoHostNamespacesRule, NoHostPortRule, NoPrivilegedRule, NoPrivilegeEscalationRule,
  RestrictedVolumesRule, RunAsNonRootRule, SeccompProfileRule,
} from './pod-security';
import {
  AppArmorProfileRule, NoProbeHostRule, NoWindowsHostProcessRule, ProcMountRule, SafeSysctlsRule, SeLinuxOptionsRule,
} from './pod-security-baseline';
import { NoRbacEscalationRule, NoRbacWildcardRule } from './rbac';
import { ResourceLimitsRule } from './resources';
import { IPolicyRule, PolicyContext, PolicyFinding, PolicyLevel } from './rule';
import { NoInlineSecretRule, NoPlaintextSecretEnvRule, NoSecretInConfigMapRule } from './secrets';
import { MIN_REASON_LENGTH, readSuppressions, SUPPRESS_ANNOTATION, SuppressionReasonRule } from './suppressions';
import { ActorRules } from '../actor/actor-rules';

/**
 * Options of a policy check.
 */
export interface PolicyCheckOptions {
  /**
   * The rules to run. `ASYA-SUP-001` (suppressions need a reason) always runs in addition.
   * @default Policy.defaultRules()
   */
  readonly rules?: IPolicyRule[];
  /**
   * Ids of rules not to run at all (for the whole app; prefer per-object suppressions).
   * @default - every rule runs
   */
  readonly skipRules?: string[];
  /**
   * The Kubernetes version whose Pod Security Admission checks the default Pod Security rules follow
   * (`1.N` with N >= 25, or `latest`); ignored when `rules` is given.
   * @default '1.37' (latest at kubernetes/pod-security-admission @ 8f84a87)
   */
  readonly kubernetesVersion?: string;
}

/**
 * Options of `Policy.defaultRules`.
 */
export interface DefaultRulesOptions {
  /**
   * The Kubernetes version whose Pod Security Admission checks the Pod Security rules follow.
   * @default '1.37'
   */
  readonly kubernetesVersion?: string;
}

/**
 * Policy rules over synthesized manifests, in the manner of cdk-nag rule packs: pod security `restricted`,
 * no plaintext secrets, NetworkPolicy coverage, resource limits, pinned images and RBAC without wildcards.
 *
 * A finding on one object is suppressed by the annotation
 * `cdk8s-asya.io/suppress: '[{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]'` on that object
 * (`Policy.suppress` adds it); a suppression without a reason of at least 10 characters is itself an error.
 */
export class Policy {
  /** The annotation holding an object's suppressions (a JSON array of `{"id", "reason"}`). */
  public static readonly SUPPRESS_ANNOTATION = SUPPRESS_ANNOTATION;

  /**
   * The rules of this library, in report order.
   */
  public static defaultRules(options: DefaultRulesOptions = {}): IPolicyRule[] {
    const pss = { kubernetesVersion: options?.kubernetesVersion };
    return [
      new RunAsNonRootRule(pss),
      new NoPrivilegeEscalationRule(pss),
      new DropCapabilitiesRule(pss),
      new SeccompProfileRule(pss),
      new NoPrivilegedRule(pss),
      new NoHostNamespacesRule(pss),
      new RestrictedVolumesRule(pss),
      new NoHostPortRule(pss),
      new AppArmorProfileRule(pss),
      new SeLinuxOptionsRule(pss),
      new ProcMountRule(pss),
      new SafeSysctlsRule(pss),
      new NoWindowsHostProcessRule(pss),
      new NoProbeHostRule(pss),
      new NoPlaintextSecretEnvRule(),
      new NoSecretInConfigMapRule(),
      new NoInlineSecretRule(),
      new AsyncActorNetworkPolicyRule(),
      new WorkloadNetworkPolicyRule(),
      new ResourceLimitsRule(),
      new PinnedImageRule(),
      new NoRbacWildcardRule(),
      new NoRbacEscalationRule(),
      ...ActorRules.all(),
      new SuppressionReasonRule(),
    ];
  }

  /**
   * Checks every object of every chart of an app (without writing files).
   * @returns every finding, suppressed ones included (marked `suppressed`)
   */
  public static check(app: App, options: PolicyCheckOptions = {}): PolicyFinding[] {
    return Policy.checkObjects(app.charts.flatMap((c: Chart) => c.toJson()), options);
  }

  /**
   * Checks synthesized objects (plain objects, e.g. parsed from YAML).
   * @returns every finding, suppressed ones included (marked `suppressed`)
   */
  public static checkObjects(manifests: any[], options: PolicyCheckOptions = {}): PolicyFinding[] {
    const skip = new Set(options.skipRules ?? []);
    const rules = [...(options.rules ?? Policy.defaultRules({ kubernetesVersion: options.kubernetesVersion }))];
    if (!rules.some((r) => r.id === 'ASYA-SUP-001')) rules.push(new SuppressionReasonRule());
    const active = rules.filter((r) => !skip.has(r.id) || r.id === 'ASYA-SUP-001');
    const context = new PolicyContext(manifests);
    const out: PolicyFinding[] = [];
    for (const manifest of manifests) {
      const suppressions = readSuppressions(manifest).suppressions;
      for (const rule of active) {
        for (const f of rule.check(manifest, context)) {
          const s = f.ruleId === 'ASYA-SUP-001' ? undefined : suppressions.find((x) => x.id === f.ruleId);
          out.push(s ? { ...f, suppressed: true, suppressionReason: s.reason } : f);
        }
      }
    }
    return out;
  }

  /**
   * Throws one error listing every unsuppressed error finding of the app, if there is any.
   */
  public static assertCompliant(app: App, options: PolicyCheckOptions = {}): void {
    Policy.assertObjectsCompliant(app.charts.flatMap((c: Chart) => c.toJson()), options);
  }

  /**
   * Throws one error listing every unsuppressed error finding among the objects, if there is any.
   */
  public static assertObjectsCompliant(manifests: any[], options: PolicyCheckOptions = {}): void {
    const errors = Policy.checkObjects(manifests, options).filter((f) => f.level === PolicyLevel.ERROR && !f.suppressed);
    if (errors.length > 0) throw new Error(Policy.format(errors));
  }

  /**
   * Formats findings one per line: `[level] RULE-ID <object> <path>: <message>`; suppressed ones as
   * `[suppressed] RULE-ID <object> <path>: <message> (reason: ...)`.
   */
  public static format(findings: PolicyFinding[]): string {
    const errors = findings.filter((f) => f.level === PolicyLevel.ERROR && !f.suppressed).length;
    const head = `${findings.length} policy finding(s), ${errors} error(s):\n`;
    return head + findings.map((f) => f.suppressed
      ? `  [suppressed] ${f.ruleId} ${f.object} ${f.path}: ${f.message} (reason: ${f.suppressionReason})`
      : `  [${f.level}] ${f.ruleId} ${f.object} ${f.path}: ${f.message}`).join('\n');
  }

  /**
   * Suppresses a rule on the construct's Kubernetes object, with the reason it is exempt: adds (or
   * updates) an entry of the `cdk8s-asya.io/suppress` annotation of `ApiObject.of(construct)`, the
   * construct's `Resource` child (or the construct itself when it is an ApiObject).
   *
   * @param construct the construct whose object is exempt (an AsyncActor, a KServeModel, an ApiObject, ...)
   * @param ruleId the rule, e.g. `ASYA-PSS-001`
   * @param reason why, in at least 10 characters, e.g. `vLLM image needs root`
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string): void {
    const where = construct.node.path;
    if (!/^\S+$/.test(ruleId)) {
      throw new Error(`${where}: Policy.suppress ruleId (${JSON.stringify(ruleId)}) must be a rule id such as ASYA-PSS-001`);
    }
    if (reason.trim().length < MIN_REASON_LENGTH) {
      throw new Error(`${where}: Policy.suppress reason (${JSON.stringify(reason)}) must say why the object is exempt, in at least ${MIN_REASON_LENGTH} characters`);
    }
    let obj: ApiObject;
    try {
      obj = ApiObject.of(construct);
    } catch {
      throw new Error(`${where}: Policy.suppress needs a construct with a default ApiObject child (id "Resource") or an ApiObject; pass the object to suppress`);
    }
    let entries: Array<{ id: string; reason: string }> = [];
    const current = obj.metadata.toJson().annotations?.[SUPPRESS_ANNOTATION];
    if (current !== undefined) {
      try {
        const parsed = JSON.parse(current);
        if (Array.isArray(parsed)) entries = parsed;
      } catch {
        throw new Error(`${where}: annotation ${SUPPRESS_ANNOTATION} is not valid JSON (${current}); fix it before adding suppressions`);
      }
    }
    entries = [...entries.filter((e) => e?.id !== ruleId), { id: ruleId, reason: reason.trim() }];
    obj.metadata.addAnnotation(SUPPRESS_ANNOTATION, JSON.stringify(entries));
  }
}
