import { isDns1035Label } from '../../core/names';
import { parseQuantity } from '../../core/quantity';
import { IPolicyRule, jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from '../policy/rule';

/*
 * The Asya operator's AsyncActor rules (deliveryhero/asya @ v0.1.1) and the KEDA, Kubernetes and runtime
 * rules an actor meets after `kubectl apply` (../shared/asya-contract.md), as policy rules over synthesized
 * objects: escape hatches, hand-written and Helm-rendered actors are checked like constructed ones.
 *
 * One rule = one small check function + one line in ACTOR_CHECKS (cdk-nag style). A check receives an
 * AsyncActor as a plain object and returns [path, message] pairs.
 */

/** A problem: JSON path inside the object and what is wrong. */
type Problem = [string, string];
type ActorCheck = (actor: any, context: PolicyContext) => Problem[];

const RUNTIME = 'asya-runtime';
const SIDECAR = 'asya-sidecar';
const TRANSPORTS = ['rabbitmq', 'sqs'];
const HANDLER = /^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)+$/;
const RESERVED_VOLUMES = ['socket-dir', 'tmp', 'asya-runtime'];
const RESERVED_MOUNTS = ['/var/run/asya', '/tmp', '/opt/asya/asya_runtime.py'];
const RESERVED_RUNTIME_ENV = ['ASYA_SOCKET_DIR', 'ASYA_ENABLE_VALIDATION'];
const RESERVED_SIDECAR_ENV = [
  'ASYA_SOCKET_DIR', 'ASYA_ACTOR_NAME', 'ASYA_TRANSPORT', 'ASYA_ACTOR_HAPPY_END', 'ASYA_ACTOR_ERROR_END', 'ASYA_IS_END_ACTOR',
  'ASYA_RUNTIME_TIMEOUT', 'ASYA_GATEWAY_URL', 'ASYA_QUEUE_AUTO_CREATE', 'ASYA_AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
];
const RESERVED_SIDECAR_ENV_PREFIXES = ['ASYA_RABBITMQ_', 'ASYA_SQS_'];
const CREW_HANDLERS: Record<string, string> = {
  'happy-end': 'handlers.end_handlers.happy_end_handler',
  'error-end': 'handlers.end_handlers.error_end_handler',
};
const SPEC = '.spec';
const POD = '.spec.workload.template.spec';

function isActor(m: any): boolean {
  return m?.kind === 'AsyncActor' && typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('asya.sh/');
}

function list(v: any): any[] {
  return Array.isArray(v) ? v : [];
}

function podOf(actor: any): any {
  return actor?.spec?.workload?.template?.spec ?? {};
}

/** The asya-runtime container and its index, when there is exactly one. */
function runtimeOf(actor: any): { c: any; i: number } | undefined {
  const cs = list(podOf(actor).containers);
  const found = cs.map((c, i) => ({ c, i })).filter((x) => x.c?.name === RUNTIME);
  return found.length === 1 ? found[0] : undefined;
}

function isUnpinned(image: string): boolean {
  if (image.includes('@sha256:')) return false;
  const last = image.split('/').pop() ?? '';
  return !last.includes(':') || last.endsWith(':latest');
}

// --- the checks -------------------------------------------------------------------------------------

/** spec.transport: `rabbitmq` or `sqs` (the operator's transport factory knows no other name in v0.1.x). */
const transport: ActorCheck = (a) => {
  const t = a.spec?.transport;
  return TRANSPORTS.includes(t) ? [] : [[jsonPath(SPEC, 'transport'),
    `transport ${JSON.stringify(t)} is not one the operator knows: use "rabbitmq" or "sqs" (and enable it in the operator's values)`]];
};

/** spec.workload.kind Deployment: StatefulSet is a stub that fails every reconcile in v0.1.x. */
const workloadKind: ActorCheck = (a) => {
  const k = a.spec?.workload?.kind;
  return k === undefined || k === 'Deployment' ? [] : [[jsonPath(SPEC, 'workload', 'kind'),
    `workload.kind ${JSON.stringify(k)} never runs: the operator's reconcileStatefulSet is "not yet implemented" in v0.1.x; use Deployment`]];
};

