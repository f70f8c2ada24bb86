import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { k8s } from '../core/k8s';
import { Volume, VolumeMount } from '../core/volume';

/** Where this package keeps its dependency-free Python handlers (`<package>/handlers`). */
const HANDLERS_DIR = path.join(__dirname, '..', '..', 'handlers');
/** The modules a handler step may ship; `asya_http` is the HTTP code both handlers import. */
const MODULES = ['asya_http', 'bridge', 'job_launcher'];
/** Where the runtime finds the handlers (PYTHONPATH). */
const MOUNT_PATH = '/opt/asya-handlers';
const VOLUME_NAME = 'asya-handlers';

let sources: { [module: string]: string } | undefined;
function source(module: string): string {
  sources ??= Object.fromEntries(MODULES.map((m) => [m, fs.readFileSync(path.join(HANDLERS_DIR, `${m}.py`), 'utf8')]));
  return sources[module];
}

/**
 * One of this package's Python handlers, shipped in its chart's shared ConfigMap and mounted into an
 * actor's runtime.
 */
export interface BundledHandler {
  /** The shared ConfigMap holding the handlers of the chart's namespace. */
  readonly configMap: ApiObject;
  /** The pod volume of the ConfigMap. */
  readonly volume: Volume;
  /** The mount of that volume into the runtime container. */
  readonly mount: VolumeMount;
  /** The runtime env that makes the modules importable (PYTHONPATH). */
  readonly env: { [name: string]: EnvValue };
}

/**
 * The handlers' ConfigMap of one chart and namespace: created by the first handler step, then shared.
 * It holds only the modules the chart's steps use (filled lazily) and is named `<chart>-handlers` (the
 * chart id as a DNS label), so two charts in one namespace never share (so never prune) each other's
 * ConfigMap, and a person can type it. A new handler version changes the pods' `asya.sh/handlers-checksum`
 * annotation, so they roll (a running runtime never re-imports a module).
 */
class HandlerBundle extends Construct {
  public readonly configMap: ApiObject;
  public readonly name: string;
  private readonly modules = new Set<string>(['asya_http']);

  constructor(scope: Construct, id: string, chart: Chart, namespace: string) {
    super(scope, id);
    check(namespace.length > 0, chart, 'namespace', namespace, 'must be set');
    this.name = `${chartLabel(chart)}-handlers`;
    this.configMap = new ApiObject(this, 'Resource', {
      ...k8s.KubeConfigMap.GVK,
      metadata: {
        name: this.name,
        labels: { 'app.kubernetes.io/name': 'asya-handlers', 'app.kubernetes.io/component': 'handlers', 'app.kubernetes.io/managed-by': 'cdk8s-asya' },
      },
      data: Lazy.any({ produce: () => Object.fromEntries([...this.modules].sort().map((m) => [`${m}.py`, source(m)])) }),
    });
  }

  public add(module: string): void {
    this.modules.add(module);
  }
}

/** The chart id as a DNS-1123 label (lower case, other characters as "-"), leaving room for "-handlers". */
function chartLabel(chart: Chart): string {
  const label = chart.node.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63 - '-handlers'.length).replace(/-+$/, '');
  return label || 'asya';
}

/**
 * A checksum of every bundled source: the pods of a handler step carry it as the annotation
 * `asya.sh/handlers-checksum`, so a new handler version rolls them.
 */
export function handlersChecksum(): string {
  if (checksum === undefined) {
    const hash = createHash('sha256');
    for (const m of MODULES) hash.update(`${m}\0${source(m)}\0`);
    checksum = hash.digest('hex').slice(0, 16);
  }
  return checksum;
}
/** The handlers' checksum, computed once per process (the shipped sources do not change while it runs). */
let checksum: string | undefined;

/**
 * Makes `actor` come after the handlers' ConfigMap in its chart's output (`kubectl apply -f` creates
 * objects in file order). Tree order already does that for almost every actor (the ConfigMap nests under
 * the chart's first handler step, before its actor); a construct dependency is added only for the rest,
 * e.g. an actor under a construct created before that first step.
 */
export function orderAfterHandlers(actor: IConstruct, handler: BundledHandler): void {
  if (!precedes(handler.configMap, actor)) actor.node.addDependency(handler.configMap);
}

/** Whether `a` comes before `b` in tree (creation) order. */
function precedes(a: IConstruct, b: IConstruct): boolean {
  const pa = a.node.scopes;
  const pb = b.node.scopes;
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  if (i === pa.length) return true; // b is inside a
  if (i === pb.length) return false; // a is inside b
  const siblings = pa[i - 1].node.children;
  return siblings.indexOf(pa[i]) < siblings.indexOf(pb[i]);
}

/** The bundle of each chart, by namespace. */
const BUNDLES = new WeakMap<Chart, Map<string, HandlerBundle>>();

/**
 * Ships `handlers/<module>.py` (and the shared `asya_http.py`) in the one ConfigMap of the scope's chart
 * and namespace, and returns the volume, mount and env an AsyncActor needs to import it from
 * `/opt/asya-handlers`.
 */
export function bundleHandler(scope: IConstruct, module: string): BundledHandler {
  if (!MODULES.includes(module)) throw new Error(`unknown bundled handler module ${module}`);
  const chart = Chart.of(scope);
  const namespace = chart.namespace ?? 'default';
  let byNamespace = BUNDLES.get(chart);
  if (!byNamespace) {
    byNamespace = new Map();
    BUNDLES.set(chart, byNamespace);
  }
  let bundle = byNamespace.get(namespace);
  if (!bundle) {
    // Under the first handler step of the chart, created before that step's actor: in the chart's output
    // (cdk8s orders by tree order unless dependencies say otherwise) the ConfigMap comes before that actor
    // and every actor created later in a later branch. `orderAfterHandlers` adds a dependency only for an
    // actor that tree order would put first: cdk8s resolves dependencies again in each per-chart pass.
    bundle = new HandlerBundle(scope, byNamespace.size === 0 ? 'AsyaHandlers' : `AsyaHandlers-${namespace}`, chart, namespace);
    byNamespace.set(namespace, bundle);
  }
  bundle.add(module);
  return {
    configMap: bundle.configMap,
    volume: Volume.configMap(VOLUME_NAME, bundle.name, 0o444),
    mount: { volume: VOLUME_NAME, mountPath: MOUNT_PATH, readOnly: true },
    env: { PYTHONPATH: EnvValue.fromValue(MOUNT_PATH) },
  };
}
