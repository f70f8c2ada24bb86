import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  ArgoCdApplication, AsyaCrew, AsyncActor, AsyncActorProps, AsyncModel, AsyncPipeline, ModelSource, OpenAIModel, AsyncPipelineProps,
  Chain, HandlerMode, ResultStorage, ToolParameterType, Transport,
} from '../../src';
import { one, synthValid } from '../util';

const rabbit = Transport.rabbitmq({ brokerNamespace: 'asya-system', brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' } });
const base = { transport: rabbit, image: 'ghcr.io/acme/steps:2.0.0', resources: { cpu: { limit: '500m' }, memory: { limit: '256Mi' } } };

function withCrew(app: App, transport: Transport = rabbit): void {
  const system = new Chart(app, 'system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', { transport, storage: ResultStorage.none() });
}

function pipeline(props: AsyncPipelineProps = {}, app: App = Testing.app(), crew: boolean = true) {
  if (crew) withCrew(app);
  const p = new AsyncPipeline(app, 'rag', { namespace: 'rag', ...props });
  const step = (id: string, extra: Partial<AsyncActorProps> = {}) => new AsyncActor(p, id, { ...base, handler: `steps.${id.replace(/-/g, '_')}`, name: `rag-${id}`, ...extra });
  return { app, p, step };
}

describe('AsyncPipeline', () => {
  test('routes, shared steps once, network policies, gateway tools, pod monitor, sync waves, diagram', () => {
    const { p, step } = pipeline({
      tools: [{
        name: 'ask',
        description: 'Answer a question from the knowledge base',
        route: 'ask',
        parameters: [
          { name: 'question', type: ToolParameterType.STRING, required: true, description: 'The question' },
          { name: 'top_k', type: ToolParameterType.INTEGER, defaultJson: '4' },
        ],
        timeoutSeconds: 120,
      }],
      monitoringNamespace: 'monitoring',
      podMonitor: true,
      argoSyncWaves: true,
    });
    const embed = step('embed');
    const write = step('write', { egress: [{ ipBlock: '10.0.0.0/8', ports: [6333] }] });
    const retrieve = step('retrieve');
    const answer = step('answer', { handlerMode: HandlerMode.ENVELOPE });
    const refine = step('refine');
    p.addRoute('ingest', Chain.start(embed).next(write).steps);
    expect(p.addRoute('ask', [embed, retrieve, answer])).toEqual(['rag-embed', 'rag-retrieve', 'rag-answer']);
    expect(p.routes.map((r) => r.name)).toEqual(['ingest', 'ask']);

    const manifests = synthValid(p);
    expect(manifests).toMatchSnapshot();
    expect(p.steps.map((s) => s.actorName)).toEqual(['rag-embed', 'rag-write', 'rag-retrieve', 'rag-answer']);
    expect(manifests.filter((m) => m.kind === 'AsyncActor').map((m) => m.metadata.name).sort())
      .toEqual(['rag-answer', 'rag-embed', 'rag-refine', 'rag-retrieve', 'rag-write']);
    expect(refine.actorName).toBe('rag-refine');

    const np = one(manifests, 'NetworkPolicy', 'rag-write-network');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'asya.sh/asya': 'rag-write' } });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'asya-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq' } } }],
      ports: [{ protocol: 'TCP', port: 5672 }],
    });
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 6333 }] });
    expect(np.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);

    const tools = one(manifests, 'ConfigMap', 'rag-gateway-tools');
    expect(tools.data['rag.yaml']).toBe([
      'routes:',
      '  ingest:',
      '    - rag-embed',
      '    - rag-write',
      '  ask:',
      '    - rag-embed',
      '    - rag-retrieve',
      '    - rag-answer',
      'tools:',
      '  - name: ask',
      '    description: Answer a question from the knowledge base',
      '    parameters:',
      '      question:',
      '        type: string',
      '        description: The question',
      '        required: true',
      '      top_k:',
      '        type: integer',
      '        default: 4',
      '    route: ask',
      '    timeout: 120',
      '',
    ].join('\n'));
    expect(one(manifests, 'PodMonitor').spec.podMetricsEndpoints).toEqual([{
      port: 'asya-metrics', path: '/metrics', relabelings: [{ action: 'replace', targetLabel: 'asya_pipeline', replacement: 'rag' }],
    }]);
    expect(one(manifests, 'AsyncActor', 'rag-embed').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '1' });
    expect(one(manifests, 'NetworkPolicy', 'rag-embed-network').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });

    const mermaid = p.toMermaid();
    expect(mermaid).toMatchSnapshot();
    expect(mermaid).toContain('route_ask -->|ask| rag_embed');
    expect(mermaid).toContain('rag_answer -->|ask| happy_end');
  });

  test('dynamic steps are declared and synthesized; every actor has its own NetworkPolicy', () => {
    const { p, step } = pipeline();
    const judge = step('judge', { handlerMode: HandlerMode.ENVELOPE });
    const refine = step('refine');
    step('stray');
    p.addRoute('main', [judge]);
    p.addDynamicStep(refine);
    const manifests = synthValid(p);
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.name).sort())
      .toEqual(['rag-judge-network', 'rag-refine-network', 'rag-stray-network']);
    expect(p.steps.map((x) => x.actorName)).toEqual(['rag-judge', 'rag-refine']);
    expect(p.toMermaid()).toContain('rag_refine -. added at run time .- rag_refine');
  });

  test('writes the diagram next to the YAML', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipe-'));
    const app = new App({ outdir });
    const { p, step } = pipeline({}, app);
    p.addRoute('main', [step('a'), step('b')]);
    AsyncPipeline.synthWithDiagrams(app);
    expect(fs.readdirSync(outdir).sort()).toEqual(['rag.k8s.yaml', 'rag.md', 'system.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'rag.md'), 'utf8')).toContain('| blue | `main` | `rag-a` → `rag-b` → `happy-end` |');
  });
});