/** Name: a DNS-1035 label (our rule: safe on every transport); on SQS no `dlq` and `asya-<name>` within 80 characters. */
const actorName: ActorCheck = (a) => {
  const name = a.metadata?.name;
  const out: Problem[] = [];
  if (typeof name !== 'string' || name.length > 63 || !isDns1035Label(name)) {
    out.push([jsonPath('.', 'metadata', 'name'), `actor name ${JSON.stringify(name)} must be a DNS label of at most 63 characters that starts with a letter (it is a label value on the Deployment and part of the queue name)`]);
  } else if (a.spec?.transport === 'sqs' && (name === 'dlq' || `asya-${name}`.length > 80)) {
    out.push([jsonPath('.', 'metadata', 'name'), name === 'dlq'
      ? 'actor name "dlq" collides with the shared SQS dead-letter queue asya-dlq'
      : `queue asya-${name} is longer than SQS's 80 characters`]);
  }
  return out;
};

/** happy-end and error-end are the crew's: they must run the crew handlers. */
const crewNames: ActorCheck = (a) => {
  const expected = CREW_HANDLERS[a.metadata?.name];
  if (!expected) return [];
  const rt = runtimeOf(a);
  const h = list(rt?.c?.env).find((e) => e?.name === 'ASYA_HANDLER');
  return h?.value === expected ? [] : [[jsonPath('.', 'metadata', 'name'),
    `actor name ${JSON.stringify(a.metadata.name)} is reserved for the crew (handler ${expected}): rename the actor or use AsyaCrew`]];
};

/** Exactly one asya-runtime container, without a command; no container named asya-sidecar (validateAsyncActorSpec). */
const containers: ActorCheck = (a) => {
  const pod = podOf(a);
  const out: Problem[] = [];
  const cs = list(pod.containers);
  const runtimes = cs.map((c, i) => ({ c, i })).filter((x) => x.c?.name === RUNTIME);
  if (runtimes.length !== 1) {
    out.push([jsonPath(POD, 'containers'), `the workload must have exactly one container named ${RUNTIME}, it has ${runtimes.length}`]);
  }
  for (const { c, i } of runtimes) {
    if (Array.isArray(c.command) && c.command.length > 0) {
      out.push([jsonPath(POD, 'containers', i, 'command'), `${RUNTIME} cannot set command: the operator runs [pythonExecutable, /opt/asya/asya_runtime.py] (use args, or spec.workload.pythonExecutable)`]);
    }
  }
  const seen = new Map<string, string>();
  for (const key of ['initContainers', 'containers']) {
    list(pod[key]).forEach((c, i) => {
      const at = jsonPath(POD, key, i);
      if (c?.name === SIDECAR) out.push([jsonPath(at, 'name'), `container name ${SIDECAR} is reserved for the sidecar the operator injects`]);
      if (typeof c?.image !== 'string' || c.image === '') out.push([jsonPath(at, 'image'), `container ${JSON.stringify(c?.name)} has no image`]);
      if (typeof c?.name === 'string') {
        if (seen.has(c.name)) out.push([jsonPath(at, 'name'), `container name ${JSON.stringify(c.name)} is also used at ${seen.get(c.name)}: names must be unique across containers and init containers`]);
        else seen.set(c.name, at);
      }
    });
  }
  return out;
};

/** Volumes socket-dir, tmp, asya-runtime and the runtime mounts are the operator's. */
const reservedVolumes: ActorCheck = (a) => {
  const out: Problem[] = [];
  list(podOf(a).volumes).forEach((v, i) => {
    if (RESERVED_VOLUMES.includes(v?.name)) out.push([jsonPath(POD, 'volumes', i, 'name'), `volume name ${JSON.stringify(v.name)} is reserved: the operator injects ${RESERVED_VOLUMES.join(', ')}`]);
  });
  const rt = runtimeOf(a);
  if (rt) {
    list(rt.c.volumeMounts).forEach((m, i) => {
      const p = m?.mountPath;
      if (RESERVED_MOUNTS.includes(p) || (typeof p === 'string' && p.startsWith('/var/run/asya/'))) {
        out.push([jsonPath(POD, 'containers', rt.i, 'volumeMounts', i, 'mountPath'), `mount path ${JSON.stringify(p)} is reserved in ${RUNTIME}: the operator mounts ${RESERVED_MOUNTS.join(', ')}`]);
      }
    });
  }
  return out;
};

/** Template labels app, asya.sh/asya and asya.sh/workload: the operator's values or unset (they form the selector). */
const operatorLabels: ActorCheck = (a) => {
  const name = a.metadata?.name;
  const expected: Record<string, string> = { 'app': name, 'asya.sh/asya': name, 'asya.sh/workload': 'deployment' };
  const labels = a.spec?.workload?.template?.metadata?.labels ?? {};
  return Object.entries(expected).filter(([k, v]) => labels[k] !== undefined && labels[k] !== v).map(([k, v]): Problem =>
    [jsonPath('.spec.workload.template.metadata', 'labels', k), `label ${k}=${JSON.stringify(labels[k])} breaks the operator's selector: use ${JSON.stringify(v)} or remove it`]);
};

