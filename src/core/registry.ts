import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The app-wide state of the library, in one place: per-app registries filled at construction, the
 * index built from them, and the app-wide checks (17.2).
 *
 * Whole-app checks read these lists instead of walking the construct tree, and run once per app state:
 * cdk8s validates the whole app once per chart (`App.synth` validates, then each `chart.toJson()`
 * validates again), so a check in every chart's validation would cost O(charts x objects).
 *
 * Types here are structural (core sits below the asya layer): an actor is anything with an actor name
 * and a transport name.
 */

/** What the app-wide checks need of an actor. */
export interface RegisteredActor extends IConstruct {
  readonly actorName: string;
  readonly transport: { readonly name: string };
}

/** What the app-wide checks need of a step that creates ScaledObjects of its own. */
export interface RegisteredScalingStep extends IConstruct {
  readonly actorName: string;
  readonly scalers?: ReadonlyArray<{ readonly name: string; readonly namespace: string; readonly targetKind: string; readonly targetName: string }>;
}

/** A crew (happy-end / error-end) on a transport. */
export interface RegisteredCrew extends IConstruct {
  readonly happyEnd: { readonly transport: { readonly name: string } };
}

/** Something (a pipeline) whose transports need a crew in the app. */
export interface CrewRequirement {
  /** The construct to name in the error. */
  readonly scope: IConstruct;
  /** The transports it uses, read at validation time. */
  readonly transports: () => string[];
}

/**
 * Per-app registries of constructs of one kind, filled at construction. Registering anything attaches
 * the app-wide checks to the app (once).
 */
export class ConstructRegistry<T extends IConstruct> {
  private readonly byRoot = new WeakMap<IConstruct, T[]>();

  /** Records a construct under its app (the root of its tree). */
  public add(c: T): void {
    const root = c.node.root;
    const list = this.byRoot.get(root);
    if (list) list.push(c);
    else this.byRoot.set(root, [c]);
    requireAppChecks(c);
  }

  /** The constructs recorded under the app of `scope`, in creation order. */
  public of(scope: IConstruct): T[] {
    return this.byRoot.get(scope.node.root) ?? [];
  }
}

/** Every AsyncActor of each app (crew actors included). */
export const ACTORS = new ConstructRegistry<RegisteredActor>();
/** Every AsyaCrew of each app. */
export const CREWS = new ConstructRegistry<RegisteredCrew>();
/** Every step of each app that creates ScaledObjects besides its actor's (AsyncModel). */
export const MODEL_SCALERS = new ConstructRegistry<RegisteredScalingStep>();

const CREW_REQUIREMENTS = new WeakMap<IConstruct, CrewRequirement[]>();

/** Declares that `r.scope` needs exactly one crew per transport it uses (a pipeline without existingCrew). */
export function requireCrew(r: CrewRequirement): void {
  const root = r.scope.node.root;
  CREW_REQUIREMENTS.set(root, [...(CREW_REQUIREMENTS.get(root) ?? []), r]);
  requireAppChecks(r.scope);
}

/** The app-wide facts checks need, built once per app state. */
export interface AppIndex {
  /** Registry sizes (actors/scalers/crews) the index was built from. */
  readonly version: string;
  /** Actors by `<transport>/<actor name>` (a queue: not namespaced upstream). */
  readonly byQueue: Map<string, RegisteredActor[]>;
  /** Steps by the `<namespace>/<kind>/<name>` of each scale target their ScaledObjects drive. */
  readonly scalersByTarget: Map<string, RegisteredScalingStep[]>;
  /** Crews by transport name. */
  readonly crewsByTransport: Map<string, RegisteredCrew[]>;
}

const APP_INDEX = new WeakMap<IConstruct, AppIndex>();

/** The key of a scale target. */
export function scaleTargetKey(t: { readonly namespace: string; readonly targetKind: string; readonly targetName: string }): string {
  return `${t.namespace}/${t.targetKind}/${t.targetName}`;
}

