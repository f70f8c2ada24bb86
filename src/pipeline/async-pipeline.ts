import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, ChartProps, DependencyGraph, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GatewayTool, ToolParameterType } from './gateway';
import { CREW_ACTOR_NAMES } from '../asya/async-actor';
import { IAsyncStep } from '../asya/async-step';
import { check } from '../core/errors';
import { k8s } from '../core/k8s';
import { checkDnsLabel, labelValueProblem, qualifiedNameProblem } from '../core/names';
import { boolProp, checkLabelMap, intProp, listProp, namespaceProp, objectProp, stringListProp, stringProp } from '../core/props';
import { appEdited, appEdits, appIndex, oncePerAppState, requireAppChecks, requireCrew, scaleTargetKey as targetKey } from '../core/registry';
import { IServedModel } from '../core/served-model';
import { blockYaml, isUnicodeText } from '../core/yaml-text';

/**
 * A named route: the ordered actors a message visits.
 */
export interface PipelineRoute {
  /** Route name (a DNS-1123 label), used by gateway tools and the diagram. */
  readonly name: string;
  /** The steps, in order (use `Chain.start(a).next(b).steps` for the fluent form). */
  readonly steps: IAsyncStep[];
}

/**
 * Props of an AsyncPipeline.
 */
export interface AsyncPipelineProps extends ChartProps {
  /**
   * The pipeline name: object names and the diagram use it.
   * @default - the chart id
   */
  readonly name?: string;
  /**
   * Routes, in order. More can be added with `addRoute`.
   * @default - none yet (a pipeline needs at least one route before synth)
   */
  readonly routes?: PipelineRoute[];
  /**
   * Steps reached only at run time, when an envelope-mode step extends the route (e.g. an LLM judge
   * inserting a refiner). They are synthesized and covered by the NetworkPolicies like route steps.
   * @default - none
   */
  readonly dynamicSteps?: IAsyncStep[];
  /**
   * Namespaces (other than the pipeline's) whose steps this pipeline may route to.
   * @default - none: every step runs in the pipeline's namespace
   */
  readonly crossNamespaceGrants?: string[];
  /**
   * The crew (happy-end / error-end) of this pipeline's transport runs already, deployed by another app.
   * When false, the app must contain exactly one AsyaCrew for the transport.
   * @default false
   */
  readonly existingCrew?: boolean;
  /**
   * Tools the Asya gateway exposes; when set, the gateway configuration is synthesized as a ConfigMap
   * `<name>-gateway-tools` (key `<name>.yaml`) in `gatewayNamespace`. The gateway reads only
   * ASYA_CONFIG_PATH (deliveryhero/asya src/asya-gateway/cmd/gateway/main.go @ v0.1.1); a directory there
   * is merged file by file, and a tool or route name repeated across files stops the gateway
   * (internal/config/loader.go `MergeConfigs`), so tool and route names must be unique among the
   * pipelines of the app that share a gateway namespace (checked at synth). To serve several pipelines,
   * install the gateway chart with `routes.createConfigMap=false` and mount a projected volume of their
   * ConfigMaps at a directory named by ASYA_CONFIG_PATH (the chart's own empty tools file fails to load).
   * @default - no gateway configuration
   */
  readonly tools?: GatewayTool[];
  /**
   * The namespace the Asya gateway runs in: its tools ConfigMap goes there, since a pod mounts
   * ConfigMaps of its own namespace only.
   * @default - the pipeline's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Labels on the PodMonitors and ServiceMonitor, for the Prometheus that selects them, e.g.
   * `{ release: 'kube-prometheus-stack' }`: kube-prometheus-stack selects only monitors labelled with
   * its release unless its `*SelectorNilUsesHelmValues` are false
   * (prometheus-operator/prometheus-operator pkg/apis/monitoring/v1/prometheus_types.go @ v0.93.0).
   * @default - none
   */
  readonly monitorLabels?: { [key: string]: string };
  /**
   * Namespace allowed to scrape the metrics port (8080) of the pipeline's actors: added to each actor's
   * NetworkPolicy (every actor has one: its pods may send only DNS, broker traffic and declared egress).
   * @default - none
   */
  readonly monitoringNamespace?: string;
  /**
   * Synthesize a PodMonitor (monitoring.coreos.com/v1) for the actors' sidecar metrics. Needs
   * `monitoringNamespace`: every actor's NetworkPolicy admits scrapes only from named namespaces.
   * @default false
   */
  readonly podMonitor?: boolean;
  /**
   * With podMonitor: also a ServiceMonitor on the KEDA operator's metrics (Service labelled
   * `app.kubernetes.io/name: keda-operator`, port `metrics`, in this namespace) that keeps only the series
   * of this pipeline's ScaledObjects and labels them `asya_pipeline`.
   * @default "keda"
   */
  readonly kedaNamespace?: string;
  /**
   * Annotate objects with Argo CD sync waves: infrastructure (-1; Volcano queues from -1 - depth, parents
   * first), models (0), actors (1), the models' ScaledObjects (2, once the actors' queues exist).
   * @default false
   */
  readonly argoSyncWaves?: boolean;
}