function requestsOverLimits(resources: any, at: string, who: string): Problem[] {
  const out: Problem[] = [];
  const req = resources?.requests ?? {};
  const lim = resources?.limits ?? {};
  for (const [k, v] of Object.entries(req)) {
    if (lim[k] === undefined) continue;
    const r = parseQuantity(String(v));
    const l = parseQuantity(String(lim[k]));
    if (r !== undefined && l !== undefined && r > l) {
      out.push([jsonPath(at, 'requests', k), `${who} requests ${k} ${JSON.stringify(v)} above its limit ${JSON.stringify(lim[k])}: Kubernetes rejects the Deployment the operator builds`]);
    }
  }
  return out;
}

/** Requests within limits, for every container and the sidecar. */
const resources: ActorCheck = (a) => {
  const pod = podOf(a);
  const out: Problem[] = [];
  for (const key of ['initContainers', 'containers']) {
    list(pod[key]).forEach((c, i) => out.push(...requestsOverLimits(c?.resources, jsonPath(POD, key, i, 'resources'), `container ${JSON.stringify(c?.name)}`)));
  }
  out.push(...requestsOverLimits(a.spec?.sidecar?.resources, '.spec.sidecar.resources', 'the sidecar'));
  return out;
};

/** Identifiers of an expr-lang formula that are not function calls (nor true/false/nil). */
function formulaVariables(formula: string): string[] {
  const text = formula.replace(/"[^"]*"|'[^']*'/g, '');
  const out: string[] = [];
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const rest = text.substring(m.index + m[0].length);
    if (/^\s*\(/.test(rest) || ['true', 'false', 'nil', 'and', 'or', 'not', 'in'].includes(m[0])) continue;
    if (m.index > 0 && /[0-9.]/.test(text[m.index - 1])) continue; // 1e3 exponents
    out.push(m[0]);
  }
  return out;
}

/** Scaling: minReplicas <= maxReplicas (always, our rule), and KEDA's rules on `advanced`. */
const scaling: ActorCheck = (a) => {
  const s = a.spec?.scaling;
  if (!s || typeof s !== 'object') return [];
  const out: Problem[] = [];
  const min = s.minReplicas ?? 0;
  const max = s.maxReplicas ?? 50;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    out.push([jsonPath(SPEC, 'scaling', 'minReplicas'), `scaling.minReplicas (${min}) must not exceed scaling.maxReplicas (${max})`]);
  }
  const adv = s.advanced;
  if (s.enabled === true && adv && typeof adv === 'object') {
    const at = jsonPath(SPEC, 'scaling', 'advanced');
    const formula = adv.formula;
    if (formula === undefined || formula === '') {
      for (const k of ['target', 'activationTarget', 'metricType']) {
        if (adv[k] !== undefined) out.push([jsonPath(at, k), `advanced.${k} needs advanced.formula (KEDA refuses a scalingModifiers block without a formula)`]);
      }
    } else {
      const target = Number(adv.target);
      if (adv.target === undefined || !(target > 0)) out.push([jsonPath(at, 'target'), `advanced.formula needs advanced.target, a number greater than 0 (KEDA), got ${JSON.stringify(adv.target)}`]);
      const vars = formulaVariables(String(formula));
      if (vars.length > 0) out.push([jsonPath(at, 'formula'), `advanced.formula references ${JSON.stringify(vars[0])}, but the operator's trigger has no name, so KEDA can resolve no variable: use a formula of constants and functions only`]);
    }
    if (adv.metricType === 'Utilization') out.push([jsonPath(at, 'metricType'), 'advanced.metricType Utilization is refused by KEDA for scaling modifiers: use AverageValue or Value']);
  }
  return out;
};