/** The app index of the app of `scope`, rebuilt only when a registry grew. */
export function appIndex(scope: IConstruct): AppIndex {
  const actors = ACTORS.of(scope);
  const scalers = MODEL_SCALERS.of(scope);
  const crews = CREWS.of(scope);
  const version = `${actors.length}/${scalers.length}/${crews.length}`;
  const cached = APP_INDEX.get(scope.node.root);
  if (cached && cached.version === version) return cached;
  const byQueue = new Map<string, RegisteredActor[]>();
  for (const c of actors) push(byQueue, `${c.transport.name}/${c.actorName}`, c);
  const scalersByTarget = new Map<string, RegisteredScalingStep[]>();
  for (const m of scalers) for (const t of m.scalers ?? []) push(scalersByTarget, scaleTargetKey(t), m);
  const crewsByTransport = new Map<string, RegisteredCrew[]>();
  for (const c of crews) push(crewsByTransport, c.happyEnd.transport.name, c);
  const index = { version, byQueue, scalersByTarget, crewsByTransport };
  APP_INDEX.set(scope.node.root, index);
  return index;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const CHECKED_APPS = new WeakSet<IConstruct>();

/**
 * Attaches the app-wide checks to the app of `scope` (once; any construct that needs them calls this).
 * They run in cdk8s's validation of the app, always, whether or not the app has a pipeline:
 * - no two objects of the app's output share apiGroup/kind/namespace/name (unless they are identical);
 * - actor names are unique per transport across the app (queue names are not namespaced upstream);
 * - at most one crew per transport, and one for every transport a pipeline without existingCrew uses.
 */
export function requireAppChecks(scope: IConstruct): void {
  const root = scope.node.root;
  if (CHECKED_APPS.has(root)) return;
  CHECKED_APPS.add(root);
  root.node.addValidation({ validate: () => appErrors(root) });
}

const APP_ERRORS = new WeakMap<IConstruct, { readonly version: string; readonly value: string[] }>();

/**
 * The app-wide errors, computed once per app state. The state is the registries' sizes plus the tick:
 * cdk8s runs its validation passes of one synth synchronously, so the tree walk of the object check
 * happens once per synth, not once per chart.
 */
function appErrors(root: IConstruct): string[] {
  const index = appIndex(root);
  const requirements = CREW_REQUIREMENTS.get(root) ?? [];
  // Crew requirements read the pipelines' steps, which routes added later extend: their edits are state too.
  return oncePerAppState(root, APP_ERRORS, `${index.version}/${requirements.length}/${appEdits(root)}`, () => {
    RUNS.set(root, (RUNS.get(root) ?? 0) + 1);
    return [...duplicateObjects(root), ...duplicateQueues(index), ...crewErrors(index, requirements)];
  });
}

/**
 * A value of the app computed once per app state, for checks that cdk8s would otherwise run once per
 * chart (it validates the whole app once per chart). `state` names what the value depends on among the
 * library's state (registry sizes, `appEdits`); the synth tick is added: cdk8s runs the passes of one synth
 * synchronously, and the tick moves on at the next microtask, so a tree changed later is always checked
 * again. Known limit: objects the library does not create (plain ApiObjects, escape-hatch patches) added
 * between two synths of one synchronous block are seen by the object check only from the next tick.
 * @param slot one WeakMap per kind of value (its key is the app root)
 */
export function oncePerAppState<T>(
  root: IConstruct, slot: WeakMap<IConstruct, { readonly version: string; readonly value: T }>, state: string, compute: () => T,
): T {
  const version = `${state}/${tick}`;
  const cached = slot.get(root);
  if (cached && cached.version === version) return cached.value;
  scheduleTick();
  const value = compute();
  slot.set(root, { version, value });
  return value;
}

const EDITS = new WeakMap<IConstruct, number>();

/**
 * Records a change of the app that the registries' sizes do not show (a route or a dynamic step added to a
 * pipeline): the memoized checks recompute on the next validation.
 */
export function appEdited(scope: IConstruct): void {
  const root = scope.node.root;
  EDITS.set(root, (EDITS.get(root) ?? 0) + 1);
}

/** How many times the app of `scope` was edited (see appEdited). */
export function appEdits(scope: IConstruct): number {
  return EDITS.get(scope.node.root) ?? 0;
}

const RUNS = new WeakMap<IConstruct, number>();

/** How many times the app-wide checks of the app of `scope` were computed (for tests). */
export function appCheckRuns(scope: IConstruct): number {
  return RUNS.get(scope.node.root) ?? 0;
}

let tick = 0;
let tickScheduled = false;
function scheduleTick(): void {
  if (tickScheduled) return;
  tickScheduled = true;
  queueMicrotask(() => { tick++; tickScheduled = false; });
}

function duplicateObjects(root: IConstruct): string[] {
  const byKey = new Map<string, ApiObject[]>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : 'core';
    push(byKey, `${group}|${c.kind}|${c.metadata.namespace ?? ''}|${c.name}`, c);
  }
  const errors: string[] = [];
  for (const [key, objects] of byKey) {
    if (objects.length < 2) continue;
    // Identical objects (e.g. a shared handler ConfigMap shipped by two charts in one namespace) apply as one.
    const first = JSON.stringify(objects[0].toJson());
    if (objects.every((o) => JSON.stringify(o.toJson()) === first)) continue;
    const [, kind, ns, name] = key.split('|');
    errors.push(`${objects.map((o) => o.node.path).join(', ')}: ${kind} ${ns ? `${ns}/` : ''}${name} is defined ${objects.length} times with different content: ` +
      'the API server keeps one object per kind, namespace and name (the last applied would win): give them different names');
  }
  return errors;
}

const CREW_ACTORS = ['happy-end', 'error-end'];

function duplicateQueues(index: AppIndex): string[] {
  const errors: string[] = [];
  for (const owners of index.byQueue.values()) {
    if (owners.length < 2) continue;
    const s = owners[0];
    // Two crews on a transport share their end actors' queues: the crew count error says so once.
    if ((index.crewsByTransport.get(s.transport.name)?.length ?? 0) > 1 && CREW_ACTORS.includes(s.actorName)) continue;
    errors.push(`step "${s.actorName}" (${owners.map((o) => o.node.path).join(', ')}): actor names must be unique per transport across the app ` +
      `(queue asya-${s.actorName} on ${s.transport.name} is not namespaced: the actors would share it)`);
  }
  return errors;
}

function crewErrors(index: AppIndex, requirements: CrewRequirement[]): string[] {
  const errors: string[] = [];
  for (const [t, crews] of index.crewsByTransport) {
    if (crews.length > 1) {
      errors.push(`transport ${t} has ${crews.length} crews (${crews.map((c) => c.node.path).join(', ')}): queue names are not namespaced, so there must be exactly one per cluster`);
    }
  }
  for (const r of requirements) {
    for (const t of [...new Set(r.transports())]) {
      if (!index.crewsByTransport.has(t)) {
        errors.push(`${r.scope.node.path}: transport ${t} has no crew: add one AsyaCrew for it to the app (once per cluster), or set existingCrew: true`);
      }
    }
  }
  return errors;
}