/**
 * The Argo CD sync wave of every kind the library emits, by `group/kind` ("" for the core group): every
 * kind with a pinned schema has an entry (a test enforces it), so a new kind cannot silently fall into
 * wave 0. `null`: not waved (GitOps objects of another chart). Kinds the library does not know (a user's
 * own CRDs) get no annotation, which Argo CD treats as wave 0.
 */
export const SYNC_WAVE: { [groupKind: string]: string | null } = {
  // Infrastructure: namespaces, configuration, RBAC, policies, queues and quotas (-1).
  '/Namespace': '-1',
  '/ConfigMap': '-1',
  '/Secret': '-1',
  '/ServiceAccount': '-1',
  '/PersistentVolumeClaim': '-1',
  'networking.k8s.io/NetworkPolicy': '-1',
  'rbac.authorization.k8s.io/Role': '-1',
  'rbac.authorization.k8s.io/RoleBinding': '-1',
  'rbac.authorization.k8s.io/ClusterRole': '-1',
  'rbac.authorization.k8s.io/ClusterRoleBinding': '-1',
  'scheduling.k8s.io/PriorityClass': '-1',
  'policy/PodDisruptionBudget': '-1',
  // A TriggerAuthentication needs only the out-of-band broker Secret: before its ScaledObject.
  'keda.sh/TriggerAuthentication': '-1',
  'monitoring.coreos.com/PodMonitor': '-1',
  'monitoring.coreos.com/ServiceMonitor': '-1',
  'scheduling.volcano.sh/Queue': '-1', // parents first: see syncWave()
  'kueue.x-k8s.io/ClusterQueue': '-1',
  'kueue.x-k8s.io/LocalQueue': '-1',
  'kueue.x-k8s.io/ResourceFlavor': '-1',
  'kueue.x-k8s.io/WorkloadPriorityClass': '-1',
  'serving.kserve.io/LocalModelCache': '-1',
  // Models and their plumbing (0).
  'kaito.sh/Workspace': '0',
  'kaito.sh/InferenceSet': '0',
  'ray.io/RayService': '0',
  'serving.kserve.io/InferenceService': '0',
  'mlops.seldon.io/Server': '0',
  'mlops.seldon.io/Model': '0',
  'serving.yatai.ai/BentoDeployment': '0',
  'inference.networking.k8s.io/InferencePool': '0',
  'gateway.networking.k8s.io/HTTPRoute': '0',
  'apps/Deployment': '0',
  'apps/StatefulSet': '0',
  '/Service': '0',
  '/Pod': '0',
  'autoscaling/HorizontalPodAutoscaler': '0',
  // Actors (1).
  'asya.sh/AsyncActor': '1',
  // GIT-1: a ScaledObject scales on a queue the Asya operator creates with the AsyncActor
  // (deliveryhero/asya src/asya-operator/internal/transports/rabbitmq.go:52-207 @ v0.1.1); applied before
  // it, KEDA reports Ready=False (kedacore/keda pkg/scaling/executor/scale_scaledobjects.go:93-96 @ v2.20.2),
  // Argo CD's health check turns that Degraded (argoproj/argo-cd resource_customizations/keda.sh/
  // ScaledObject/health.lua @ v3.5.1) and the sync stops. So after the actors.
  'keda.sh/ScaledObject': '2',
  // GIT-3: a run-once job holds a waved sync until it ends (Argo CD's Job health is Progressing while it
  // runs: argoproj/argo-cd gitops-engine/pkg/health/health_job.go:35-71 @ v3.5.1): the last wave, so it
  // holds nothing else. Prefer a JobLauncher for jobs in synced pipelines.
  'batch/Job': '3',
  'batch/CronJob': '3',
  'batch.volcano.sh/Job': '3',
  'kubeflow.org/PyTorchJob': '3',
  'trainer.kubeflow.org/TrainJob': '3',
  // GitOps objects live in their own chart, synced by hand once: not waved.
  'argoproj.io/Application': null,
  'kustomize.toolkit.fluxcd.io/Kustomization': null,
};

/** `group/kind` of a manifest ("" for the core group). */
function groupKind(o: any): string {
  const av = String(o.apiVersion ?? '');
  return `${av.includes('/') ? av.split('/')[0] : ''}/${o.kind}`;
}

/** Route colours of the diagram (colour-blind-safe Okabe-Ito palette), by route order. */
const ROUTE_COLORS: Array<[string, string]> = [
  ['blue', '#0072B2'], ['orange', '#E69F00'], ['green', '#009E73'], ['vermillion', '#D55E00'],
  ['sky blue', '#56B4E9'], ['purple', '#CC79A7'], ['yellow', '#F0E442'], ['black', '#000000'],
];