/** Runtime env: ASYA_HANDLER set and well formed, ASYA_HANDLER_MODE payload/envelope, ASYA_CHUNK_SIZE an integer, reserved names. */
const runtimeEnv: ActorCheck = (a) => {
  const rt = runtimeOf(a);
  if (!rt) return [];
  const at = jsonPath(POD, 'containers', rt.i, 'env');
  const env = list(rt.c.env);
  const out: Problem[] = [];
  const idx = (n: string) => env.findIndex((e) => e?.name === n);
  const h = idx('ASYA_HANDLER');
  if (h < 0 || (env[h].valueFrom === undefined && (env[h].value === undefined || env[h].value === ''))) {
    out.push([h < 0 ? at : jsonPath(at, h), 'ASYA_HANDLER is not set: the runtime exits at start (set module.function, or a configMapKeyRef/secretKeyRef)']);
  } else if (env[h].valueFrom === undefined && !HANDLER.test(String(env[h].value))) {
    out.push([jsonPath(at, h, 'value'), `ASYA_HANDLER ${JSON.stringify(env[h].value)} must be module.function or module.Class.method: the runtime exits at start`]);
  }
  const m = idx('ASYA_HANDLER_MODE');
  if (m >= 0 && env[m].value !== undefined && env[m].value !== '' && !['payload', 'envelope'].includes(String(env[m].value).toLowerCase())) {
    out.push([jsonPath(at, m, 'value'), `ASYA_HANDLER_MODE ${JSON.stringify(env[m].value)} must be payload or envelope: the runtime exits at start`]);
  }
  const c = idx('ASYA_CHUNK_SIZE');
  if (c >= 0 && env[c].value !== undefined && !/^\s*[+-]?\d+\s*$/.test(String(env[c].value))) {
    out.push([jsonPath(at, c, 'value'), `ASYA_CHUNK_SIZE ${JSON.stringify(env[c].value)} must be an integer: the runtime exits at start`]);
  }
  env.forEach((e, i) => {
    if (RESERVED_RUNTIME_ENV.includes(e?.name)) out.push([jsonPath(at, i, 'name'), `${e.name} is set by the operator, whose value silently wins: remove it`]);
  });
  return out;
};

/**
 * Sidecar: a pinned image (the operator falls back to asya-sidecar:latest), env entries named, operator
 * variables reserved, ASYA_CUSTOM_METRICS a JSON array.
 */
const sidecar: ActorCheck = (a) => {
  const s = a.spec?.sidecar ?? {};
  const out: Problem[] = [];
  if (typeof s.image !== 'string' || s.image === '') {
    out.push([jsonPath(SPEC, 'sidecar', 'image'), 'no sidecar image: the operator falls back to asya-sidecar:latest; set a pinned sidecar image']);
  } else if (isUnpinned(s.image)) {
    out.push([jsonPath(SPEC, 'sidecar', 'image'), `sidecar image ${JSON.stringify(s.image)} is not pinned: use a version tag or digest`]);
  }
  list(s.env).forEach((e, i) => {
    const at = jsonPath(SPEC, 'sidecar', 'env', i);
    if (typeof e?.name !== 'string' || e.name === '') { out.push([jsonPath(at, 'name'), 'sidecar env entry has no name']); return; }
    if (RESERVED_SIDECAR_ENV.includes(e.name) || RESERVED_SIDECAR_ENV_PREFIXES.some((p) => e.name.startsWith(p))) {
      out.push([jsonPath(at, 'name'), `${e.name} is set by the operator: this entry is appended after it and silently overrides it`]);
    }
    if (e.name === 'ASYA_CUSTOM_METRICS' && e.value !== undefined) {
      let ok = false;
      try { ok = Array.isArray(JSON.parse(e.value)); } catch { ok = false; }
      if (!ok) out.push([jsonPath(at, 'value'), 'ASYA_CUSTOM_METRICS must be a JSON array: the sidecar exits at start otherwise']);
    }
  });
  return out;
};

/** Timeouts always emitted (our rule: CRD defaults apply only inside a present block), whole seconds >= 0. */
const timeouts: ActorCheck = (a) => {
  const t = a.spec?.timeout;
  const out: Problem[] = [];
  for (const k of ['processing', 'gracefulShutdown']) {
    const v = t?.[k];
    if (v === undefined) out.push([jsonPath(SPEC, 'timeout', k), `timeout.${k} is not set: set it explicitly (without it the sidecar's or CRD's default applies, not what you expect)`]);
    else if (!Number.isInteger(v) || v < 0) out.push([jsonPath(SPEC, 'timeout', k), `timeout.${k} (${JSON.stringify(v)}) must be whole seconds >= 0`]);
  }
  return out;
};

