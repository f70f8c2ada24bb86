import { ModelProtocol } from '../../src/backends/model-backend';
import { RayServeModel } from '../../src/backends/ray-serve-model';
import { one, synthValid, testChart } from '../util';

const HEAD = { resources: { cpu: { request: '2', limit: '2' }, memory: { request: '8Gi', limit: '8Gi' } } };
const GPU_WORKER = {
  groupName: 'gpu',
  minReplicas: 1,
  maxReplicas: 4,
  resources: { cpu: { request: '8', limit: '8' }, memory: { request: '32Gi', limit: '32Gi' }, gpu: { count: 1 } },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
};

describe('RayServeModel', () => {
  test('Ray Serve LLM with an autoscaling GPU worker group', () => {
    const chart = testChart('ai');
    const m = new RayServeModel(chart, 'llm', {
      image: 'rayproject/ray-llm:2.46.0-py311-cu124',
      applications: [{
        name: 'llms',
        importPath: 'ray.serve.llm:build_openai_app',
        args: {
          llm_configs: [{
            model_loading_config: { model_id: 'qwen-0.5b', model_source: 'Qwen/Qwen2.5-0.5B-Instruct' },
            deployment_config: { autoscaling_config: { min_replicas: 1, max_replicas: 2 } },
          }],
        },
      }],
      head: HEAD,
      workerGroups: [GPU_WORKER],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const rs = one(manifests, 'RayService', 'llm');
    expect(rs.apiVersion).toBe('ray.io/v1');
    expect(rs.spec.serveConfigV2).toContain('import_path: ray.serve.llm:build_openai_app');
    expect(rs.spec.serveConfigV2).toContain('route_prefix: /');
    expect(rs.spec.serveConfigV2).toContain('model_id: qwen-0.5b');
    const rc = rs.spec.rayClusterConfig;
    expect(rc.enableInTreeAutoscaling).toBe(true);
    const head = rc.headGroupSpec.template.spec.containers[0];
    expect(head.name).toBe('ray-head');
    expect(head.ports).toContainEqual({ name: 'serve', containerPort: 8000 });
    expect(head.image).toBe('rayproject/ray-llm:2.46.0-py311-cu124');
    expect(rc.headGroupSpec.template.metadata.labels).toEqual(m.podSelector);
    const worker = rc.workerGroupSpecs[0];
    expect(worker).toMatchObject({ groupName: 'gpu', replicas: 1, minReplicas: 1, maxReplicas: 4 });
    expect(worker.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(worker.template.metadata.labels).toEqual(m.podSelector);
    expect(worker.template.spec.securityContext.runAsUser).toBe(1000);
    expect(m.endpoint).toBe('http://llm-serve-svc.ai.svc.cluster.local:8000');
    expect(m.protocol).toBe(ModelProtocol.OPENAI_CHAT);
    expect(m.requestPath).toBe('/v1/chat/completions');
    expect(m.modelName).toBe('qwen-0.5b');
    expect(m.podPort).toBe(8000);
    expect(m.scaleTarget).toBeUndefined();
    expect(m.noScaleTargetReason).toMatch(/Ray autoscales itself .* no scale subresource/);
  });

  test('plain Serve application on the head with fixed deployments', () => {
    const chart = testChart();
    const m = new RayServeModel(chart, 'summarizer', {
      applications: [{
        name: 'summarize',
        importPath: 'summarizer.app:deployment',
        routePrefix: '/summarize',
        runtimeEnv: { working_dir: 'https://github.com/acme/serve-apps/archive/v1.zip' },
        deployments: [
          { name: 'Summarizer', numReplicas: 2, numCpus: 1 },
          { name: 'Translator', autoscaling: { minReplicas: 0, maxReplicas: 3, targetOngoingRequests: 4 }, numGpus: 0.5 },
        ],
      }],
      head: HEAD,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const rs = one(manifests, 'RayService', 'summarizer');
    expect(rs.spec.rayClusterConfig.enableInTreeAutoscaling).toBe(false);
    expect(rs.spec.rayClusterConfig.workerGroupSpecs).toBeUndefined();
    expect(rs.spec.rayClusterConfig.rayVersion).toBe('2.46.0');
    expect(rs.spec.serveConfigV2).toContain('num_replicas: 2');
    expect(rs.spec.serveConfigV2).toContain('autoscaling_config:');
    expect(rs.spec.serveConfigV2).toContain('num_gpus: 0.5');
    expect(m.protocol).toBe(ModelProtocol.RAY_SERVE_HTTP);
    expect(m.requestPath).toBe('/summarize');
    expect(m.modelName).toBe('summarize');
  });

  describe('errors', () => {
    const app = { name: 'a', importPath: 'm:app' };
    test('bad import path', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [{ name: 'a', importPath: 'app.py' }], head: HEAD }))
        .toThrow(/test\/x: applications\[0\].importPath \("app.py"\) must be module:attribute/);
    });
    test('no applications', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [], head: HEAD }))
        .toThrow(/applications \(\[\]\) must list at least one Serve application/);
    });
    test('duplicate route prefix', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app, { name: 'b', importPath: 'm:b' }], head: HEAD }))
        .toThrow(/applications\[1\].routePrefix \("\/"\) is used by another application/);
    });
    test('numReplicas with autoscaling', () => {
      expect(() => new RayServeModel(testChart(), 'x', {
        applications: [{ ...app, deployments: [{ name: 'D', numReplicas: 1, autoscaling: { minReplicas: 0, maxReplicas: 2 } }] }], head: HEAD,
      })).toThrow(/deployments\[0\].numReplicas \(1\) cannot be set together with autoscaling/);
    });
    test('LLM app without model id', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [{ name: 'l', importPath: 'ray.serve.llm:build_openai_app', args: {} }], head: HEAD }))
        .toThrow(/model_id \(unset\) must be set for Ray Serve LLM/);
    });
    test('worker min above max', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app], head: HEAD, workerGroups: [{ ...GPU_WORKER, minReplicas: 5 }] }))
        .toThrow(/workerGroups\[0\].minReplicas \(5\) must not exceed maxReplicas \(4\)/);
    });
    test('unknown served application', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app], head: HEAD, servedApplication: 'b' }))
        .toThrow(/servedApplication \("b"\) names no application \(declared: a\)/);
    });
    test('name too long', () => {
      expect(() => new RayServeModel(testChart(), 'x', { name: 'r'.repeat(54), applications: [app], head: HEAD }))
        .toThrow(/must be at most 53 characters \(KubeRay names the Services NAME-serve-svc and NAME-head-svc, at most 63\)/);
    });
    test('head without resources', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app], head: {} as any }))
        .toThrow(/head.resources \(unset\) must set cpu.limit and memory.limit of container "ray-head" \(policy ASYA-RES-001/);
    });
    test('kubeRayOperatorNamespace that is no namespace name (it becomes a NetworkPolicy namespaceSelector)', () => {
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app], head: HEAD, kubeRayOperatorNamespace: 'Bad NS' }))
        .toThrow('test/x: kubeRayOperatorNamespace ("Bad NS") must be a namespace name: a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
      expect(() => new RayServeModel(testChart(), 'x', { applications: [app], head: HEAD, kubeRayOperatorNamespace: 'n'.repeat(64) }))
        .toThrow(/test\/x: kubeRayOperatorNamespace \("n{64}"\) must be a namespace name/);
    });
    test('unpinned image', () => {
      expect(() => new RayServeModel(testChart(), 'x', { image: 'rayproject/ray', applications: [app], head: HEAD }))
        .toThrow(/head.image \("rayproject\/ray"\) has no tag or digest/);
    });
  });
});