const PIPELINE_BRAND = Symbol.for('cdk8s-asya.AsyncPipeline');

/** The pipelines of each app, in creation order (for the cross-pipeline gateway check). */
const PIPELINES = new WeakMap<IConstruct, AsyncPipeline[]>();
/** The apps inside their own `synth()` or `synthYaml()` (cdk8s resolved and validated the whole app before rendering the charts). */
const IN_APP_SYNTH = new WeakSet<IConstruct>();
/** The apps whose `synth()` and `synthYaml()` mark IN_APP_SYNTH. */
const WRAPPED_APPS = new WeakSet<IConstruct>();
/** Per app: the errors of every pipeline, computed once per app state (cdk8s validates the app once per chart). */
const PIPELINE_ERRORS = new WeakMap<IConstruct, { readonly version: string; readonly value: Map<AsyncPipeline, string[]> }>();

function isStep(x: any): x is IAsyncStep {
  return !!x && typeof x.actorName === 'string' && typeof x.queueName === 'string' && x.transport !== undefined;
}

/**
 * A pipeline: named routes over async steps (actors, bound models, job launchers), synthesized as one
 * chart (one YAML file with a stable name) with every cross-step object: NetworkPolicies, the gateway
 * tool configuration, a PodMonitor, Argo CD sync waves, and a Mermaid diagram (`toMermaid()`).
 *
 * Whole-pipeline checks run when routes are added (transports, namespaces, reserved names, empty
 * routes) and at synth (unique actor names per transport across the app, crew present, tools naming
 * existing routes).
 *
 * Synthesis is one-way: every object is created while the app is built (the gateway configuration with
 * the first route, the monitors with the first step of this pipeline, a model's PodMonitor with the
 * first step calling it), with the parts that depend on later routes `Lazy`; validation only reads, and
 * rendering only adds the sync-wave annotations.
 */
export class AsyncPipeline extends Chart {
  /**
   * Synthesizes the app and writes each pipeline's diagram (`<pipeline>.md`) next to its YAML.
   */
  public static synthWithDiagrams(app: App): void {
    app.synth();
    for (const chart of app.charts) {
      if (AsyncPipeline.isAsyncPipeline(chart)) {
        fs.writeFileSync(path.join(app.outdir, `${chart.pipelineName}.md`), chart.toMarkdown());
      }
    }
  }

  /**
   * True when `x` is an AsyncPipeline (cdk8s makes `instanceof` true for every Chart subclass).
   */
  public static isAsyncPipeline(x: any): x is AsyncPipeline {
    return x !== null && typeof x === 'object' && (x as any)[PIPELINE_BRAND] === true;
  }

  /**
   * The errors of every pipeline of the app of `scope`, once per app state: the state is the app index
   * (actors, scalers, crews) and the pipelines' edits, which are everything the checks read.
   */
  private static appPipelineErrors(scope: IConstruct): Map<AsyncPipeline, string[]> {
    const root = scope.node.root;
    return oncePerAppState(root, PIPELINE_ERRORS, `${appIndex(root).version}/${appEdits(root)}`, () => {
      return new Map((PIPELINES.get(root) ?? []).map((p) => [p, p.validatePipeline()]));
    });
  }

  /**
   * Marks the app's own `synth()` and `synthYaml()` runs (see renderOwnObjects), by wrapping the two
   * methods of this App instance, once.
   */
  private static markAppSynth(root: IConstruct): void {
    if (!(root instanceof App) || WRAPPED_APPS.has(root)) return;
    WRAPPED_APPS.add(root);
    const app = root as App;
    const wrap = <T>(run: () => T): T => {
      const outer = IN_APP_SYNTH.has(app);
      IN_APP_SYNTH.add(app);
      try {
        return run();
      } finally {
        if (!outer) IN_APP_SYNTH.delete(app);
      }
    };
    const synth = app.synth.bind(app);
    const synthYaml = app.synthYaml.bind(app);
    Object.defineProperty(app, 'synth', { value: () => wrap(synth), configurable: true, writable: true });
    Object.defineProperty(app, 'synthYaml', { value: () => wrap(synthYaml), configurable: true, writable: true });
  }

  /** The pipeline name. */
  public readonly pipelineName: string;
  private readonly routeList: PipelineRoute[] = [];
  private readonly dynamic: IAsyncStep[];
  private readonly grants: string[];
  private readonly props: AsyncPipelineProps;
  /** The gateway tools, checked and rendered in the constructor (their routes are added later). */
  private readonly gatewayTools: any[];
  private gatewayConfigMap?: ApiObject;
  private actorsMonitor?: ApiObject;
  private readonly modelMonitors = new Set<string>();