describe('AsyncPipeline: whole-pipeline checks', () => {
  test('an empty route', () => {
    const { p } = pipeline();
    expect(() => p.addRoute('main', [])).toThrow('rag: routes["main"] (0) is empty: a route needs at least one step');
  });

  test('a duplicate route name', () => {
    const { p, step } = pipeline();
    const a = step('a');
    p.addRoute('main', [a]);
    expect(() => p.addRoute('main', [a])).toThrow('route name ("main") is used by another route of the pipeline');
  });

  test('steps on different transports', () => {
    const { p, step } = pipeline();
    const a = step('a');
    const b = step('b', { transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012' }) });
    expect(() => p.addRoute('main', [a, b])).toThrow('routes["main"] ("rag-a:rabbitmq -> rag-b:sqs") mixes transports');
  });

  test('a step in another namespace without a grant, and with one', () => {
    const { app, p, step } = pipeline();
    const other = new Chart(app, 'shared', { namespace: 'shared' });
    const shared = new AsyncActor(other, 'shared-llm', { ...base, handler: 'steps.llm' });
    expect(() => p.addRoute('main', [step('a'), shared])).toThrow(
      'routes["main"][1] ("shared-llm in shared") runs outside the pipeline\'s namespace rag: add "shared" to crossNamespaceGrants to allow it');
    const granted = new AsyncPipeline(app, 'granted', { namespace: 'rag2', crossNamespaceGrants: ['shared'] });
    expect(granted.addRoute('main', [shared])).toEqual(['shared-llm']);
  });

  test('a crew actor in a route', () => {
    const { app, p } = pipeline();
    const crew = app.node.findAll().find((c) => c instanceof AsyaCrew) as AsyaCrew;
    const g = new AsyncPipeline(app, 'g', { namespace: 'asya-system' });
    expect(() => g.addRoute('main', [crew.happyEnd])).toThrow('routes["main"][0] ("happy-end") is a crew actor');
    void p;
  });

  test('a non-step in a route', () => {
    const { p } = pipeline();
    expect(() => p.addRoute('main', [{} as any])).toThrow('routes["main"][0] ({}) must be an async step');
  });

  test('duplicate actor names per transport across the app (queue names are not namespaced)', () => {
    const app = Testing.app();
    const { p, step } = pipeline({}, app);
    p.addRoute('main', [step('a')]);
    const other = new AsyncPipeline(app, 'other', { namespace: 'other' });
    other.addRoute('main', [new AsyncActor(other, 'a', { ...base, name: 'rag-a', handler: 'x.y' })]);
    expect(() => app.synth()).toThrow(/step "rag-a" \(rag\/a, other\/a\): actor names must be unique per transport across the app \(queue asya-rag-a on rabbitmq is not namespaced/);
  });

  test('no route at all', () => {
    const { app } = pipeline();
    expect(() => app.synth()).toThrow('rag: routes (0) must hold at least one route');
  });

  test('no crew for the transport, or two', () => {
    const app = Testing.app();
    const { p, step } = pipeline({}, app, false);
    p.addRoute('main', [step('a')]);
    expect(() => app.synth()).toThrow('rag: transport rabbitmq has no crew: add one AsyaCrew for it to the app (once per cluster), or set existingCrew: true');
    const app2 = Testing.app();
    const c2 = new Chart(app2, 'system2', { namespace: 'asya-system2' });
    new AsyaCrew(c2, 'crew', { transport: rabbit, storage: ResultStorage.none() });
    const { p: p2, step: s2 } = pipeline({}, app2);
    p2.addRoute('main', [s2('a')]);
    // App-wide now (core/registry): reported once, naming the crews.
    expect(() => app2.synth()).toThrow('transport rabbitmq has 2 crews (system2/crew, system/crew): queue names are not namespaced, so there must be exactly one per cluster');
  });

  test('existingCrew skips the crew check', () => {
    const app = Testing.app();
    const { p, step } = pipeline({ existingCrew: true }, app, false);
    p.addRoute('main', [step('a')]);
    expect(() => app.synth()).not.toThrow();
  });

  test('a tool naming no route', () => {
    const { app, p, step } = pipeline({ tools: [{ name: 'ask', description: 'x', route: 'nope' }] });
    p.addRoute('main', [step('a')]);
    expect(() => app.synth()).toThrow('rag: tools[0].route ("nope") names no route of the pipeline (routes: main)');
  });

  test('a bad pipeline name', () => {
    expect(() => new AsyncPipeline(Testing.app(), 'Rag')).toThrow('Rag: name (from the chart id) ("Rag") must be a DNS-1123 label');
  });
});

describe('ArgoCdApplication', () => {
  test('syncs the pipeline file with server-side apply', () => {
    const { app, p, step } = pipeline({ argoSyncWaves: true });
    p.addRoute('main', [step('a')]);
    const gitops = new Chart(app, 'gitops');
    new ArgoCdApplication(gitops, 'rag-app', { pipeline: p, repoUrl: 'https://github.com/acme/platform.git', path: 'deploy/pipelines/' });
    const application = one(synthValid(gitops), 'Application', 'rag');
    expect(application.metadata.namespace).toBe('argocd');
    expect(application.spec.source).toEqual({
      repoURL: 'https://github.com/acme/platform.git', path: 'deploy/pipelines', targetRevision: 'main', directory: { include: 'rag.k8s.yaml' },
    });
    expect(application.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'rag' });
    expect(application.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
      retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '180s' } },
    });
    // GIT-4: no KEDA-scaled object in the file, so nothing is ignored (not every Deployment).
    expect(application.spec.ignoreDifferences).toBeUndefined();
  });

  test('rejects a bad repository URL and an absolute path', () => {
    const { app, p } = pipeline();
    const gitops = new Chart(app, 'gitops');
    expect(() => new ArgoCdApplication(gitops, 'a', { pipeline: p, repoUrl: 'github.com/acme' })).toThrow('gitops/a: repoUrl ("github.com/acme") must be an https://, ssh:// or git@ repository URL');
    expect(() => new ArgoCdApplication(gitops, 'b', { pipeline: p, repoUrl: 'https://x/y.git', path: '/abs' })).toThrow('path ("/abs") must be a relative path inside the repository');
  });
});

