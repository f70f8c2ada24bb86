import { Duration } from 'cdk8s';
import { ModelProtocol } from '../../src/backends/model-backend';
import { ModelSource } from '../../src/backends/model-source';
import { OpenAIModel, OpenAIServer } from '../../src/backends/openai-model';
import { EnvValue, Volume } from '../../src/core';
import { one, synthValid, testChart } from '../util';

const GPU = { cpu: { request: '4', limit: '8' }, memory: { request: '24Gi', limit: '32Gi' }, gpu: { count: 1 } };

describe('OpenAIModel', () => {
  // readOnlyRootFilesystem: vLLM's IPC paths go under tempfile.gettempdir() (vllm-project/vllm vllm/envs.py
  // VLLM_RPC_BASE_PATH = tempfile.gettempdir()), TGI's shard sockets at /tmp/text-generation-server
  // (huggingface/text-generation-inference launcher/src/main.rs:782 @ v3.3.5): every server gets a /tmp emptyDir.
  test.each([['vllm', OpenAIServer.VLLM], ['tgi', OpenAIServer.TGI], ['ollama', OpenAIServer.OLLAMA]])('%s has a writable /tmp emptyDir (TGI launcher/src/main.rs:782 @ v3.3.5)', (_id, server) => {
    const chart = testChart();
    new OpenAIModel(chart, 'llm', {
      server,
      model: server === OpenAIServer.OLLAMA ? ModelSource.ollama('llama3.2:1b') : ModelSource.huggingFace('a/b'),
      resources: GPU,
      security: { allowRoot: server === OpenAIServer.TGI, readOnlyRootFilesystem: true },
    });
    const spec = one(synthValid(chart), 'Deployment', 'llm').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(() => new OpenAIModel(testChart(), 'x', { model: ModelSource.huggingFace('a/b'), resources: GPU, volumeMounts: [{ volume: 'cache', mountPath: '/tmp' }] }))
      .toThrow('test/x: volumeMounts[0].mountPath ("/tmp") is reserved: the construct mounts /tmp, /cache, /dev/shm, /models');
  });

  test('vLLM from Hugging Face with a gated-model token', () => {
    const chart = testChart('ai');
    const m = new OpenAIModel(chart, 'llm', {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', 'main'),
      resources: GPU,
      huggingFaceToken: EnvValue.fromSecret('hf', 'token'),
      serverArgs: ['--max-model-len=4096'],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();

    const dep = one(manifests, 'Deployment', 'llm');
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe('vllm/vllm-openai:v0.10.2');
    expect(c.args).toEqual(['--model', 'Qwen/Qwen2.5-0.5B-Instruct', '--served-model-name', 'Qwen/Qwen2.5-0.5B-Instruct',
      '--host', '0.0.0.0', '--port', '8000', '--revision', 'main', '--max-model-len=4096']);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 8000 });
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } });
    expect(c.securityContext.runAsNonRoot).toBe(true);
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } });
    expect(dep.spec.selector.matchLabels).toEqual(m.podSelector);
    expect(dep.spec.template.metadata.labels).toMatchObject(m.podSelector);

    const svc = one(manifests, 'Service', 'llm');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(m.podSelector);

    expect(m.endpoint).toBe('http://llm.ai.svc.cluster.local:8000');
    expect(m.modelName).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(m.requestPath).toBe('/v1/chat/completions');
    expect(m.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(m.podPort).toBe(8000);
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', supportsScaleToZero: true });
    expect(m.noScaleTargetReason).toBeUndefined();
    expect(m.metrics).toEqual({ portName: 'http', path: '/metrics' });
  });

  test('vLLM embeddings from a PVC with a served name', () => {
    const chart = testChart();
    const m = new OpenAIModel(chart, 'embed', {
      model: ModelSource.persistentVolumeClaim('weights', 'bge/bge-small'),
      servedModelName: 'bge-small',
      protocol: ModelProtocol.OPENAI_EMBEDDINGS,
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '4Gi', limit: '4Gi' } },
      replicas: 0,
      startupTimeout: Duration.minutes(5),
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'embed');
    expect(dep.spec.replicas).toBe(0);
    const c = dep.spec.template.spec.containers[0];
    expect(c.args.slice(0, 4)).toEqual(['--model', '/models/bge/bge-small', '--served-model-name', 'bge-small']);
    expect(c.volumeMounts).toContainEqual({ name: 'model', mountPath: '/models', readOnly: true });
    expect(c.startupProbe.failureThreshold).toBe(30);
    expect(m.requestPath).toBe('/v1/embeddings');
    expect(m.modelName).toBe('bge-small');
  });

  test('vLLM from an OCI image copied by an init container', () => {
    const chart = testChart();
    const m = new OpenAIModel(chart, 'oci', {
      model: ModelSource.ociImage('ghcr.io/acme/llama:1.0', '/models/llama'),
      resources: GPU,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const init = one(manifests, 'Deployment', 'oci').spec.template.spec.initContainers[0];
    expect(init.name).toBe('model-loader');
    expect(init.image).toBe('ghcr.io/acme/llama:1.0');
    expect(init.resources).toBeDefined();
    expect(m.modelName).toBe('llama');
  });

  // A volume mounted at a path hides the image's files there (kubernetes/website
  // content/en/docs/concepts/storage/volumes.md: "volumes mount at specified paths within the image"):
  // the loader's emptyDir must not be mounted at the source path, or `cp` copies nothing.
  test('ociImage: the loader copies into an emptyDir mounted apart from the source path (default /models too)', () => {
    const chart = testChart();
    new OpenAIModel(chart, 'oci', { model: ModelSource.ociImage('ghcr.io/acme/llama:1.0'), resources: GPU });
    const spec = one(synthValid(chart), 'Deployment', 'oci').spec.template.spec;
    const init = spec.initContainers[0];
    const source = init.env.find((e: any) => e.name === 'MODEL_SOURCE_PATH').value;
    expect(source).toBe('/models');
    expect(init.volumeMounts).toEqual([{ name: 'model', mountPath: '/mnt/model-out' }]);
    expect(init.volumeMounts[0].mountPath).not.toBe(source);
    expect(init.command).toEqual(['sh', '-c', 'cp -R "$MODEL_SOURCE_PATH"/. /mnt/model-out/']);
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'model', mountPath: '/models', readOnly: true });
    expect(spec.containers[0].args.slice(0, 2)).toEqual(['--model', '/models']);
  });

  // TGI's image installs Python under /root (0700): it runs only as root
  // (huggingface/text-generation-inference Dockerfile:67,168,170,248 @ v3.3.5; issue #3082).
  test('TGI (runs as root: huggingface/text-generation-inference Dockerfile @ v3.3.5)', () => {
    const chart = testChart();
    const m = new OpenAIModel(chart, 'tgi', {
      server: OpenAIServer.TGI,
      model: ModelSource.huggingFace('HuggingFaceH4/zephyr-7b-beta'),
      resources: GPU,
      security: { allowRoot: true },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const c = one(manifests, 'Deployment', 'tgi').spec.template.spec.containers[0];
    expect(c.image).toBe('ghcr.io/huggingface/text-generation-inference:3.3.5');
    expect(c.args).toEqual(['--model-id', 'HuggingFaceH4/zephyr-7b-beta', '--hostname', '0.0.0.0', '--port', '8080']);
    expect(c.securityContext.runAsNonRoot).toBeUndefined();
    expect(one(manifests, 'Deployment', 'tgi').spec.template.spec.securityContext.runAsUser).toBeUndefined();
    // The image sets HF_HOME=/data (Dockerfile:147 @ v3.3.5): the cache is moved to the /cache emptyDir.
    expect(c.env).toContainEqual({ name: 'HF_HOME', value: '/cache/huggingface' });
    expect(m.endpoint).toBe('http://tgi.default.svc.cluster.local:8080');
    expect(m.metrics).toEqual({ portName: 'http', path: '/metrics' });
  });

  test('Ollama with a library model pulled by an init container', () => {
    const chart = testChart();
    const m = new OpenAIModel(chart, 'ollama', {
      server: OpenAIServer.OLLAMA,
      model: ModelSource.ollama('llama3.2:1b'),
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '4Gi', limit: '8Gi' } },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const spec = one(manifests, 'Deployment', 'ollama').spec.template.spec;
    expect(spec.containers[0].args).toEqual(['serve']);
    expect(spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/', port: 11434 });
    expect(spec.containers[0].env).toContainEqual({ name: 'OLLAMA_HOST', value: '0.0.0.0:11434' });
    expect(spec.initContainers[0].name).toBe('model-puller');
    expect(spec.initContainers[0].env).toContainEqual({ name: 'OLLAMA_PULL_MODEL', value: 'llama3.2:1b' });
    expect(m.modelName).toBe('llama3.2:1b');
    expect(m.endpoint).toBe('http://ollama.default.svc.cluster.local:11434');
    expect(m.metrics).toBeUndefined();
  });

  test('Ollama with a GGUF repository from Hugging Face', () => {
    const chart = testChart();
    const m = new OpenAIModel(chart, 'gguf', {
      server: OpenAIServer.OLLAMA,
      model: ModelSource.huggingFace('bartowski/Llama-3.2-1B-Instruct-GGUF'),
      resources: { cpu: { request: '2', limit: '4' }, memory: { request: '4Gi', limit: '8Gi' } },
    });
    synthValid(chart);
    expect(m.modelName).toBe('hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF');
  });

  describe('fidelity (field-review 3.5)', () => {
    // OAI-1: uid 1000 has no passwd entry in vllm/vllm-openai:v0.10.2 or TGI 3.3.5; Python's getpass.getuser()
    // (python/cpython Lib/getpass.py: LOGNAME, USER, LNAME, USERNAME, then pwd) fails without them, e.g. in
    // TorchInductor's cache dir (pytorch/pytorch#140765, vllm-project/vllm#44548, ai-dynamo/dynamo#12457).
    // TGI: a non-root image of the user's (the default one runs only as root, see the TGI test).
    test.each([['vllm', OpenAIServer.VLLM, undefined], ['tgi', OpenAIServer.TGI, 'ghcr.io/acme/tgi-nonroot:3.3.5']])('OAI-1: %s runs as uid 1000 with USER, LOGNAME and HOME', (_id, server, image) => {
      const chart = testChart('ai');
      new OpenAIModel(chart, 'llm', { server, image, model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'), resources: GPU });
      const spec = one(synthValid(chart), 'Deployment', 'llm').spec.template.spec;
      expect(spec.securityContext.runAsUser).toBe(1000);
      const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({ USER: 'model-server', LOGNAME: 'model-server', HOME: '/cache' });
    });
    test('OAI-1: USER may be overridden (e.g. to the image user when running as it)', () => {
      const chart = testChart('ai');
      new OpenAIModel(chart, 'llm', { model: ModelSource.huggingFace('a/b'), resources: GPU, env: { USER: EnvValue.fromValue('vllm') } });
      const env = one(synthValid(chart), 'Deployment', 'llm').spec.template.spec.containers[0].env;
      expect(env.filter((e: any) => e.name === 'USER')).toEqual([{ name: 'USER', value: 'vllm' }]);
    });
    // Ollama's GET / answers "Ollama is running" once the server listens (ollama/ollama server/routes.go:1282 @ v0.11.10),
    // before any model is loaded: the first request pays the load time (documented on OpenAIServer.OLLAMA).
    test('Ollama is probed at GET / (routes.go:1282 @ v0.11.10): Ready before the model is loaded', () => {
      const chart = testChart('ai');
      new OpenAIModel(chart, 'a', { server: OpenAIServer.OLLAMA, model: ModelSource.ollama('llama3.2:1b'), resources: GPU });
      const c = one(synthValid(chart), 'Deployment', 'a').spec.template.spec.containers[0];
      expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 11434 });
      expect(c.startupProbe.httpGet).toEqual({ path: '/', port: 11434 });
    });
    // OAI-2: Ollama unloads an idle model after 5 minutes (ollama/ollama envconfig/config.go KeepAlive @ 0.11.10).
    test('OAI-2: Ollama keeps the model loaded (OLLAMA_KEEP_ALIVE=-1), overridable in env', () => {
      const chart = testChart('ai');
      new OpenAIModel(chart, 'a', { server: OpenAIServer.OLLAMA, model: ModelSource.ollama('llama3.2:1b'), resources: GPU });
      new OpenAIModel(chart, 'b', {
        server: OpenAIServer.OLLAMA,
        model: ModelSource.ollama('llama3.2:1b'),
        resources: GPU,
        env: { OLLAMA_KEEP_ALIVE: EnvValue.fromValue('30m'), OLLAMA_CONTEXT_LENGTH: EnvValue.fromValue('8192') },
      });
      const manifests = synthValid(chart);
      const env = (n: string) => Object.fromEntries(one(manifests, 'Deployment', n).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env('a').OLLAMA_KEEP_ALIVE).toBe('-1');
      expect(env('b')).toMatchObject({ OLLAMA_KEEP_ALIVE: '30m', OLLAMA_CONTEXT_LENGTH: '8192' });
    });
    // vLLM --tensor-parallel-size (vllm-project/vllm vllm/engine/arg_utils.py, v0.10.2).
    test('vLLM tensor parallelism over the pod\'s GPUs', () => {
      const chart = testChart('ai');
      new OpenAIModel(chart, 'big', { model: ModelSource.huggingFace('Qwen/Qwen2.5-32B-Instruct'), resources: { ...GPU, gpu: { count: 4 } }, tensorParallelSize: 4 });
      const c = one(synthValid(chart), 'Deployment', 'big').spec.template.spec.containers[0];
      expect(c.args).toEqual(['--model', 'Qwen/Qwen2.5-32B-Instruct', '--served-model-name', 'Qwen/Qwen2.5-32B-Instruct',
        '--host', '0.0.0.0', '--port', '8000', '--tensor-parallel-size', '4']);
      expect(c.resources.limits['nvidia.com/gpu']).toBe('4');
    });
  });

  describe('errors', () => {
    const base = { model: ModelSource.huggingFace('org/model'), resources: GPU };
    test('ollama model on vLLM', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, model: ModelSource.ollama('llama3.2:1b') }))
        .toThrow(/test\/x: model \("llama3.2:1b"\) is an Ollama model: it needs server OpenAIServer.OLLAMA, not vllm/);
    });
    test('bad Hugging Face id', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, model: ModelSource.huggingFace('just-a-name') }))
        .toThrow(/model \("just-a-name"\) must be a Hugging Face id of the form org\/model/);
    });
    test('reserved server flag', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, serverArgs: ['--port=9000'] }))
        .toThrow(/serverArgs\[0\] \("--port=9000"\) is set by the construct/);
    });
    test('inline token', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, huggingFaceToken: EnvValue.fromValue('hf_abc') }))
        .toThrow(/huggingFaceToken \("hf_abc"\) must be a Secret reference/);
    });
    test('TGI embeddings', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.TGI, protocol: ModelProtocol.OPENAI_EMBEDDINGS }))
        .toThrow(/protocol \("openai-embeddings"\) is not served by TGI/);
    });
    // huggingface/text-generation-inference Dockerfile:67,168,170,248 @ v3.3.5 (issue #3082 open, PR #3197 unmerged):
    // uv installs Python under /root (0700); as uid 1000 the launcher cannot load libpython3.11.so.1.0.
    test('TGI default image under the restricted default (uid 1000) is refused: Dockerfile @ v3.3.5, issue #3082', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.TGI }))
        .toThrow('test/x: security.allowRoot (unset) must be true with TGI\'s default image (ghcr.io/huggingface/text-generation-inference:3.3.5): '
          + 'it installs Python under /root (mode 0700), so as a non-root user the launcher fails to load libpython3.11.so.1.0; '
          + 'set security: { allowRoot: true } (the pod then no longer meets Pod Security Standard restricted) or give an image of your own that runs as non-root');
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.TGI, security: { allowRoot: false, runAsUser: 2000 } }))
        .toThrow(/security.allowRoot \(false\) must be true with TGI's default image/);
    });
    test.each(['/mnt/model-out', '/mnt/model-out/', '/mnt/model-out/llama'])('ociImage source path %s inside the loader\'s target is refused', (path) => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, model: ModelSource.ociImage('ghcr.io/acme/llama:1.0', path) }))
        .toThrow(`test/x: model (ociImage path) ("${path}") must not be /mnt/model-out or under it: the init container mounts the emptyDir `
          + 'it copies into there, which would hide the image\'s files');
    });
    test('TGI served name', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.TGI, servedModelName: 'm' }))
        .toThrow(/servedModelName \("m"\) cannot be set with TGI/);
    });
    test('unsupported protocol', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, protocol: ModelProtocol.OPEN_INFERENCE }))
        .toThrow(/protocol \("open-inference"\) must be ModelProtocol.OPENAI_CHAT, OPENAI_COMPLETIONS or OPENAI_EMBEDDINGS/);
    });
    test('Ollama PVC without a served name', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.OLLAMA, model: ModelSource.persistentVolumeClaim('store') }))
        .toThrow(/servedModelName \(unset\) must be set for Ollama with a PVC/);
    });
    test('Ollama server flags', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.OLLAMA, model: ModelSource.ollama('a:1'), serverArgs: ['--x'] }))
        .toThrow(/serverArgs \(\["--x"\]\) must be empty for Ollama/);
    });
    test('reserved volume', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, volumes: [Volume.emptyDir('cache')] }))
        .toThrow(/volumes\[0\].name \("cache"\) is reserved/);
    });
    test('reserved env', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, env: { HF_TOKEN: EnvValue.fromValue('a') } }))
        .toThrow(/env \("HF_TOKEN"\) is set by the construct \(use huggingFaceToken\)/);
    });
    test('negative replicas', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, replicas: -1 }))
        .toThrow(/replicas \(-1\) must be a whole number of at least 0/);
    });
    test('unpinned image', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, image: 'vllm/vllm-openai:latest' }))
        .toThrow(/image \("vllm\/vllm-openai:latest"\) uses the tag "latest"/);
    });
    test('bad name', () => {
      expect(() => new OpenAIModel(testChart(), 'Bad_Name', base)).toThrow(/name \(from the construct id\) \("Bad_Name"\) must be a DNS-1035 label/);
    });
    test('one naming rule (ModelBackend): a name starting with a digit is refused at once, not by the schema later', () => {
      // Kubernetes validates Service names as DNS-1035 labels (kubernetes/kubernetes pkg/apis/core/validation ValidateServiceName).
      expect(() => new OpenAIModel(testChart(), '9llm', base)).toThrow(
        'test/9llm: name (from the construct id) ("9llm") must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)');
    });
    test('tensor parallelism on another server', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, server: OpenAIServer.TGI, tensorParallelSize: 2 }))
        .toThrow('test/x: tensorParallelSize (2) is a vLLM option (server is tgi; TGI shards with --num-shard in serverArgs)');
    });
    test('tensor parallelism beyond the GPUs', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, tensorParallelSize: 2 }))
        .toThrow('test/x: tensorParallelSize (2) needs as many GPUs in resources.gpu.count (1): vLLM shards the model over the pod\'s GPUs');
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, tensorParallelSize: 0 }))
        .toThrow('test/x: tensorParallelSize (0) must be a whole number of at least 1');
    });
    test('tensor parallelism set twice', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, resources: { ...GPU, gpu: { count: 2 } }, tensorParallelSize: 2, serverArgs: ['-tp', '2'] }))
        .toThrow('test/x: serverArgs[0] ("-tp") is set by the construct (from model, servedModelName, tensorParallelSize and the server port): remove it');
    });
    test('selector pod label', () => {
      expect(() => new OpenAIModel(testChart(), 'x', { ...base, podLabels: { 'app.kubernetes.io/instance': 'y' } }))
        .toThrow(/podLabels\["app.kubernetes.io\/instance"\] \("y"\) must be "x" or unset/);
    });
  });
});