  constructor(scope: Construct, id: string, props: AsyncPipelineProps = {}) {
    super(scope, id, props);
    Object.defineProperty(this, PIPELINE_BRAND, { value: true });
    AsyncPipeline.markAppSynth(this.node.root);
    const registered = PIPELINES.get(this.node.root) ?? [];
    registered.push(this);
    PIPELINES.set(this.node.root, registered);
    appEdited(this);
    this.props = props;
    this.pipelineName = props.name ?? id;
    checkDnsLabel(this, props.name === undefined ? 'name (from the chart id)' : 'name', this.pipelineName);
    // MON-2: without it the PodMonitor's scrapes meet the actors' NetworkPolicies and are dropped.
    check(!props.podMonitor || !!props.monitoringNamespace, this, 'podMonitor', props.podMonitor,
      'needs monitoringNamespace (the namespace Prometheus runs in): every actor\'s NetworkPolicy admits metrics scrapes only from named namespaces');
    this.grants = [...stringListProp(this, 'crossNamespaceGrants', props.crossNamespaceGrants)];
    this.grants.forEach((ns, i) => namespaceProp(this, `crossNamespaceGrants[${i}]`, ns));
    boolProp(this, 'existingCrew', props.existingCrew);
    boolProp(this, 'podMonitor', props.podMonitor);
    boolProp(this, 'argoSyncWaves', props.argoSyncWaves);
    namespaceProp(this, 'monitoringNamespace', props.monitoringNamespace);
    namespaceProp(this, 'kedaNamespace', props.kedaNamespace);
    this.gatewayTools = this.renderTools();
    if (props.gatewayNamespace !== undefined) checkDnsLabel(this, 'gatewayNamespace', props.gatewayNamespace);
    checkMonitorLabels(this, props.monitorLabels);
    this.dynamic = [...listProp(this, 'dynamicSteps', props.dynamicSteps)];
    this.dynamic.forEach((s, i) => this.checkStep(`dynamicSteps[${i}]`, s));
    this.adopt(this.dynamic);
    listProp(this, 'routes', props.routes).forEach((r, i) => objectProp(this, `routes[${i}]`, r));
    for (const r of props.routes ?? []) this.addRoute(r.name, r.steps);
    this.node.addValidation({ validate: () => AsyncPipeline.appPipelineErrors(this).get(this) ?? [] });
    // App-wide (core/registry): unique objects, actor names per transport, one crew per transport.
    requireAppChecks(this);
    if (!props.existingCrew) requireCrew({ scope: this, transports: () => this.steps.map((s) => s.transport.name) });
  }

  /** The pipeline's namespace. */
  public get pipelineNamespace(): string {
    return this.namespace ?? 'default';
  }

  /**
   * Declares a step reached only at run time (an envelope-mode step inserts it into the route): it is
   * synthesized and covered by the NetworkPolicies like route steps.
   */
  public addDynamicStep(step: IAsyncStep): void {
    this.checkStep(`dynamicSteps[${this.dynamic.length}]`, step);
    this.dynamic.push(step);
    appEdited(this);
    this.adopt([step]);
  }

  /** The routes, in order. */
  public get routes(): PipelineRoute[] {
    return this.routeList.map((r) => ({ name: r.name, steps: [...r.steps] }));
  }

  /** Every distinct step of the pipeline (route steps, then dynamic steps), each once. */
  public get steps(): IAsyncStep[] {
    const seen = new Set<IAsyncStep>();
    const out: IAsyncStep[] = [];
    for (const s of [...this.routeList.flatMap((r) => r.steps), ...this.dynamic]) {
      if (!seen.has(s)) { seen.add(s); out.push(s); }
    }
    return out;
  }

  /**
   * Adds a route. Steps shared between routes are synthesized once.
   * @returns the route's actor names, as messages carry them
   */
  public addRoute(name: string, steps: IAsyncStep[]): string[] {
    const field = `routes["${name}"]`;
    checkDnsLabel(this, 'route name', name);
    check(!this.routeList.some((r) => r.name === name), this, 'route name', name, 'is used by another route of the pipeline');
    check(Array.isArray(steps), this, field, steps, 'must be a list of async steps');
    check(steps.length > 0, this, field, 0, 'is empty: a route needs at least one step');
    steps.forEach((s, i) => this.checkStep(`${field}[${i}]`, s));
    const transports = new Set(steps.map((s) => s.transport.name));
    check(transports.size === 1, this, field, steps.map((s) => `${s.actorName}:${s.transport.name}`).join(' -> '),
      'mixes transports: every step of a route must consume from the same transport (messages are forwarded queue to queue)');
    this.routeList.push({ name, steps: [...steps] });
    appEdited(this);
    this.adopt(steps);
    return steps.map((s) => s.actorName);
  }