/** Actor names unique per transport across all objects: queue names are not namespaced (asya-<name>). */
const uniqueQueue: ActorCheck = (a, context) => {
  const name = a.metadata?.name;
  const t = a.spec?.transport;
  const first = context.manifests.find((m) => isActor(m) && m.metadata?.name === name && m.spec?.transport === t);
  if (first === a) {
    const dlqOf = t === 'rabbitmq' && typeof name === 'string' && name.endsWith('-dlq') ? name.slice(0, -4) : undefined;
    if (dlqOf && context.manifests.some((m) => isActor(m) && m.metadata?.name === dlqOf && m.spec?.transport === t)) {
      return [[jsonPath('.', 'metadata', 'name'), `actor name ${JSON.stringify(name)} collides with the dead-letter queue asya-${name} of actor ${JSON.stringify(dlqOf)} on RabbitMQ`]];
    }
    return [];
  }
  return [[jsonPath('.', 'metadata', 'name'), `actor name ${JSON.stringify(name)} is also used by ${PolicyRule.objectRef(first)} on transport ${t}: both would consume queue asya-${name} (queue names are not namespaced)`]];
};

/** The registrations: id, description, fix, check. */
const ACTOR_CHECKS: Array<[string, string, string, ActorCheck]> = [
  ['ASYA-ACT-001', 'AsyncActor transport is rabbitmq or sqs', 'Set spec.transport to "rabbitmq" or "sqs".', transport],
  ['ASYA-ACT-002', 'AsyncActor workload kind is Deployment (StatefulSet is a stub in v0.1.x)', 'Set spec.workload.kind: Deployment.', workloadKind],
  ['ASYA-ACT-003', 'AsyncActor name is a DNS label starting with a letter, legal in its queue name', 'Rename the actor.', actorName],
  ['ASYA-ACT-004', 'happy-end and error-end are the crew actors', 'Rename the actor, or create the crew with AsyaCrew.', crewNames],
  ['ASYA-ACT-005', 'Exactly one asya-runtime container without command; no asya-sidecar; container names unique, images set', 'Name the runtime container asya-runtime, drop its command, rename clashing containers.', containers],
  ['ASYA-ACT-006', 'No operator-reserved volume names or asya-runtime mount paths', 'Rename the volume or move the mount.', reservedVolumes],
  ['ASYA-ACT-007', 'Template labels app, asya.sh/asya, asya.sh/workload are the operator\'s', 'Remove the labels or give them the operator\'s values.', operatorLabels],
  ['ASYA-ACT-008', 'Resource requests do not exceed limits (containers and sidecar)', 'Lower the request or raise the limit.', resources],
  ['ASYA-ACT-009', 'Scaling: minReplicas <= maxReplicas; KEDA rules on advanced (formula, target, metricType)', 'Fix spec.scaling as the message says.', scaling],
  ['ASYA-ACT-010', 'asya-runtime env: ASYA_HANDLER set and well formed, ASYA_HANDLER_MODE and ASYA_CHUNK_SIZE valid, reserved names unused', 'Fix the env entry named in the message.', runtimeEnv],
  ['ASYA-ACT-011', 'Sidecar: pinned image, named env entries, operator variables not overridden, ASYA_CUSTOM_METRICS a JSON array', 'Set spec.sidecar.image to a pinned image and fix the env entry.', sidecar],
  ['ASYA-ACT-012', 'Timeouts processing and gracefulShutdown are set, whole seconds >= 0', 'Set spec.timeout.processing and spec.timeout.gracefulShutdown.', timeouts],
  ['ASYA-ACT-013', 'Actor names are unique per transport across the manifests (queue names are not namespaced)', 'Rename one of the actors (prefix it with its pipeline or tenant).', uniqueQueue],
];

class ActorRule extends PolicyRule {
  public constructor(id: string, description: string, fix: string, private readonly fn: ActorCheck) {
    super({ id, level: PolicyLevel.ERROR, description, fix });
  }

  public check(manifest: any, context: PolicyContext): PolicyFinding[] {
    if (!isActor(manifest)) return [];
    return this.fn(manifest, context).map(([path, message]) => this.finding(manifest, path, message));
  }
}

/**
 * The Asya operator's AsyncActor rules as policy rules (ids `ASYA-ACT-001`...): what the operator (deliveryhero/asya
 * v0.1.1), Kubernetes, KEDA and the runtime would refuse after `kubectl apply`, plus the few stricter rules of
 * this library (DNS-1035 names, reserved crew names, pinned sidecar, explicit timeouts). Part of
 * `Policy.defaultRules()`; they run on any AsyncActor, whether constructed, patched or written by hand.
 */
export class ActorRules {
  /** Every actor rule, in id order. */
  public static all(): IPolicyRule[] {
    return ACTOR_CHECKS.map(([id, description, fix, fn]) => new ActorRule(id, description, fix, fn));
  }

  private constructor() {}
}