describe('AsyncPipeline: shared models', () => {
  // SCL-2: KEDA admits one ScaledObject per target and takes the max of its triggers, activating on any
  // (kedacore/keda pkg/scaling/scale_handler.go @ v2.20.2): both tenants' queues wake the shared model.
  test('two pipelines binding the same model share its one ScaledObject, one trigger each', () => {
    const app = Testing.app();
    withCrew(app);
    const shared = new Chart(app, 'models', { namespace: 'models' });
    const llm = new OpenAIModel(shared, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } } });
    const t = Transport.rabbitmq({ brokerNamespace: 'asya-system', managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672' });
    for (const tenant of ['a', 'b']) {
      const p = new AsyncPipeline(app, tenant, { namespace: tenant });
      p.addRoute('ask', [new AsyncModel(p, `${tenant}-ask`, { backend: llm, transport: t })]);
    }
    expect(() => app.synth()).not.toThrow();
    const so = one(synthValid(shared), 'ScaledObject', 'llm-scaler');
    expect(so.spec.triggers.map((x: any) => x.metadata.queueName)).toEqual(['asya-a-ask', 'asya-b-ask']);
  });
});

describe('AsyncPipeline: observability', () => {
  test('PodMonitors for actors and for bound models with metrics, labelled with the pipeline', () => {
    const { p } = pipeline({ podMonitor: true, monitoringNamespace: 'monitoring' });
    const llm = new OpenAIModel(p, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } } });
    p.addRoute('ask', [new AsyncModel(p, 'rag-ask', { backend: llm, transport: rabbit })]);
    const manifests = synthValid(p);
    const model = one(manifests, 'PodMonitor', 'rag-llm');
    expect(model.spec.selector).toEqual({ matchLabels: llm.podSelector });
    expect(model.spec.podMetricsEndpoints[0]).toMatchObject({ port: llm.metrics!.portName, relabelings: [{ targetLabel: 'asya_pipeline', replacement: 'rag' }] });
    expect(one(manifests, 'PodMonitor', 'rag-actors').spec.selector.matchExpressions[0].values).toEqual(['rag-ask']);
  });
});