  /** The Mermaid flowchart of the routes, steps and backends. */
  public toMermaid(): string {
    const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
    const lines = ['flowchart LR'];
    const declared = new Set<string>();
    const models = new Map<IServedModel, string>();
    const links: string[] = [];
    const linkStyles = new Map<string, number[]>(); // style -> link indexes (Mermaid numbers links in order)
    const link = (line: string, style?: string) => {
      if (style) linkStyles.set(style, [...(linkStyles.get(style) ?? []), links.length]);
      links.push(line);
    };
    const node = (s: IAsyncStep) => {
      const n = id(s.actorName);
      if (declared.has(n)) return n;
      declared.add(n);
      const kind = s.constructor?.name ?? 'step';
      lines.push(`  ${n}["${s.actorName}<br/><small>${kind} · ${s.queueName}</small>"]`);
      const b = s.servedModel;
      if (b) {
        // A model shared by several bridges is drawn once, with an HTTP edge from each bridge.
        let bn = models.get(b);
        if (!bn) {
          bn = `model_${id(b.node.path)}`;
          models.set(b, bn);
          lines.push(`  ${bn}[("${b.node.id}<br/><small>${b.constructor?.name ?? 'backend'} · ${b.namespace} · ${b.protocol.id}</small>")]`);
          lines.push(`  class ${bn} model`);
        }
        link(`  ${n} -. HTTP .-> ${bn}`, 'stroke:#888,stroke-dasharray:4 3');
      }
      return n;
    };
    lines.push('  happy_end(["happy-end"])', '  error_end(["error-end"])');
    this.routeList.forEach((r, i) => {
      const color = ROUTE_COLORS[i % ROUTE_COLORS.length][1];
      const start = `route_${id(r.name)}`;
      lines.push(`  ${start}>"route ${r.name}"]`, `  style ${start} fill:${color},color:#fff,stroke:${color}`);
      // One colour and label per route: a step shared by two routes shows which route leaves it where.
      const style = `stroke:${color},stroke-width:2px,color:${color}`;
      let prev = start;
      for (const s of r.steps) {
        const n = node(s);
        link(`  ${prev} -->|${r.name}| ${n}`, style);
        prev = n;
      }
      link(`  ${prev} -->|${r.name}| happy_end`, style);
    });
    for (const s of this.dynamic) {
      const n = node(s);
      link(`  ${n} -. added at run time .- ${n}`);
    }
    lines.push(...links, ...[...linkStyles].map(([style, idx]) => `  linkStyle ${idx.join(',')} ${style}`));
    lines.push('  classDef crew fill:#eee,stroke:#999', '  class happy_end,error_end crew', '  classDef model fill:#fff8e1,stroke:#b8860b');
    return lines.join('\n') + '\n';
  }

