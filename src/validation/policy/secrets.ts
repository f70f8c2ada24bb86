import { PodTemplates } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from './rule';

/** Words that make a name look like a secret on their own. */
const SECRET_WORDS = new Set(['password', 'passwd', 'secret', 'token', 'credentials', 'credential', 'apikey', 'privatekey']);
/** Pairs of words that do. */
const SECRET_PAIRS = new Set(['api key', 'access key', 'private key', 'secret key', 'auth key']);
/** `<word>_KEY` names that are not secrets (BRIDGE_OUTPUT_KEY, ROUTING_KEY, PARTITION_KEY, ...). */
const NOT_SECRET_KEYS = new Set([
  'output', 'input', 'result', 'routing', 'partition', 'sort', 'cache', 'primary', 'hash', 'idempotency', 'object',
  'label', 'group', 'dedup', 'dedupe', 'message', 'config', 'lookup', 'index', 'public', 'ssh', 'shard', 'column',
]);
/** Last words that make the value a reference, not the secret (`PASSWORD_FILE`, `SECRET_NAME`). */
const REFERENCE_SUFFIXES = new Set(['file', 'path', 'dir', 'name', 'ref']);

/** `OPENAI_API_KEY`, `apiKey`, `api-key.txt` → lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/**
 * Whether a key or variable name looks like it holds a secret: it contains password, passwd, secret,
 * token, credentials, api_key/apikey, access_key or private_key (case-insensitive, on word boundaries),
 * or ends in `_KEY` (unless a non-secret key such as `OUTPUT_KEY` or `ROUTING_KEY`). Names ending in
 * `_FILE`, `_PATH`, `_DIR`, `_NAME` or `_REF` point at a secret and are not secrets.
 */
export function looksLikeSecretName(name: string): boolean {
  const w = words(name);
  if (w.length === 0 || REFERENCE_SUFFIXES.has(w[w.length - 1])) return false;
  if (w.some((x) => SECRET_WORDS.has(x))) return true;
  for (let i = 0; i + 1 < w.length; i++) if (SECRET_PAIRS.has(`${w[i]} ${w[i + 1]}`)) return true;
  const last = w[w.length - 1];
  return last === 'key' && w.length > 1 && !NOT_SECRET_KEYS.has(w[w.length - 2]);
}

/**
 * ASYA-SEC-001: no secret-looking environment variable holds a literal value.
 *
 * Why: env values are stored in plain text in the manifests, in Git and in the API server's object.
 * Fix: keep the value in a Secret and reference it (`EnvValue.fromSecret`, `valueFrom.secretKeyRef`).
 */
export class NoPlaintextSecretEnvRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-SEC-001',
      level: PolicyLevel.ERROR,
      description: 'No environment variable whose name looks like a secret (password, token, api_key, *_KEY, ...) holds a literal value',
      fix: 'Keep the value in a Secret and reference it: EnvValue.fromSecret(name, key) (valueFrom.secretKeyRef).',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    const envs: Array<[string, any]> = [];
    for (const pod of PodTemplates.of(manifest)) {
      for (const c of pod.containers) envs.push([jsonPath(c.path, 'env'), c.container?.env]);
    }
    if (manifest?.kind === 'AsyncActor') envs.push(['.spec.sidecar.env', manifest.spec?.sidecar?.env]);
    if (manifest?.kind === 'TrainJob') envs.push(['.spec.trainer.env', manifest.spec?.trainer?.env]);
    const out: PolicyFinding[] = [];
    for (const [path, env] of envs) {
      if (!Array.isArray(env)) continue;
      env.forEach((e: any, i: number) => {
        if (typeof e?.name === 'string' && typeof e.value === 'string' && e.value !== '' && looksLikeSecretName(e.name)) {
          out.push(this.finding(manifest, jsonPath(path, i, 'value'),
            `env ${e.name} looks like a secret and holds a literal value: keep it in a Secret and reference it (EnvValue.fromSecret / valueFrom.secretKeyRef)`));
        }
      });
    }
    return out;
  }
}

/**
 * ASYA-SEC-002: no ConfigMap key that looks like a secret.
 *
 * Why: ConfigMaps are readable by anyone who may read the namespace's configuration, and are committed with the manifests.
 * Fix: move the value to a Secret (created out of band) and mount or reference it.
 */
export class NoSecretInConfigMapRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-SEC-002',
      level: PolicyLevel.ERROR,
      description: 'No ConfigMap key whose name looks like a secret (password, token, api_key, *_KEY, ...) holds a value',
      fix: 'Move the value to a Secret created out of band (External Secrets, Sealed Secrets, SOPS) and reference it by name.',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    if (manifest?.apiVersion !== 'v1' || manifest.kind !== 'ConfigMap') return [];
    const out: PolicyFinding[] = [];
    for (const field of ['data', 'binaryData']) {
      const data = manifest[field];
      if (!data || typeof data !== 'object') continue;
      for (const key of Object.keys(data)) {
        if (data[key] !== '' && data[key] !== null && looksLikeSecretName(key)) {
          out.push(this.finding(manifest, jsonPath('.', field, key),
            `ConfigMap key ${JSON.stringify(key)} looks like a secret and holds a literal value: move it to a Secret and reference it`));
        }
      }
    }
    return out;
  }
}

/**
 * ASYA-SEC-003: no Secret with inline data (warning).
 *
 * Why: a Secret's `data` is base64, not encryption: the value is committed with the manifests. This library
 * never emits one; a Secret of your own in the app is reported so that it is a decision, not an accident.
 * Fix: create Secrets out of band (External Secrets, Sealed Secrets, SOPS) and reference them by name.
 */
export class NoInlineSecretRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-SEC-003',
      level: PolicyLevel.WARNING,
      description: 'No Secret object carries inline data or stringData',
      fix: 'Create the Secret out of band (External Secrets, Sealed Secrets, SOPS) and reference it by name.',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    if (manifest?.apiVersion !== 'v1' || manifest.kind !== 'Secret') return [];
    return ['data', 'stringData'].flatMap((field) => {
      const data = manifest[field];
      const keys = data && typeof data === 'object' ? Object.keys(data) : [];
      if (keys.length === 0) return [];
      return [this.finding(manifest, jsonPath('.', field),
        `Secret carries inline ${field} (keys: ${keys.join(', ')}), committed with the manifests: create it out of band and reference it by name`)];
    });
  }
}
