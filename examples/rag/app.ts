import { App, Chart, Duration } from 'cdk8s';
import {
  ArgoCdApplication, AsyaCrew, AsyaNamespace, AsyncActor, AsyncModel, AsyncPipeline, Chain, EnvValue, KaitoModel, KServeAutoscalerClass,
  KServeModel, ModelProtocol, ResultStorage, ToolParameterType, Transport,
} from '../../src';

/**
 * The seed's RAG use case: text -> embeddings (KServe) -> vector store writer, and question -> embeddings ->
 * retrieval -> LLM answer (KAITO). Two routes share the embedding step; both models are bound into the
 * mesh and scale on their bridge queues; the pipeline is exposed to the Asya gateway as two tools.
 */
export function buildRag(outdir?: string): App {
  const app = new App({ outdir });
  const transport = Transport.rabbitmq({
    host: 'rabbitmq.asya-system.svc.cluster.local',
    // Queue depth over the management API (ready + unacknowledged): bound models may scale to zero (SCL-1).
    managementUrl: 'http://rabbitmq.asya-system.svc.cluster.local:15672',
    brokerNamespace: 'asya-system',
    brokerPodSelector: { 'app.kubernetes.io/name': 'rabbitmq' },
    // The operator points every sidecar at the gateway (progress reports): every actor may reach its pods.
    gateway: { namespace: 'asya-system' },
  });

  // Cluster-wide: one crew per transport.
  const system = new Chart(app, 'asya-system', { namespace: 'asya-system' });
  new AsyaNamespace(system, 'asya-system');
  new AsyaCrew(system, 'crew', {
    transport,
    storage: ResultStorage.minio({ bucket: 'rag-results', endpoint: 'http://minio.asya-system.svc.cluster.local:9000', credentialsSecret: 'minio-credentials' }),
    gatewayUrl: 'http://asya-gateway.asya-system.svc.cluster.local', // the chart's Service listens on 80 (pods on 8080)
  });

  const rag = new AsyncPipeline(app, 'rag', {
    namespace: 'rag',
    tools: [
      {
        name: 'ingest_document',
        description: 'Embed a document and store it in the vector store',
        route: 'ingest',
        parameters: [
          { name: 'doc_id', type: ToolParameterType.STRING, required: true },
          { name: 'input', type: ToolParameterType.STRING, required: true, description: 'The text to index' },
        ],
      },
      {
        name: 'ask',
        description: 'Answer a question from the indexed documents',
        route: 'ask',
        parameters: [
          { name: 'input', type: ToolParameterType.STRING, required: true, description: 'The question' },
          { name: 'top_k', type: ToolParameterType.INTEGER, defaultJson: '4' },
        ],
        timeoutSeconds: 300,
      },
    ],
    monitoringNamespace: 'monitoring',
    argoSyncWaves: true,
  });
  new AsyaNamespace(rag, 'rag');

  // Models.
  const embedder = new KServeModel(rag, 'embedder', {
    modelFormat: { name: 'huggingface' },
    storageUri: 'hf://BAAI/bge-small-en-v1.5',
    args: ['--backend=huggingface', '--task=text_embedding'], // vLLM would be picked by default (kserve huggingfaceserver __main__.py @ v0.20.0)
    openAIProtocol: ModelProtocol.OPENAI_EMBEDDINGS,
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } },
    autoscalerClass: KServeAutoscalerClass.EXTERNAL,
    minReplicas: 0,
    maxReplicas: 3,
  });
  const llm = new KaitoModel(rag, 'llm', {
    preset: 'phi-4-mini-instruct',
    instanceType: 'Standard_NC24ads_A100_v4',
    // With queue scaling, replicas is the most the InferenceSet runs (SCL-4: the binding's range within it).
    scalable: { replicas: 2, nodeCountLimit: 2 },
  });

  // Steps.
  const embed = new AsyncModel(rag, 'rag-embed', {
    backend: embedder,
    transport,
    outputKey: 'embedding',
    modelScaling: { minReplicas: 0, maxReplicas: 3, queueLength: 20 },
  });
  const write = new AsyncActor(rag, 'rag-store', {
    transport,
    handler: 'rag.store.write_vectors',
    image: 'ghcr.io/acme/rag-steps:0.3.1',
    env: { QDRANT_URL: EnvValue.fromValue('http://qdrant.vector.svc.cluster.local:6333'), QDRANT_API_KEY: EnvValue.fromSecret('qdrant', 'api-key') },
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
    egress: [{ namespace: 'vector', podSelector: { 'app.kubernetes.io/name': 'qdrant' }, ports: [6333] }],
  });
  const retrieve = new AsyncActor(rag, 'rag-retrieve', {
    transport,
    handler: 'rag.retrieve.top_k',
    image: 'ghcr.io/acme/rag-steps:0.3.1',
    env: { QDRANT_URL: EnvValue.fromValue('http://qdrant.vector.svc.cluster.local:6333'), QDRANT_API_KEY: EnvValue.fromSecret('qdrant', 'api-key') },
    resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '512Mi' } },
    egress: [{ namespace: 'vector', podSelector: { 'app.kubernetes.io/name': 'qdrant' }, ports: [6333] }],
    processingTimeout: Duration.seconds(30),
  });
  const answer = new AsyncModel(rag, 'rag-answer', {
    backend: llm,
    transport,
    outputKey: 'answer',
    modelScaling: { minReplicas: 0, maxReplicas: 2, queueLength: 4 },
    requestTimeout: Duration.minutes(3),
  });

  rag.addRoute('ingest', Chain.start(embed).next(write).steps);
  rag.addRoute('ask', Chain.start(embed).next(retrieve).next(answer).steps);

  // GitOps: Argo CD syncs rag.k8s.yaml in waves (infrastructure, models, actors, then the models'
  // ScaledObjects), retries a failed sync, and ignores spec.replicas of exactly the KEDA-scaled objects.
  new ArgoCdApplication(new Chart(app, 'gitops'), 'rag', { pipeline: rag, repoUrl: 'https://github.com/acme/platform.git', path: 'dist/rag' });
  return app;
}
