import { createHash } from 'crypto';
import { App, Chart } from 'cdk8s';
import {
  AsyaCrew, AsyaNamespace, AsyncActor, AsyncModel, AsyncPipeline, Chain, ImagePolicy, KServeAutoscalerClass, KServeLocalModelCache, KServeModel, ModelProtocol,
  ModelSource, OpenAIModel, ResultStorage, Transport,
} from '../../src';

/** Every image this app emits, as the library references it (before mirroring). */
const IMAGES = [
  'ghcr.io/deliveryhero/asya-sidecar:0.1.1',
  'ghcr.io/deliveryhero/asya-crew:0.1.1',
  'python:3.12.7-slim-bookworm',
  'vllm/vllm-openai:v0.10.2',
  'registry.corp.internal/models/qwen2.5-0.5b-instruct:1',
  'registry.corp.internal/ai/rag-steps:0.3.1',
];

/**
 * Stand-in digests so the example is self-contained and synthesizes offline. A real platform keeps the
 * mirror's digests in a lock file (`crane digest registry.corp.internal/...`) and passes that map instead.
 */
function lockFile(images: string[]): { [image: string]: string } {
  return Object.fromEntries(images.map((i) => [i, `sha256:${createHash('sha256').update(i).digest('hex')}`]));
}

/**
 * The air-gapped variant of the RAG pipeline: every image comes from the private registry pinned by
 * digest (ImagePolicy with requireDigests), model weights come from OCI images (a KServe modelcar and a
 * vLLM model image), so nothing in the YAML names a public registry or a model hub.
 */
export function buildAirGapped(outdir?: string): App {
  const app = new App({ outdir });
  ImagePolicy.apply(app, {
    registryMirrors: { 'ghcr.io': 'registry.corp.internal/ghcr', 'docker.io': 'registry.corp.internal/dockerhub' },
    digests: lockFile(IMAGES),
    requireDigests: true,
  });
  const transport = Transport.rabbitmq({ host: 'rabbitmq.asya-system.svc.cluster.local', brokerNamespace: 'asya-system' });

  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', {
    transport,
    storage: ResultStorage.minio({ bucket: 'results', endpoint: 'http://minio.asya-system.svc.cluster.local:9000', credentialsSecret: 'minio-credentials' }),
  });

  // The embedding model is pre-fetched from the private registry to the GPU nodes' disks.
  const cluster = new Chart(app, 'model-cache');
  const cache = new KServeLocalModelCache(cluster, 'bge-small', {
    sourceModelUri: 'oci://registry.corp.internal/models/bge-small-en-v1.5:1',
    modelSize: '1Gi',
    nodeGroups: ['inference-nodes'],
  });

  const p = new AsyncPipeline(app, 'offline-rag', { namespace: 'offline-rag', argoSyncWaves: true });
  new AsyaNamespace(p, 'offline-rag');
  const embedder = new KServeModel(p, 'embedder', {
    modelFormat: { name: 'huggingface' },
    storageUri: cache.sourceModelUri,
    args: ['--task=text_embedding'],
    openAIProtocol: ModelProtocol.OPENAI_EMBEDDINGS,
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } },
    autoscalerClass: KServeAutoscalerClass.EXTERNAL,
    minReplicas: 0,
  });
  const llm = new OpenAIModel(p, 'llm', {
    model: ModelSource.ociImage('registry.corp.internal/models/qwen2.5-0.5b-instruct:1'),
    resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
  });
  const embed = new AsyncModel(p, 'offline-embed', { backend: embedder, transport, outputKey: 'embedding' });
  const retrieve = new AsyncActor(p, 'offline-retrieve', {
    transport,
    handler: 'rag.retrieve.top_k',
    image: 'registry.corp.internal/ai/rag-steps:0.3.1',
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
  });
  const answer = new AsyncModel(p, 'offline-answer', { backend: llm, transport, outputKey: 'answer' });
  p.addRoute('ask', Chain.start(embed).next(retrieve).next(answer).steps);
  return app;
}