describe('RayServeModel fidelity (RAY-1..3) and Serve autoscaling options', () => {
  const LLM_APP = {
    name: 'llm',
    importPath: 'ray.serve.llm:build_openai_app',
    args: { llm_configs: [{ model_loading_config: { model_id: 'qwen', model_source: 'Qwen/Qwen2.5-0.5B-Instruct' } }] },
  };

  // RAY-1: ray.serve.llm needs ray[llm]; KubeRay's LLM sample runs rayproject/ray-llm:2.52.0-py311-cu128 with rayVersion 2.52.0
  // (ray-project/kuberay ray-operator/config/samples/ray-service.llm-serve.yaml @ v1.7.0).
  test('Ray Serve LLM defaults to the ray-llm image of KubeRay\'s sample', () => {
    const chart = testChart();
    new RayServeModel(chart, 'llm', { applications: [LLM_APP], head: HEAD, workerGroups: [GPU_WORKER] });
    const rs = one(synthValid(chart), 'RayService', 'llm');
    expect(rs.spec.rayClusterConfig.rayVersion).toBe('2.52.0');
    expect(rs.spec.rayClusterConfig.headGroupSpec.template.spec.containers[0].image).toBe('rayproject/ray-llm:2.52.0-py311-cu128');
    expect(rs.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0].image).toBe('rayproject/ray-llm:2.52.0-py311-cu128');
  });

  test('Ray Serve LLM on a plain rayproject/ray image is refused', () => {
    expect(() => new RayServeModel(testChart(), 'x', { image: 'rayproject/ray:2.46.0', applications: [LLM_APP], head: HEAD }))
      .toThrow('test/x: image ("rayproject/ray:2.46.0") cannot run ray.serve.llm:build_openai_app: the plain rayproject/ray images lack ray[llm] (vLLM)');
    expect(() => new RayServeModel(testChart(), 'y', { image: 'docker.io/rayproject/ray:2.46.0-py311-gpu', applications: [LLM_APP], head: HEAD }))
      .toThrow('test/y: image ("docker.io/rayproject/ray:2.46.0-py311-gpu") cannot run ray.serve.llm:build_openai_app');
  });

  // RAY-2: KubeRay's samples start the head with num-cpus "0" so Serve replicas land on workers (ray-service.llm-serve.yaml @ v1.7.0).
  test('the head advertises no CPUs when there are workers, unless told otherwise; without workers Serve runs on the head', () => {
    const chart = testChart();
    const app = { name: 'a', importPath: 'app.main:deployment' };
    new RayServeModel(chart, 'w', { applications: [app], head: HEAD, workerGroups: [GPU_WORKER] });
    new RayServeModel(chart, 'o', { applications: [app], head: { ...HEAD, rayStartParams: { 'num-cpus': '1' } }, workerGroups: [GPU_WORKER] });
    new RayServeModel(chart, 'h', { applications: [app], head: HEAD });
    const m = synthValid(chart);
    expect(one(m, 'RayService', 'w').spec.rayClusterConfig.headGroupSpec.rayStartParams).toEqual({ 'num-cpus': '0' });
    expect(one(m, 'RayService', 'o').spec.rayClusterConfig.headGroupSpec.rayStartParams).toEqual({ 'num-cpus': '1' });
    expect(one(m, 'RayService', 'h').spec.rayClusterConfig.headGroupSpec.rayStartParams).toEqual({});
  });

  // RAY-3 and Serve's config: http_options.request_timeout_s, max_ongoing_requests, max_queued_requests and the
  // autoscaling_config fields are named as in Ray Serve's config docs (ray-project/ray python/ray/serve/schema.py;
  // not read at the 2.46.0 tag: unverified). serveConfigV2 shape and the autoscaling_config/max_ongoing_requests keys:
  // ray-project/kuberay ray-operator/config/samples/ray-service.llm-serve.yaml @ v1.7.0.
  test('request timeout and Serve autoscaling options in serveConfigV2', () => {
    const chart = testChart();
    new RayServeModel(chart, 'r', {
      requestTimeoutSeconds: 110,
      applications: [{
        name: 'a',
        importPath: 'app.main:deployment',
        deployments: [{
          name: 'Model',
          maxOngoingRequests: 8,
          maxQueuedRequests: 100,
          autoscaling: { minReplicas: 0, maxReplicas: 4, initialReplicas: 1, targetOngoingRequests: 4, upscaleDelaySeconds: 5, downscaleDelaySeconds: 300 },
        }],
      }],
      head: HEAD,
    });
    const rs = one(synthValid(chart), 'RayService', 'r');
    expect(rs.spec.serveConfigV2).toMatchSnapshot();
    expect(rs.spec.serveConfigV2).toContain('http_options:\n  request_timeout_s: 110\n');
    expect(rs.spec.serveConfigV2).toContain('max_ongoing_requests: 8');
    expect(rs.spec.serveConfigV2).toContain('max_queued_requests: 100');
    expect(rs.spec.serveConfigV2).toContain('upscale_delay_s: 5');
    expect(rs.spec.serveConfigV2).toContain('downscale_delay_s: 300');
    expect(rs.spec.serveConfigV2).toContain('initial_replicas: 1');
  });

  test('bad timeout and autoscaling options', () => {
    const mk = (extra: any, dep: any = {}) => () => new RayServeModel(testChart(), 'x', {
      ...extra, head: HEAD, applications: [{ name: 'a', importPath: 'app.main:d', deployments: [{ name: 'D', ...dep }] }],
    });
    expect(mk({ requestTimeoutSeconds: 0 })).toThrow('test/x: requestTimeoutSeconds (0) must be a number of seconds above 0');
    expect(mk({}, { autoscaling: { minReplicas: 1, maxReplicas: 2, initialReplicas: 3 } }))
      .toThrow('test/x: applications[0].deployments[0].autoscaling.initialReplicas (3) must be a whole number between minReplicas (1) and maxReplicas (2)');
    expect(mk({}, { autoscaling: { minReplicas: 1, maxReplicas: 2, downscaleDelaySeconds: -1 } }))
      .toThrow('test/x: applications[0].deployments[0].autoscaling.downscaleDelaySeconds (-1) must be at least 0');
    expect(mk({}, { maxOngoingRequests: 0 })).toThrow('test/x: applications[0].deployments[0].maxOngoingRequests (0) must be a whole number of at least 1');
  });
});
