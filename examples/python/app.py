"""The RAG example (examples/rag/app.ts) written in Python against the jsii bindings `cdk8s_asya`.

text -> embeddings (KServe) -> vector store writer, and question -> embeddings -> retrieval -> LLM answer
(KAITO). Two routes share the embedding step; both models are bound into the mesh and scale on their
bridge queues; the pipeline is exposed to the Asya gateway as two tools.

Run it in a cdk8s Python app (see README "Python"):

    pip install cdk8s constructs cdk8s-plus-28 ./cdk8s_asya-*.whl
    cdk8s synth --app "python3 app.py"
"""
from cdk8s import App, Chart, Duration

from cdk8s_asya import (
    AsyaCrew,
    AsyaNamespace,
    AsyncActor,
    AsyncModel,
    AsyncPipeline,
    Chain,
    EnvValue,
    GatewayTool,
    KaitoModel,
    KServeAutoscalerClass,
    KServeModel,
    ModelProtocol,
    ResultStorage,
    ToolParameter,
    ToolParameterType,
    Transport,
)


def build_rag(outdir: str = "dist") -> App:
    app = App(outdir=outdir)
    transport = Transport.rabbitmq(
        host="rabbitmq.asya-system.svc.cluster.local",
        broker_namespace="asya-system",
        broker_pod_selector={"app.kubernetes.io/name": "rabbitmq"},
    )

    # Cluster-wide: one crew per transport.
    system = Chart(app, "asya-system", namespace="asya-system")
    AsyaNamespace(system, "asya-system")
    AsyaCrew(
        system,
        "crew",
        transport=transport,
        storage=ResultStorage.minio(
            bucket="rag-results",
            endpoint="http://minio.asya-system.svc.cluster.local:9000",
            credentials_secret="minio-credentials",
        ),
        gateway_url="http://asya-gateway.asya-system.svc.cluster.local:8080",
    )

    rag = AsyncPipeline(
        app,
        "rag",
        namespace="rag",
        tools=[
            GatewayTool(
                name="ingest_document",
                description="Embed a document and store it in the vector store",
                route="ingest",
                parameters=[
                    ToolParameter(name="doc_id", type=ToolParameterType.STRING, required=True),
                    ToolParameter(name="input", type=ToolParameterType.STRING, required=True, description="The text to index"),
                ],
            ),
            GatewayTool(
                name="ask",
                description="Answer a question from the indexed documents",
                route="ask",
                parameters=[
                    ToolParameter(name="input", type=ToolParameterType.STRING, required=True, description="The question"),
                    ToolParameter(name="top_k", type=ToolParameterType.INTEGER, default_json="4"),
                ],
                timeout_seconds=300,
            ),
        ],
        monitoring_namespace="monitoring",
        argo_sync_waves=True,
    )
    AsyaNamespace(rag, "rag")

    # Models.
    embedder = KServeModel(
        rag,
        "embedder",
        model_format={"name": "huggingface"},
        storage_uri="hf://BAAI/bge-small-en-v1.5",
        args=["--backend=huggingface", "--task=text_embedding"],
        open_ai_protocol=ModelProtocol.OPENAI_EMBEDDINGS,
        resources={"cpu": {"request": "1", "limit": "2"}, "memory": {"request": "2Gi", "limit": "4Gi"}},
        autoscaler_class=KServeAutoscalerClass.EXTERNAL,
        min_replicas=0,
        max_replicas=3,
    )
    llm = KaitoModel(
        rag,
        "llm",
        preset="phi-4-mini-instruct",
        instance_type="Standard_NC24ads_A100_v4",
        scalable={"replicas": 1, "node_count_limit": 2},
    )

    # Steps.
    embed = AsyncModel(
        rag,
        "rag-embed",
        backend=embedder,
        transport=transport,
        output_key="embedding",
        model_scaling={"min_replicas": 0, "max_replicas": 3, "queue_length": 20},
    )
    qdrant_env = {
        "QDRANT_URL": EnvValue.from_value("http://qdrant.vector.svc.cluster.local:6333"),
        "QDRANT_API_KEY": EnvValue.from_secret("qdrant", "api-key"),
    }
    step_resources = {"cpu": {"request": "100m", "limit": "500m"}, "memory": {"request": "128Mi", "limit": "512Mi"}}
    qdrant_egress = [{"namespace": "vector", "pod_selector": {"app.kubernetes.io/name": "qdrant"}, "ports": [6333]}]
    write = AsyncActor(
        rag,
        "rag-store",
        transport=transport,
        handler="rag.store.write_vectors",
        image="ghcr.io/acme/rag-steps:0.3.1",
        env=qdrant_env,
        resources=step_resources,
        egress=qdrant_egress,
    )
    retrieve = AsyncActor(
        rag,
        "rag-retrieve",
        transport=transport,
        handler="rag.retrieve.top_k",
        image="ghcr.io/acme/rag-steps:0.3.1",
        env=qdrant_env,
        resources=step_resources,
        egress=qdrant_egress,
        processing_timeout=Duration.seconds(30),
    )
    answer = AsyncModel(
        rag,
        "rag-answer",
        backend=llm,
        transport=transport,
        output_key="answer",
        model_scaling={"min_replicas": 0, "max_replicas": 2, "queue_length": 4},
        request_timeout=Duration.minutes(3),
    )

    rag.add_route("ingest", Chain.start(embed).next(write).steps)
    rag.add_route("ask", Chain.start(embed).next(retrieve).next(answer).steps)
    return app


if __name__ == "__main__":
    AsyncPipeline.synth_with_diagrams(build_rag())