describe('AsyncPipeline: KEDA metrics', () => {
  test('a ServiceMonitor on KEDA keeps this pipeline\'s ScaledObjects and labels them', () => {
    const { p, step } = pipeline({ podMonitor: true, monitoringNamespace: 'monitoring', kedaNamespace: 'keda-system' });
    const llm = new OpenAIModel(p, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } } });
    p.addRoute('ask', [step('prep'), new AsyncModel(p, 'rag-ask', { backend: llm, transport: rabbit })]);
    const sm = one(synthValid(p), 'ServiceMonitor', 'rag-keda');
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['keda-system'] });
    expect(sm.spec.endpoints[0].metricRelabelings).toEqual([
      { action: 'keep', sourceLabels: ['scaledObject'], regex: '(llm-scaler|rag-ask|rag-prep)' },
      { action: 'replace', targetLabel: 'asya_pipeline', replacement: 'rag' },
    ]);
  });
});

describe('AsyncPipeline: one-way synthesis', () => {
  // Every object exists once the app is built (cdk8s validates the tree before rendering it): the
  // gateway ConfigMap with the first route, the monitors with the first own step; their content is Lazy.
  test('cross-step objects are created while building, their content follows later routes', () => {
    const { app, p, step } = pipeline({ tools: [{ name: 'ask', description: 'x', route: 'a' }], monitoringNamespace: 'monitoring', podMonitor: true });
    const a = step('a');
    const kinds = () => p.node.findAll().filter((c) => c instanceof ApiObject && c.node.scope === p).map((c) => (c as ApiObject).kind).sort();
    expect(kinds()).toEqual([]);
    p.addRoute('a', [a]);
    expect(kinds()).toEqual(['ConfigMap', 'PodMonitor', 'ServiceMonitor']);
    // A route added after the objects exist is still rendered into them.
    const b = step('b');
    p.addRoute('b', [b]);
    expect(kinds()).toEqual(['ConfigMap', 'PodMonitor', 'ServiceMonitor']);
    const manifests = synthValid(p);
    expect(one(manifests, 'PodMonitor', 'rag-actors').spec.selector.matchExpressions[0].values).toEqual(['rag-a', 'rag-b']);
    expect(one(manifests, 'ConfigMap', 'rag-gateway-tools').data['rag.yaml']).toContain('  b:\n    - rag-b\n');
    expect(one(manifests, 'NetworkPolicy', 'rag-b-network').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    // Rendering adds nothing: a second synth of the app gives the same objects.
    const before = p.node.findAll().length;
    app.synthYaml();
    expect(p.node.findAll().length).toBe(before);
  });

  test('a bad tool fails in the constructor', () => {
    expect(() => pipeline({ tools: [{ name: 'a b', description: 'x', route: 'main' }] })).toThrow('rag: tools[0].name ("a b") must be letters, digits, "_" and "-"');
    expect(() => pipeline({ tools: [{ name: 'a', description: 'x', route: 'main', parameters: [{ name: 'p', type: ToolParameterType.STRING, defaultJson: '{' }] }] }))
      .toThrow('rag: tools[0].parameters[0].defaultJson ("{") must be valid JSON');
  });

  // The gateway parses its config with gopkg.in/yaml.v3 v3.0.1, which refuses the escape of a lone surrogate
  // (scannerc.go:2573-2575) and then stops for every pipeline (deliveryhero/asya loader.go:62-65 @ v0.1.1).
  test('tool text with half of a surrogate pair fails in the constructor, naming the field', () => {
    const rule = 'must be well-formed Unicode text (it has half of a surrogate pair, which the gateway\'s YAML parser refuses)';
    expect(() => pipeline({ tools: [{ name: 'a', description: 'smile \ud83d', route: 'main' }] }))
      .toThrow(`rag: tools[0].description ("smile \\ud83d") ${rule}`);
    const param = (p: any) => pipeline({ tools: [{ name: 'a', description: 'x', route: 'main', parameters: [{ name: 'p', type: ToolParameterType.STRING, ...p }] }] });
    expect(() => param({ defaultJson: '{"k":["\\udc00"]}' })).toThrow(`rag: tools[0].parameters[0].defaultJson.k[0] ("\\udc00") ${rule}`);
    expect(() => param({ options: ['ok', '\ud800'] })).toThrow(`rag: tools[0].parameters[0].options[1] ("\\ud800") ${rule}`);
    expect(() => param({ description: 'emoji \ud83d\ude00' })).not.toThrow();
  });
});

describe('AsyncPipeline diagram', () => {
  test('one colour and label per route, a legend, and each model behind its bridges drawn once', () => {
    const { p, step } = pipeline({}, Testing.app(), true);
    const llm = new OpenAIModel(p, 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'), resources: { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } } });
    const fast = new AsyncModel(p, 'rag-fast', { backend: llm, transport: rabbit, modelScaling: { minReplicas: 1 } });
    const slow = new AsyncModel(p, 'rag-slow', { backend: llm, transport: rabbit, modelScaling: { minReplicas: 1 } });
    const embed = step('embed');
    p.addRoute('ask', [embed, fast]);
    p.addRoute('think', [embed, slow]);
    const mermaid = p.toMermaid();
    // The shared step leaves towards each route's next step with that route's label.
    expect(mermaid).toContain('rag_embed -->|ask| rag_fast');
    expect(mermaid).toContain('rag_embed -->|think| rag_slow');
    // Each route has its own colour (linkStyle by link index) and a coloured start node.
    expect(mermaid).toContain('style route_ask fill:#0072B2');
    expect(mermaid).toContain('style route_think fill:#E69F00');
    // One model node, two HTTP edges.
    expect(mermaid.match(/model_rag_llm\[\(/g)).toHaveLength(1);
    expect(mermaid).toContain('rag_fast -. HTTP .-> model_rag_llm');
    expect(mermaid).toContain('rag_slow -. HTTP .-> model_rag_llm');
    // linkStyle indexes point at the right links: the n-th link line is the one styled with its route colour.
    const links = mermaid.split('\n').filter((l) => / -->\||-\. /.test(l));
    const styled = [...mermaid.matchAll(/linkStyle ([\d,]+) stroke:(#[0-9A-Fa-f]+)/g)];
    expect(styled.map((m) => m[2]).sort()).toEqual(['#0072B2', '#888', '#E69F00']);
    for (const m of styled) {
      for (const i of m[1].split(',').map(Number)) {
        expect(links[i]).toContain(m[2] === '#0072B2' ? '|ask|' : m[2] === '#E69F00' ? '|think|' : 'HTTP');
      }
    }
    expect(styled.flatMap((m) => m[1].split(',')).length).toBe(links.filter((l) => !l.includes('added at run time')).length);
    const md = p.toMarkdown();
    expect(md).toContain('## Legend');
    expect(md).toContain('| blue | `ask` | `rag-embed` → `rag-fast` → `happy-end` |');
    expect(md).toContain('| orange | `think` | `rag-embed` → `rag-slow` → `happy-end` |');
  });
});

describe('Argo CD sync waves', () => {
  test('every kind with a pinned schema has a wave (or an explicit null): a new kind cannot silently fall into wave 0', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SYNC_WAVE } = require('../../src/pipeline/async-pipeline');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const index = require('../../schemas/index.json');
    const missing = Object.keys(index)
      .map((gvk) => { const parts = gvk.split('/'); return `${parts.length === 3 ? parts[0] : ''}/${parts[parts.length - 1]}`; })
      .filter((gk) => !(gk in SYNC_WAVE));
    expect(missing).toEqual([]);
  });
});
