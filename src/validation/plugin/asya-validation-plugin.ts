/**
 * A cdk8s CLI validation plugin that runs SchemaValidator and the policy rules over the synthesized YAML.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-asya/lib/validation/plugin/asya-validation-plugin.js
 *     class: AsyaValidationPlugin
 *     version: 0.0.0          # any exact version: local plugins are not installed
 *     properties:             # optional, see AsyaValidationPluginProperties
 *       failOnWarnings: false
 * ```
 *
 * This module is not part of the jsii API (it is not exported from the package index): load it by path.
 * It does not import cdk8s-cli at run time; the shapes it uses are declared below, from
 * cdk8s-cli's `lib/plugins/validation.d.ts` (`Validation`, `ValidationContext`, `ValidationReport`).
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { Policy } from '../policy/policy';
import { IPolicyRule, PolicyFinding, PolicyLevel, PolicyRule } from '../policy/rule';
import { SchemaValidator } from '../schema-validator';

/** A resource violating a rule (cdk8s-cli `ValidationViolatingResource`). */
export interface CliViolatingResource {
  /** `metadata.name`: the CLI maps it to the construct path. */
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

/** One violated rule (cdk8s-cli `ValidationViolation`). */
export interface CliViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly CliViolatingResource[];
}

/** cdk8s-cli `ValidationReport`, the part the plugin uses. */
export interface CliValidationReport {
  addViolation(violation: CliViolation): void;
  /** `status` is `success` or `failure`. */
  submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
}

/** cdk8s-cli `ValidationContext`, the part the plugin uses. */
export interface CliValidationContext {
  /** Paths of the synthesized YAML files. */
  readonly manifests: readonly string[];
  readonly report: CliValidationReport;
  readonly logger: { log(message: string): void };
}

/** `properties` of the plugin's entry in cdk8s.yaml. */
export interface AsyaValidationPluginProperties {
  /**
   * Run SchemaValidator (strict schemas of the pinned CRDs and Kubernetes 1.28).
   * @default true
   */
  readonly schema?: boolean;
  /**
   * Run the policy rules (`Policy.defaultRules()`).
   * @default true
   */
  readonly policy?: boolean;
  /**
   * Rule ids not to run (prefer per-object suppressions).
   * @default - none
   */
  readonly skipRules?: string[];
  /**
   * The Kubernetes version whose Pod Security Admission checks the Pod Security rules follow (`1.N`,
   * N >= 25, or `latest`): the `pod-security.kubernetes.io/enforce-version` of your namespaces.
   * @default '1.37' (latest at kubernetes/pod-security-admission @ 8f84a87)
   */
  readonly kubernetesVersion?: string;
  /**
   * Fail the synth on warnings too.
   * @default false
   */
  readonly failOnWarnings?: boolean;
}

interface Located {
  readonly manifest: any;
  readonly file: string;
}

/** The rule name schema issues are reported under. */
export const SCHEMA_RULE = 'ASYA-SCHEMA';

/**
 * The cdk8s CLI validation plugin of cdk8s-asya (cdk8s-cli's `Validation` interface).
 */
export class AsyaValidationPlugin {
  private readonly props: AsyaValidationPluginProperties;

  /** Called by the CLI's plugin manager with the entry's `properties` (or `{}`). */
  public constructor(properties: AsyaValidationPluginProperties = {}) {
    this.props = properties ?? {};
  }

  public async validate(context: CliValidationContext): Promise<void> {
    const located: Located[] = [];
    for (const file of context.manifests) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const manifest = doc.toJS();
        if (manifest !== null && manifest !== undefined) located.push({ manifest, file });
      }
    }
    const fileOf = new Map(located.map((l) => [l.manifest, l.file]));
    const manifests = located.map((l) => l.manifest);
    let errors = 0;
    let warnings = 0;
    let suppressed = 0;

    if (this.props.schema ?? true) {
      const byObject: CliViolatingResource[] = [];
      for (const l of located) {
        const issues = SchemaValidator.validateObject(l.manifest);
        if (issues.length === 0) continue;
        errors += issues.length;
        byObject.push({ resourceName: nameOf(l.manifest), manifestPath: l.file, locations: issues.map((i) => `${i.object} ${i.path}: ${i.message}`) });
      }
      if (byObject.length > 0) {
        context.report.addViolation({
          ruleName: `${SCHEMA_RULE} objects match the pinned schemas (CRDs in imports/, Kubernetes 1.28)`,
          recommendation: 'Every field must be known to the schema, required fields set, values within enums, patterns and quantities.',
          fix: 'Fix the construct props (or the escape-hatch patch) named in each location.',
          violatingResources: byObject,
        });
      }
    }

    if (this.props.policy ?? true) {
      const rules = Policy.defaultRules({ kubernetesVersion: this.props.kubernetesVersion });
      const byId = new Map<string, IPolicyRule>(rules.map((r) => [r.id, r]));
      const findings = Policy.checkObjects(manifests, { rules, skipRules: this.props.skipRules });
      const objectOf = new Map<PolicyFinding, any>();
      // Findings carry the object's reference; map them back to their manifest for file and name.
      const byRef = new Map<string, any>();
      for (const m of manifests) if (!byRef.has(PolicyRule.objectRef(m))) byRef.set(PolicyRule.objectRef(m), m);
      for (const f of findings) objectOf.set(f, byRef.get(f.object));
      for (const f of findings.filter((x) => x.suppressed)) {
        suppressed++;
        context.logger.log(`suppressed ${f.ruleId} ${f.object} ${f.path}: ${f.message} (reason: ${f.suppressionReason})`);
      }
      const active = findings.filter((x) => !x.suppressed);
      for (const id of [...new Set(active.map((f) => f.ruleId))]) {
        const ofRule = active.filter((f) => f.ruleId === id);
        const rule = byId.get(id);
        const level = ofRule[0].level;
        if (level === PolicyLevel.ERROR) errors += ofRule.length; else warnings += ofRule.length;
        const resources = new Map<any, string[]>();
        for (const f of ofRule) {
          const m = objectOf.get(f);
          resources.set(m, [...(resources.get(m) ?? []), `${f.object} ${f.path}: ${f.message}`]);
        }
        context.report.addViolation({
          ruleName: `${id} (${level}) ${rule?.description ?? ''}`.trim(),
          recommendation: rule?.description ?? id,
          fix: `${rule?.fix ?? ''} Or suppress it on the object with a reason: annotation ${Policy.SUPPRESS_ANNOTATION}.`.trim(),
          violatingResources: [...resources.entries()].map(([m, locations]) => ({
            resourceName: nameOf(m),
            manifestPath: fileOf.get(m) ?? '<unknown>',
            locations,
          })),
        });
      }
    }

    const failed = errors > 0 || (this.props.failOnWarnings === true && warnings > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      errors: String(errors),
      warnings: String(warnings),
      suppressed: String(suppressed),
    });
  }
}

function nameOf(m: any): string {
  return String(m?.metadata?.name ?? '<no name>');
}
