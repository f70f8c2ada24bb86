import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { ArgoCdApplication, AsyncActor, AsyncPipeline, FluxKustomization, ToolParameterType, Transport } from '../../src';
import { PropError } from '../../src/core/errors';
import { SMALL_RESOURCES } from '../util';

// Issue 17 item 1 (one boundary): untyped props of AsyncPipeline, ArgoCdApplication and
// FluxKustomization fail with the library's PropError (construct path, prop path, value, rule).
function propError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const NS_RULE = 'must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)';
const BOOL_RULE = 'must be true or false (a boolean, not a string or number)';

describe('AsyncPipeline with untyped props', () => {
  const tool = (over: any) => ({ tools: [{ name: 'ask', description: 'Ask', route: 'ask', ...over }] });
  test.each([
    ['crossNamespaceGrants a string', { crossNamespaceGrants: 'models' }, 'crossNamespaceGrants ("models") must be a list'],
    ['a bad grant', { crossNamespaceGrants: ['Models'] }, `crossNamespaceGrants[0] ("Models") ${NS_RULE}`],
    ['existingCrew "false"', { existingCrew: 'false' }, `existingCrew ("false") ${BOOL_RULE}`],
    ['argoSyncWaves 1', { argoSyncWaves: 1 }, `argoSyncWaves (1) ${BOOL_RULE}`],
    ['a bad monitoringNamespace', { monitoringNamespace: 'Mon' }, `monitoringNamespace ("Mon") ${NS_RULE}`],
    ['a bad kedaNamespace', { kedaNamespace: 7 }, `kedaNamespace (7) ${NS_RULE}`],
    // TypeError: Cannot read properties of null (reading 'length'), found by test/property/untyped-boundary.test.ts
    ['monitorLabels a list', { monitorLabels: [null] }, 'monitorLabels ([null]) must be an object'],
    ['dynamicSteps an object', { dynamicSteps: {} }, 'dynamicSteps ({}) must be a list'],
    ['routes a string', { routes: 'ask' }, 'routes ("ask") must be a list'],
    ['a route not an object', { routes: ['ask'] }, 'routes[0] ("ask") must be an object'],
    ['tools an object', { tools: { name: 'ask' } }, 'tools ({"name":"ask"}) must be a list'],
    ['a tool without description', tool({ description: undefined }), 'tools[0].description (unset) must be a string'],
    ['a tool route number', tool({ route: 1 }), 'tools[0].route (1) must be a string (a route name of the pipeline)'],
    ['tool progress "yes"', tool({ progress: 'yes' }), `tools[0].progress ("yes") ${BOOL_RULE}`],
    ['tool timeoutSeconds beyond int32', tool({ timeoutSeconds: 2 ** 31 }), 'tools[0].timeoutSeconds (2147483648) must be between 1 and 2147483647'],
    ['tool parameters a string', tool({ parameters: 'q' }), 'tools[0].parameters ("q") must be a list'],
    ['a parameter name number', tool({ parameters: [{ name: 1, type: ToolParameterType.STRING }] }), 'tools[0].parameters[0].name (1) must be a non-empty string'],
    ['a parameter declared twice', tool({ parameters: [{ name: 'q', type: ToolParameterType.STRING }, { name: 'q', type: ToolParameterType.STRING }] }),
      'tools[0].parameters[1].name ("q") is declared twice'],
    ['a parameter named constructor is not "declared twice"', tool({ parameters: [{ name: 'constructor', type: 'nope' }] }),
      `tools[0].parameters[0].type ("nope") must be one of ${Object.values(ToolParameterType).join(', ')}`],
    ['parameter options not strings', tool({ parameters: [{ name: 'q', type: ToolParameterType.STRING, options: [1] }] }), 'tools[0].parameters[0].options[0] (1) must be a string'],
    ['parameter required "true"', tool({ parameters: [{ name: 'q', type: ToolParameterType.STRING, required: 'true' }] }), `tools[0].parameters[0].required ("true") ${BOOL_RULE}`],
  ])('%s', (_t, props, message) => {
    expect(propError(() => new AsyncPipeline(Testing.app(), 'rag', { namespace: 'rag', ...props } as any))).toBe(`rag: ${message}`);
  });

  test('AsyncActor networkPolicy "" (synthesized no NetworkPolicy) is refused', () => {
    const p = new AsyncPipeline(Testing.app(), 'rag', { namespace: 'rag' });
    expect(propError(() => new AsyncActor(p, 'embed', { transport: Transport.rabbitmq(), image: 'ghcr.io/acme/steps:1.0.0', handler: 'steps.run', resources: SMALL_RESOURCES, networkPolicy: '' as any })))
      .toBe(`rag/embed: networkPolicy ("") ${BOOL_RULE}`);
  });

  test('a route whose steps are not a list', () => {
    const p = new AsyncPipeline(Testing.app(), 'rag', { namespace: 'rag' });
    expect(propError(() => p.addRoute('ask', 'embed' as any))).toBe('rag: routes["ask"] ("embed") must be a list of async steps');
  });
});