  /** A Markdown page with the diagram, its legend and the routes. */
  public toMarkdown(): string {
    const routes = this.routeList.map((r, i) =>
      `| ${ROUTE_COLORS[i % ROUTE_COLORS.length][0]} | \`${r.name}\` | ${r.steps.map((s) => `\`${s.actorName}\``).join(' → ')} → \`happy-end\` |`).join('\n');
    const legend = [
      '- Solid arrows: the routes, one colour and label per route (see the table below).',
      '- Dashed arrows labelled HTTP: a bridge calling the served model behind it (cylinders, with their namespace and protocol).',
      '- Rounded grey boxes: the crew; every step also sends errors and timeouts to `error-end`.',
      ...(this.dynamic.length ? ['- A self-loop "added at run time": a step that an envelope-mode step may insert into a route.'] : []),
    ].join('\n');
    return `# Pipeline ${this.pipelineName}\n\nNamespace \`${this.pipelineNamespace}\`. Every step sends errors and timeouts to \`error-end\`.\n\n` +
      `\`\`\`mermaid\n${this.toMermaid()}\`\`\`\n\n## Legend\n\n${legend}\n\n## Routes\n\n| colour | route | steps |\n|---|---|---|\n${routes}\n`;
  }

  /** Renders (with sync waves when asked). */
  public override toJson(): any[] {
    const objects = this.renderOwnObjects();
    if (!this.props.argoSyncWaves) return objects;
    return objects.map((o) => {
      const wave = syncWave(o, objects);
      if (wave === undefined) return o;
      return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata?.annotations ?? {}), 'argocd.argoproj.io/sync-wave': wave } } };
    });
  }

  /**
   * This chart's objects, as `Chart.toJson()` renders them. cdk8s's `Chart.toJson()` first resolves the
   * dependencies of the whole app and validates the whole app, for every chart: with many pipeline charts
   * that is most of the synth (O(charts x constructs)). Inside the app's own `synth()` or `synthYaml()`,
   * cdk8s has just done both for the whole app before rendering any chart, and no user code runs between
   * the charts: there a pipeline chart renders its objects directly, as cdk8s's `chartToKube` does (the
   * chart's dependency topology, the objects whose closest chart is this one). Any other call (a direct
   * `toJson()`, `Testing.synth(chart)`) takes cdk8s's path. `test/pipeline/synth-passes.test.ts` compares
   * both paths.
   */
  private renderOwnObjects(): any[] {
    if (!IN_APP_SYNTH.has(this.node.root)) return super.toJson();
    return new DependencyGraph(this.node).topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === this)
      .map((x) => x.toJson());
  }

  private checkStep(field: string, s: IAsyncStep): void {
    check(isStep(s), this, field, s, 'must be an async step (AsyncActor, AsyncModel or JobLauncher)');
    check(!CREW_ACTOR_NAMES.includes(s.actorName), this, field, s.actorName,
      'is a crew actor: every route ends in happy-end (or error-end) by itself; do not list it');
    if (s.namespace !== this.pipelineNamespace) {
      check(this.grants.includes(s.namespace), this, field, `${s.actorName} in ${s.namespace}`,
        `runs outside the pipeline's namespace ${this.pipelineNamespace}: add "${s.namespace}" to crossNamespaceGrants to allow it`);
    }
  }

  private validatePipeline(): string[] {
    const errors: string[] = [];
    const where = this.node.path;
    if (this.routeList.length === 0) errors.push(`${where}: routes (0) must hold at least one route: call addRoute() or pass routes`);
    // Actor names per transport and the crew are app-wide checks (core/registry).
    const { scalersByTarget } = appIndex(this);
    // KEDA admits one ScaledObject per scale target (bindings of a shared model share theirs, one
    // trigger each: binding/model-scaler.ts); a step making its own for a target already scaled is refused.
    for (const s of this.steps) {
      for (const t of s.scalers ?? []) {
        const same = scalersByTarget.get(targetKey(t)) ?? [];
        const names = new Set(same.flatMap((o) => (o.scalers ?? []).filter((x) => targetKey(x) === targetKey(t)).map((x) => `${x.namespace}/${x.name}`)));
        if (names.size > 1) {
          errors.push(`${where}: step "${s.actorName}": ${same.map((o) => o.node.path).join(', ')} scale ${t.targetKind} ${t.namespace}/${t.targetName} ` +
            `with different ScaledObjects (${[...names].sort().join(', ')}): KEDA admits one ScaledObject per target`);
        }
      }
    }
    // Tools name routes.
    const routeNames = new Set(this.routeList.map((r) => r.name));
    (this.props.tools ?? []).forEach((t, i) => {
      if (!routeNames.has(t.route)) {
        errors.push(`${where}: tools[${i}].route ("${t.route}") names no route of the pipeline (routes: ${[...routeNames].join(', ') || 'none'})`);
      }
    });
    errors.push(...this.gatewayNameClashes());
    return errors;
  }

  /**
   * Creates the cross-step objects new steps need, once each (their content is Lazy: later routes add to
   * it), and opens the metrics port of this pipeline's own steps to the monitoring namespace.
   */
  private adopt(steps: IAsyncStep[]): void {
    if (this.gatewayTools.length && !this.gatewayConfigMap && this.routeList.length) this.gatewayConfigMap = this.gatewayConfig();
    for (const s of steps) {
      if (!this.owns(s)) continue;
      if (this.props.monitoringNamespace) s.allowMetricsScrapingFrom(this.props.monitoringNamespace);
      if (this.props.podMonitor) this.podMonitors(s);
    }
  }

  /** The steps whose nearest pipeline is this one, in route order (read at render time). */
  private ownSteps(): IAsyncStep[] {
    return this.steps.filter((s) => this.owns(s));
  }

  /**
   * PodMonitors for the actors' sidecar metrics and for every bound model that exposes metrics, each
   * adding the label `asya_pipeline=<name>` to its series so one query covers the whole pipeline.
   */
  private podMonitors(step: IAsyncStep): void {
    const relabelings = [{ action: 'replace', targetLabel: 'asya_pipeline', replacement: this.pipelineName }];
    const labels = { ...(this.props.monitorLabels ?? {}), 'asya.sh/pipeline': this.pipelineName };
    if (!this.actorsMonitor) {
      this.actorsMonitor = new ApiObject(this, 'PodMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name: `${this.pipelineName}-actors`, labels },
        spec: {
          selector: { matchExpressions: [{ key: 'asya.sh/asya', operator: 'In', values: Lazy.any({ produce: () => this.ownSteps().map((s) => s.actorName).sort() }) }] },
          podMetricsEndpoints: [{ port: 'asya-metrics', path: '/metrics', relabelings }],
        },
      });
      // KEDA's series carry the ScaledObject's name: the operator names it after the actor; steps name
      // the others they create (a binding's `<actor>-model`). Keep this pipeline's and label them.
      const scaled = () => this.ownSteps().flatMap((s) => [s.actorName, ...(s.scalers ?? []).map((t) => t.name)]).sort();
      new ApiObject(this, 'KedaServiceMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: `${this.pipelineName}-keda`, labels },
        spec: {
          namespaceSelector: { matchNames: [this.props.kedaNamespace ?? 'keda'] },
          selector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
          endpoints: [{
            port: 'metrics',
            path: '/metrics',
            metricRelabelings: [
              // actor names are DNS labels: no regex metacharacters
              { action: 'keep', sourceLabels: ['scaledObject'], regex: Lazy.any({ produce: () => `(${scaled().join('|')})` }) },
              { action: 'replace', targetLabel: 'asya_pipeline', replacement: this.pipelineName },
            ],
          }],
        },
      });
    }
    const b = step.servedModel;
    if (!b?.metrics) return;
    const key = `${b.namespace}/${b.node.path}`;
    if (this.modelMonitors.has(key)) return;
    this.modelMonitors.add(key);
    new ApiObject(this, `PodMonitor-${b.node.id}`, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: `${this.pipelineName}-${b.node.id}`, namespace: b.namespace, labels },
      spec: {
        selector: { matchLabels: { ...b.podSelector } },
        podMetricsEndpoints: [{ port: b.metrics.portName, path: b.metrics.path ?? '/metrics', relabelings }],
      },
    });
  }

  /** Steps whose nearest pipeline is this one (shared steps get their policies from their owner). */
  private owns(s: IConstruct): boolean {
    for (let c: IConstruct | undefined = s.node.scope; c; c = c.node.scope) {
      if (AsyncPipeline.isAsyncPipeline(c)) return c === this;
    }
    return false;
  }

  /** The namespace of the gateway this pipeline's tools configure. */
  private get gatewayNs(): string {
    return this.props.gatewayNamespace ?? Chart.of(this).namespace ?? 'default';
  }

  /**
   * PIP-2: tool and route names this pipeline shares with another pipeline of the app with tools for the same gateway
   * namespace (the gateway refuses to start: deliveryhero/asya src/asya-gateway/internal/config/loader.go
   * `MergeConfigs` @ v0.1.1).
   */
  private gatewayNameClashes(): string[] {
    if (!this.gatewayTools.length) return [];
    const errors: string[] = [];
    // The app's pipelines from a registry filled at construction (no tree walk); with the other pipeline
    // checks this runs once per app state (appPipelineErrors), not once per chart.
    const others = (PIPELINES.get(this.node.root) ?? [])
      .filter((p) => p !== this && p.gatewayTools.length > 0 && p.gatewayNs === this.gatewayNs);
    for (const o of others) {
      const tools = new Set(o.gatewayTools.map((t) => t.name));
      const routes = new Set(o.routeList.map((r) => r.name));
      for (const t of this.gatewayTools) {
        if (tools.has(t.name)) errors.push(`${this.node.path}: tool "${t.name}" is also a tool of pipeline ${o.pipelineName} for the gateway in ${this.gatewayNs}: the gateway refuses duplicate tool names across its config files`);
      }
      for (const r of this.routeList) {
        if (routes.has(r.name)) errors.push(`${this.node.path}: route "${r.name}" is also a route of pipeline ${o.pipelineName} for the gateway in ${this.gatewayNs}: the gateway refuses duplicate route names across its config files (rename one)`);
      }
    }
    return errors;
  }

  /** Checks and renders the gateway tools (props only: their routes are checked at synth). */
  private renderTools(): any[] {
    // The gateway parses its config with gopkg.in/yaml.v3, which refuses a lone surrogate (e.g. half of an
    // emoji); one bad file stops the gateway for every pipeline (loader.go:62-65 @ v0.1.1).
    const unicode = (field: string, v: unknown): void => {
      if (typeof v === 'string') check(isUnicodeText(v), this, field, v, 'must be well-formed Unicode text (it has half of a surrogate pair, which the gateway\'s YAML parser refuses)');
      else if (Array.isArray(v)) v.forEach((x, i) => unicode(`${field}[${i}]`, x));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { unicode(field, k); unicode(`${field}.${k}`, x); }
    };
    return listProp(this, 'tools', this.props.tools).map((t, i) => {
      objectProp(this, `tools[${i}]`, t);
      check(typeof t.name === 'string' && /^[A-Za-z0-9_-]+$/.test(t.name), this, `tools[${i}].name`, t.name, 'must be letters, digits, "_" and "-"');
      check(typeof t.description === 'string', this, `tools[${i}].description`, t.description, 'must be a string');
      check(typeof t.route === 'string', this, `tools[${i}].route`, t.route, 'must be a string (a route name of the pipeline)');
      unicode(`tools[${i}].description`, t.description);
      boolProp(this, `tools[${i}].progress`, t.progress);
      intProp(this, `tools[${i}].timeoutSeconds`, t.timeoutSeconds, 1);
      const parameters: any = {};
      listProp(this, `tools[${i}].parameters`, t.parameters).forEach((p, j) => {
        const pf = `tools[${i}].parameters[${j}]`;
        objectProp(this, pf, p);
        check(typeof p.name === 'string' && p.name.length > 0 && p.name !== '__proto__', this, `${pf}.name`, p.name, 'must be a non-empty string');
        check(!Object.prototype.hasOwnProperty.call(parameters, p.name), this, `${pf}.name`, p.name, 'is declared twice');
        stringProp(this, `${pf}.description`, p.description);
        boolProp(this, `${pf}.required`, p.required);
        stringListProp(this, `${pf}.options`, p.options);
        check(p.defaultJson === undefined || typeof p.defaultJson === 'string', this, `${pf}.defaultJson`, p.defaultJson, 'must be a string of JSON');
        check(Object.values(ToolParameterType).includes(p.type), this, `tools[${i}].parameters[${j}].type`, p.type, `must be one of ${Object.values(ToolParameterType).join(', ')}`);
        let def: unknown;
        if (p.defaultJson !== undefined) {
          try { def = JSON.parse(p.defaultJson); } catch { check(false, this, `tools[${i}].parameters[${j}].defaultJson`, p.defaultJson, 'must be valid JSON'); }
        }
        for (const k of ['name', 'description', 'options'] as const) unicode(`${pf}.${k}`, p[k]);
        unicode(`${pf}.defaultJson`, def);
        parameters[p.name] = {
          type: p.type,
          ...(p.description ? { description: p.description } : {}),
          ...(p.required !== undefined ? { required: p.required } : {}),
          ...(def !== undefined ? { default: def } : {}),
          ...(p.options ? { options: [...p.options] } : {}),
        };
      });
      return {
        name: t.name,
        description: t.description,
        ...(Object.keys(parameters).length ? { parameters } : {}),
        route: t.route,
        ...(t.progress !== undefined ? { progress: t.progress } : {}),
        ...(t.timeoutSeconds !== undefined ? { timeout: t.timeoutSeconds } : {}),
      };
    });
  }

  /** The gateway ConfigMap, created with the first route; its routes are read at render time. */
  private gatewayConfig(): ApiObject {
    return new ApiObject(this, 'GatewayTools', {
      ...k8s.KubeConfigMap.GVK,
      metadata: {
        name: `${this.pipelineName}-gateway-tools`,
        ...(this.props.gatewayNamespace !== undefined ? { namespace: this.props.gatewayNamespace } : {}),
        labels: { 'asya.sh/pipeline': this.pipelineName, 'asya.sh/gateway-config': 'true' },
      },
      data: {
        // PIP-2: one file per pipeline in the gateway's config directory (loader.go merges *.yaml files).
        [`${this.pipelineName}.yaml`]: Lazy.any({
          produce: () => {
            const routes: any = {};
            for (const r of this.routeList) routes[r.name] = r.steps.map((s) => s.actorName);
            return blockYaml({ routes, tools: this.gatewayTools });
          },
        }),
      },
    });
  }
}

