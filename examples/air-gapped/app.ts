import { createHash } from 'crypto';
import { App, Chart } from 'cdk8s';
import {
  AsyaCrew, AsyaNamespace, AsyncActor, AsyncModel, AsyncPipeline, Chain, EnvValue, ImagePolicy, KServeAutoscalerClass, KServeModel, ModelProtocol,
  ModelSource, OpenAIModel, ResultStorage, Transport,
} from '../../src';

/** Every image this app emits, as the library references it (before mirroring). */
const IMAGES = [
  'ghcr.io/deliveryhero/asya-sidecar:0.1.1',
  'ghcr.io/deliveryhero/asya-crew:0.1.1',
  'python:3.12.7-slim-bookworm',
  'vllm/vllm-openai:v0.10.2',
  'kserve/huggingfaceserver:v0.20.0',
  'registry.corp.internal/models/qwen2.5-0.5b-instruct:1',
  'registry.corp.internal/ai/rag-steps:0.3.1',
  'registry.corp.internal/models/bge-small-en-v1.5:1', // the embedder's modelcar (oci:// storageUri)
];

/**
 * Stand-in digests so the example is self-contained and synthesizes offline. A real platform keeps the
 * mirror's digests in a lock file (`crane digest registry.corp.internal/...`) and passes that map instead.
 */
function lockFile(images: string[]): { [image: string]: string } {
  return Object.fromEntries(images.map((i) => [i, `sha256:${createHash('sha256').update(i).digest('hex')}`]));
}

/** Hugging Face libraries read these and never call the Hub (huggingface_hub `constants.py`, transformers `utils/hub.py`). */
const OFFLINE = {
  HF_HUB_OFFLINE: EnvValue.fromValue('1'),
  TRANSFORMERS_OFFLINE: EnvValue.fromValue('1'),
  // vLLM reports usage statistics to its stats server unless told not to (vLLM docs, "Usage Stats Collection").
  VLLM_NO_USAGE_STATS: EnvValue.fromValue('1'),
  DO_NOT_TRACK: EnvValue.fromValue('1'),
};

/**
 * The air-gapped variant of the RAG pipeline: every image comes from the private registry pinned by
 * digest (ImagePolicy with requireDigests), model weights come from OCI images (a KServe modelcar and a
 * vLLM model image), so nothing in the YAML names a public registry or a model hub, and nothing pulls
 * from one at run time, by what the pinned versions read:
 *
 * - the embedder: KServe v0.20 runs an `oci://` storageUri as a modelcar (`enableModelcar: true` in its
 *   shipped config) pulled from the private registry, and the runtime image is the predictor's `image`
 *   (KServe merges it over the ClusterServingRuntime's). Not a KServeLocalModelCache: its download job
 *   runs the storage initializer, which has no `oci://` branch (KSV-3);
 * - the LLM: the vLLM image and the model image, mirrored; vLLM loads `/models` from disk;
 * - both servers get `HF_HUB_OFFLINE=1`, so no library falls back to the Hub.
 *
 * What the YAML cannot say (platform install, see docs/limitations.md): KServe's own images
 * (controller, modelcar helper) and the Asya operator's images come from their Helm values, mirrored the
 * same way. A KAITO model would need `KaitoModel.localWeights` (weights baked on the node) and the KAITO
 * chart value `presetRegistryName` pointing at the mirror: KAITO v0.12 ignores `presetImage`.
 */
export function buildAirGapped(outdir?: string): App {
  const app = new App({ outdir });
  ImagePolicy.apply(app, {
    registryMirrors: { 'ghcr.io': 'registry.corp.internal/ghcr', 'docker.io': 'registry.corp.internal/dockerhub' },
    digests: lockFile(IMAGES),
    requireDigests: true,
  });
  // Queue depth over the management API (ready + unacknowledged): the embedder scales to zero (SCL-1).
  const transport = Transport.rabbitmq({
    host: 'rabbitmq.asya-system.svc.cluster.local',
    brokerNamespace: 'asya-system',
    managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
  });

  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaCrew(system, 'crew', {
    transport,
    storage: ResultStorage.minio({ bucket: 'results', endpoint: 'http://minio.asya-system.svc.cluster.local:9000', credentialsSecret: 'minio-credentials' }),
  });

  const p = new AsyncPipeline(app, 'offline-rag', { namespace: 'offline-rag', argoSyncWaves: true });
  new AsyaNamespace(p, 'offline-rag');
  const embedder = new KServeModel(p, 'embedder', {
    modelFormat: { name: 'huggingface' },
    image: 'kserve/huggingfaceserver:v0.20.0',
    storageUri: 'oci://registry.corp.internal/models/bge-small-en-v1.5:1',
    args: ['--backend=huggingface', '--task=text_embedding'], // vLLM would be picked by default (kserve huggingfaceserver __main__.py @ v0.20.0)
    env: OFFLINE,
    openAIProtocol: ModelProtocol.OPENAI_EMBEDDINGS,
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } },
    autoscalerClass: KServeAutoscalerClass.EXTERNAL,
    minReplicas: 0,
    // The predictor's range is the queue scaler's (SCL-4): up to 3 embedders under load.
    maxReplicas: 3,
  });
  const llm = new OpenAIModel(p, 'llm', {
    model: ModelSource.ociImage('registry.corp.internal/models/qwen2.5-0.5b-instruct:1'),
    env: OFFLINE,
    resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, gpu: { count: 1 } },
  });
  const embed = new AsyncModel(p, 'offline-embed', { backend: embedder, transport, outputKey: 'embedding' });
  const retrieve = new AsyncActor(p, 'offline-retrieve', {
    transport,
    handler: 'rag.retrieve.top_k',
    image: 'registry.corp.internal/ai/rag-steps:0.3.1',
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
    // The vector store it reads (as in the rag example): the one flow besides DNS and the broker (FLOWS.md).
    egress: [{ namespace: 'vector', podSelector: { 'app.kubernetes.io/name': 'qdrant' }, ports: [6333] }],
  });
  const answer = new AsyncModel(p, 'offline-answer', { backend: llm, transport, outputKey: 'answer' });
  p.addRoute('ask', Chain.start(embed).next(retrieve).next(answer).steps);
  return app;
}
