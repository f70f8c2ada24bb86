import { Duration } from 'cdk8s';
import {
  BentoModel, KaitoModel, KServeModel, LlmdModel, ModelSource, MosecModel, OpenAIModel, RayServeModel, TritonModel, TritonModelRepository,
} from '../../src';
import { PropError } from '../../src/core/errors';
import { LLMD_GATEWAY, testChart } from '../util';

// Issue 17 item 1 (one boundary): backend props from untyped callers (plain JavaScript, Python through
// jsii) fail with the library's PropError, never a TypeError or schema-invalid output. Each case was a
// TypeError or an invalid object before (found by test/property/untyped-backends.test.ts's approach).
function propError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const CPU = { cpu: { request: '500m', limit: '1' }, memory: { request: '512Mi', limit: '1Gi' } };
const GPU = { cpu: { limit: '4' }, memory: { limit: '16Gi' }, gpu: { count: 1 } };
const BOOL = 'must be true or false (a boolean, not a string or number)';

const openai = (x: any) => () => new OpenAIModel(testChart('ai'), 'llm', { model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: CPU, ...x });
const kserve = (x: any) => () => new KServeModel(testChart('ai'), 'ks', { modelFormat: { name: 'sklearn' }, storageUri: 's3://models/iris', resources: CPU, ...x });
const llmd = (x: any) => () => new LlmdModel(testChart('ai'), 'llm', {
  model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'),
  resources: GPU,
  ...LLMD_GATEWAY,
  ...x,
});
const kaito = (x: any) => () => new KaitoModel(testChart('ai'), 'llm', { preset: 'phi-4', instanceType: 'Standard_NC24ads_A100_v4', ...x });
const ray = (x: any) => () => new RayServeModel(testChart('ai'), 'ray', {
  image: 'rayproject/ray:2.46.0-py311', applications: [{ name: 'app', importPath: 'serve_app:app' }], head: { resources: CPU }, ...x,
});
const bento = (x: any) => () => new BentoModel(testChart('ai'), 'bento', { bento: 'summarizer', apiMethod: 'summarize', resources: CPU, ...x });
const mosec = (x: any) => () => new MosecModel(testChart('ai'), 'mosec', { image: 'ghcr.io/acme/mosec-app:1.0.0', resources: CPU, ...x });
const triton = (x: any) => () => new TritonModel(testChart('ai'), 'triton', { modelName: 'resnet', repository: TritonModelRepository.uri('s3://models/triton'), resources: CPU, ...x });

