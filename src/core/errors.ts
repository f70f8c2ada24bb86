import { IConstruct } from 'constructs';

/**
 * The error every construct of this library throws for bad props: it names the construct path, the
 * field, the bad value and the rule, e.g. `rag/llm: scaling.minReplicas (5) must not exceed scaling.maxReplicas (2)`.
 * Static factories of value classes (`Volume.emptyDir`, `EnvValue.fromSecret`, `Transport.rabbitmq`, ...) run
 * before any construct exists: their errors name the factory in place of the construct path, e.g.
 * `Volume.emptyDir: options.sizeLimit ("1GB") is not a Kubernetes quantity (e.g. 500m, 1Gi, 2)`.
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
  if (typeof value === 'string') return clip(JSON.stringify(value));
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return '<function>';
  if (typeof value === 'symbol') return value.toString();
  // Never throws: constructs (their path), cycles, BigInts and throwing getters are rendered safely.
  const construct = (value as any)?.node?.path;
  if (typeof construct === 'string') return `<construct ${construct || '<root>'}>`;
  try {
    const seen = new WeakSet<object>();
    const s = JSON.stringify(value, (_k, v) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'function') return '<function>';
      if (v && typeof v === 'object') {
        if (typeof v.node?.path === 'string') return `<construct ${v.node.path || '<root>'}>`;
        if (seen.has(v)) return '<cycle>';
        seen.add(v);
      }
      return v;
    });
    return s === undefined ? String(value) : clip(s);
  } catch {
    return `<${Object.prototype.toString.call(value).slice(8, -1)}>`;
  }
}

function clip(s: string): string {
  return s.length > 120 ? `${s.substring(0, 117)}...` : s;
}

/** Throws a PropError unless `ok`. */
export function check(ok: boolean, scope: IConstruct | string, field: string, value: unknown, rule: string): void {
  if (!ok) throw new PropError(scope, field, value, rule);
}
