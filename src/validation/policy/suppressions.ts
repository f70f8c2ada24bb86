import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from './rule';

/** The annotation that suppresses rules on one object. */
export const SUPPRESS_ANNOTATION = 'cdk8s-asya.io/suppress';
/** Shortest accepted reason. */
export const MIN_REASON_LENGTH = 10;

/** One valid suppression of an object's annotation. */
export interface Suppression {
  readonly id: string;
  readonly reason: string;
}

/** A problem with an object's suppression annotation. */
export interface SuppressionProblem {
  readonly path: string;
  readonly message: string;
}

const EXAMPLE = '[{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]';

/** Reads an object's suppression annotation: the valid entries, and what is wrong with the others. */
export function readSuppressions(manifest: any): { suppressions: Suppression[]; problems: SuppressionProblem[] } {
  const raw = manifest?.metadata?.annotations?.[SUPPRESS_ANNOTATION];
  if (raw === undefined) return { suppressions: [], problems: [] };
  const at = jsonPath('.', 'metadata', 'annotations', SUPPRESS_ANNOTATION);
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    return {
      suppressions: [],
      problems: [{ path: at, message: `annotation ${SUPPRESS_ANNOTATION} must be a JSON array of {"id", "reason"} objects, e.g. ${EXAMPLE}` }],
    };
  }
  const suppressions: Suppression[] = [];
  const problems: SuppressionProblem[] = [];
  parsed.forEach((entry: any, i: number) => {
    const id = entry?.id;
    if (typeof id !== 'string' || id.trim() === '') {
      problems.push({ path: `${at}[${i}].id`, message: `suppression ${i} names no rule id: give the rule to suppress, e.g. ${EXAMPLE}` });
      return;
    }
    const reason = typeof entry.reason === 'string' ? entry.reason.trim() : '';
    if (reason.length < MIN_REASON_LENGTH) {
      problems.push({
        path: `${at}[${i}].reason`,
        message: `suppression of ${id} has no reason (or one under ${MIN_REASON_LENGTH} characters), so it suppresses nothing: `
          + 'say why this object is exempt, e.g. "vLLM image needs root"',
      });
      return;
    }
    suppressions.push({ id, reason });
  });
  return { suppressions, problems };
}

/**
 * ASYA-SUP-001: every suppression names a rule and gives a reason of at least 10 characters.
 *
 * Why: a suppression is a decision someone must be able to review; one without a reason hides a finding silently.
 * Fix: `Policy.suppress(construct, ruleId, reason)`, or the annotation
 * `cdk8s-asya.io/suppress: '[{"id":"ASYA-PSS-001","reason":"vLLM image needs root"}]'`. This rule cannot be suppressed.
 */
export class SuppressionReasonRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-SUP-001',
      level: PolicyLevel.ERROR,
      description: `Every ${SUPPRESS_ANNOTATION} entry names a rule and gives a reason of at least ${MIN_REASON_LENGTH} characters`,
      fix: `Write the annotation as ${EXAMPLE}, or use Policy.suppress(construct, ruleId, reason).`,
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    return readSuppressions(manifest).problems.map((p) => this.finding(manifest, p.path, p.message));
  }
}