/**
 * The sync wave of one object: by kind, except Volcano Queues, ordered by depth so a parent precedes its
 * children (VOL-2: Volcano's webhook rejects a child whose parent does not exist yet, volcano-sh/volcano
 * pkg/webhooks/admission/queues/validate/validate_queue.go:373-390 @ v1.15.1): the deepest queues of the
 * chart take wave -1, each level above one wave earlier. A parent outside the chart counts as existing.
 */
function syncWave(o: any, objects: any[]): string | undefined {
  if (groupKind(o) !== 'scheduling.volcano.sh/Queue') return SYNC_WAVE[groupKind(o)] ?? undefined;
  const parents = new Map<string, string | undefined>();
  for (const q of objects) {
    if (q.kind === 'Queue' && String(q.apiVersion).startsWith('scheduling.volcano.sh/')) parents.set(q.metadata.name, q.spec?.parent);
  }
  const depth = (name: string): number => {
    let d = 0;
    const seen = new Set<string>([name]);
    for (let p = parents.get(name); p !== undefined && parents.has(p) && !seen.has(p); p = parents.get(p)) {
      seen.add(p);
      d++;
    }
    return d;
  };
  const deepest = Math.max(...[...parents.keys()].map(depth));
  return String(-1 - (deepest - depth(o.metadata.name)));
}

/** MON-3: monitor labels are label keys and values; `asya.sh/pipeline` is the library's. */
function checkMonitorLabels(scope: IConstruct, labels: { [key: string]: string } | undefined): void {
  checkLabelMap(scope, 'monitorLabels', labels);
  for (const [k, v] of Object.entries(labels ?? {})) {
    check(qualifiedNameProblem(k) === undefined, scope, 'monitorLabels', k, 'is not a valid label key ([prefix/]name, name at most 63 characters)');
    check(labelValueProblem(v) === undefined, scope, `monitorLabels["${k}"]`, v, 'is not a valid label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)');
    check(k !== 'asya.sh/pipeline', scope, 'monitorLabels', k, 'is set by the pipeline');
  }
}