test.each([
  // shared by the model servers (core/pod.ts, core/resources.ts, backends/server-workload.ts)
  ['OpenAIModel startupTimeout 0', openai({ startupTimeout: 0 }), 'test/llm: startupTimeout (0) must be a Duration (e.g. Duration.seconds(30))'],
  ['TritonModel startupTimeout 5.5s', triton({ startupTimeout: Duration.millis(5500) }), 'test/triton: startupTimeout ("5.5s") must be a whole number of seconds of at least 10 (and within int32)'],
  ['OpenAIModel serverArgs a string', openai({ serverArgs: '--max-model-len=4096' }), 'test/llm: serverArgs ("--max-model-len=4096") must be a list'],
  ['OpenAIModel serverArgs [1]', openai({ serverArgs: [1] }), 'test/llm: serverArgs[0] (1) must be a string'],
  ['OpenAIModel resources null', openai({ resources: null }), 'test/llm: resources (null) must be an object of ResourceRequirements (e.g. { cpu: { limit: "1" }, memory: { limit: "1Gi" } })'],
  ['MosecModel resources a string', mosec({ resources: '1' }), 'test/mosec: resources ("1") must be an object of ResourceRequirements (e.g. { cpu: { limit: "1" }, memory: { limit: "1Gi" } })'],
  ['TritonModel resources with an unknown key', triton({ resources: { gpus: 1 } }), 'test/triton: resources.gpus (1) is not a resource: use cpu, memory, ephemeralStorage or gpu'],
  ['OpenAIModel resources.cpu a string', openai({ resources: { cpu: '1' } }), 'test/llm: resources.cpu ("1") must be an object with request and/or limit'],
  ['LlmdModel eppResources 0', llmd({ eppResources: 0 }), 'test/llm: eppResources (0) must be an object of ResourceRequirements (e.g. { cpu: { limit: "1" }, memory: { limit: "1Gi" } })'],
  ['OpenAIModel podAnnotations a list', openai({ podAnnotations: [1] }), 'test/llm: podAnnotations ([1]) must be an object'],
  ['LlmdModel routeTimeout 300', llmd({ routeTimeout: 300 }), 'test/llm: routeTimeout (300) must be a Duration (e.g. Duration.seconds(30))'],
  // KServeModel
  ['KServeModel modelFormat null', kserve({ modelFormat: null }), 'test/ks: modelFormat (null) must be an object ({ name, version })'],
  ['KServeModel runtime -1', kserve({ runtime: -1 }), 'test/ks: runtime (-1) must be a string'],
  ['KServeModel serviceAccountName -1', kserve({ serviceAccountName: -1 }), 'test/ks: serviceAccountName (-1) must be a ServiceAccount name (DNS-1123 subdomain)'],
  ['KServeModel env -1', kserve({ env: -1 }), 'test/ks: env (-1) must be an object'],
  ['KServeModel labels a string', kserve({ labels: ' ' }), 'test/ks: labels (" ") must be an object'],
  ['KServeModel nodeSelector a list', kserve({ nodeSelector: [1] }), 'test/ks: nodeSelector ([1]) must be an object'],
  ['KServeModel args [1]', kserve({ args: [1] }), 'test/ks: args[0] (1) must be a string'],
  ['KServeModel tolerations 0', kserve({ tolerations: 0 }), 'test/ks: tolerations (0) must be a list'],
  ['KServeModel tolerations [{ key: 5 }]', kserve({ tolerations: [{ key: 5 }] }), 'test/ks: tolerations[0].key (5) must be a string'],
  // BentoModel
  ['BentoModel tolerations 0', bento({ tolerations: 0 }), 'test/bento: tolerations (0) must be a list'],
  ['BentoModel serviceAccountName null', bento({ serviceAccountName: null }), 'test/bento: serviceAccountName (null) must be a ServiceAccount name (DNS-1123 subdomain)'],
  // KaitoModel
  ['KaitoModel adapters 0', kaito({ adapters: 0 }), 'test/llm: adapters (0) must be a list'],
  ['KaitoModel modelAccessSecret null', kaito({ modelAccessSecret: null }), 'test/llm: modelAccessSecret (null) must be a Secret name (DNS-1123 subdomain)'],
  ['KaitoModel preferredNodes [1]', kaito({ preferredNodes: [1] }), 'test/llm: preferredNodes[0] (1) must be a string'],
  ['KaitoModel scalable null', kaito({ scalable: null }), 'test/llm: scalable (null) must be an object (e.g. { replicas: 2 })'],
  // RayServeModel
  ['RayServeModel head null', ray({ head: null }), 'test/ray: head (null) must be set'],
  ['RayServeModel head a string', ray({ head: 'big' }), 'test/ray: head ("big") must be an object'],
  ['RayServeModel workerGroups 0', ray({ workerGroups: 0 }), 'test/ray: workerGroups (0) must be a list'],
  ['RayServeModel enableInTreeAutoscaling 0', ray({ enableInTreeAutoscaling: 0 }), `test/ray: enableInTreeAutoscaling (0) ${BOOL}`],
  ['RayServeModel labels a string', ray({ labels: ' ' }), 'test/ray: labels (" ") must be an object'],
])('%s', (_t, build, message) => {
  expect(propError(build)).toBe(message);
});
