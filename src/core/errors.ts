import { IConstruct } from 'constructs';

/**
 * The error every construct of this library throws for bad props: it names the construct path, the
 * field, the bad value and the rule, e.g. `rag/llm: scaling.minReplicas (5) must not exceed scaling.maxReplicas (2)`.
 */
export class PropError extends Error {
  public readonly constructPath: string;
  public readonly field: string;

  constructor(scope: IConstruct | string, field: string, value: unknown, rule: string) {
    const where = typeof scope === 'string' ? scope : scope.node.path || '<root>';
    super(`${where}: ${field} (${formatValue(value)}) ${rule}`);
    this.name = 'PropError';
    this.constructPath = where;
    this.field = field;
  }
}

/** Short, stable rendering of a bad value for an error message. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') return JSON.stringify(value);
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 120 ? `${s.substring(0, 117)}...` : s;
}

/** Throws a PropError unless `ok`. */
export function check(ok: boolean, scope: IConstruct | string, field: string, value: unknown, rule: string): void {
  if (!ok) throw new PropError(scope, field, value, rule);
}
