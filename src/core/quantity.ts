/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), parsed exactly enough to
 * validate them and compare requests with limits.
 */

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+(?:\.\d*)?)?$/;

const SUFFIX: Record<string, number> = {
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** True when `q` is a quantity the API server accepts (`500m`, `1Gi`, `2`, `1e3`). */
export function isQuantity(q: string): boolean {
  return QUANTITY.test(q);
}

/** The numeric value of a quantity (in base units), or undefined when it does not parse. */
export function parseQuantity(q: string): number | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const n = Number(m[2]);
  const suffix = m[3] ?? '';
  if (suffix.startsWith('e') || suffix.startsWith('E')) return sign * n * 10 ** Number(suffix.substring(1));
  return sign * n * SUFFIX[suffix];
}