function pipelineApp(): { app: App; gitops: Chart; p: AsyncPipeline } {
  const app = new App({ outdir: Testing.app().outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
  const p = new AsyncPipeline(app, 'rag', { namespace: 'rag', existingCrew: true });
  const a = new AsyncActor(p, 'embed', { transport: Transport.rabbitmq(), image: 'ghcr.io/acme/steps:1.0.0', handler: 'steps.run', resources: SMALL_RESOURCES });
  p.addRoute('ask', [a]);
  return { app, gitops: new Chart(app, 'gitops'), p };
}

describe('ArgoCdApplication with untyped props', () => {
  test.each([
    ['repoUrl a number', { repoUrl: 5 }, 'repoUrl (5) must be an https://, ssh:// or git@ repository URL'],
    ['path a number', { path: 5 }, 'path (5) must be a string'],
    ['targetRevision a list', { targetRevision: ['main'] }, 'targetRevision (["main"]) must be a string'],
    ['a bad argoNamespace', { argoNamespace: 'Argo CD' }, `argoNamespace ("Argo CD") ${NS_RULE}`],
    ['automated "false"', { automated: 'false' }, `automated ("false") ${BOOL_RULE}`],
    ['resourcesFinalizer 1', { resourcesFinalizer: 1 }, `resourcesFinalizer (1) ${BOOL_RULE}`],
    ['retry.backoffDuration a number', { retry: { backoffDuration: 5 } }, 'retry.backoffDuration (5) must be a Duration (e.g. Duration.seconds(30))'],
  ])('%s', (_t, props, message) => {
    const { gitops, p } = pipelineApp();
    expect(propError(() => new ArgoCdApplication(gitops, 'argo', { pipeline: p, repoUrl: 'https://github.com/acme/platform.git', ...props } as any)))
      .toBe(`gitops/argo: ${message}`);
  });

  test('a missing pipeline', () => {
    const { gitops } = pipelineApp();
    expect(propError(() => new ArgoCdApplication(gitops, 'argo', { repoUrl: 'https://github.com/acme/platform.git' } as any)))
      .toBe('gitops/argo: pipeline (unset) must be an AsyncPipeline');
  });
});

describe('FluxKustomization with untyped props', () => {
  test.each([
    ['a bad sourceNamespace', { sourceNamespace: 'Flux' }, `sourceNamespace ("Flux") ${NS_RULE}`],
    ['a bad fluxNamespace', { fluxNamespace: 3 }, `fluxNamespace (3) ${NS_RULE}`],
    ['serviceAccountName a number', { serviceAccountName: 1 }, 'serviceAccountName (1) must be the name of a ServiceAccount (a DNS-1123 subdomain)'],
    ['dependsOn not a list', { dependsOn: 'infra' }, 'dependsOn ("infra") must be a list'],
    ['dependsOn a plain object', { dependsOn: [{ name: 'infra' }] }, 'dependsOn[0] ({"name":"infra"}) must be a FluxKustomization'],
  ])('%s', (_t, props, message) => {
    const { gitops, p } = pipelineApp();
    expect(propError(() => new FluxKustomization(gitops, 'flux', { pipeline: p, sourceName: 'platform', ...props } as any))).toBe(`gitops/flux: ${message}`);
  });
});
