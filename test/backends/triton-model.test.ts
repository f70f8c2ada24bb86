import { Duration } from 'cdk8s';
import { ModelProtocol } from '../../src/backends/model-backend';
import { TritonModel, TritonModelRepository } from '../../src/backends/triton-model';
import { EnvValue, Volume } from '../../src/core';
import { one, synthValid, testChart } from '../util';

const GPU = { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '8Gi' }, gpu: { count: 1 } };

describe('TritonModel', () => {
  // readOnlyRootFilesystem: Triton and the Python libraries it runs write temporary files under /tmp (the
  // field review of the Deployment-based servers): the ModelServer base gives it a /tmp emptyDir.
  test('a writable /tmp emptyDir for readOnlyRootFilesystem (ModelServer base)', () => {
    const chart = testChart('ml');
    new TritonModel(chart, 'triton', {
      repository: TritonModelRepository.persistentVolumeClaim('triton-models', 'repo'),
      modelName: 'densenet_onnx',
      resources: GPU,
      security: { readOnlyRootFilesystem: true },
    });
    const spec = one(synthValid(chart), 'Deployment', 'triton').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('repository on a PVC', () => {
    const chart = testChart('ml');
    const m = new TritonModel(chart, 'triton', {
      repository: TritonModelRepository.persistentVolumeClaim('triton-models', 'repo'),
      modelName: 'densenet_onnx',
      resources: GPU,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'triton');
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe('nvcr.io/nvidia/tritonserver:24.08-py3');
    expect(c.command).toEqual(['tritonserver']);
    expect(c.args).toEqual(['--model-repository=/models', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002']);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 8000 }, { name: 'grpc', containerPort: 8001 }, { name: 'metrics', containerPort: 8002 },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8000 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8000 });
    expect(c.volumeMounts).toContainEqual({ name: 'models', mountPath: '/models', subPath: 'repo', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    const svc = one(manifests, 'Service', 'triton');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http', 8000], ['grpc', 8001], ['metrics', 8002]]);
    expect(m.endpoint).toBe('http://triton.ml.svc.cluster.local:8000');
    expect(m.requestPath).toBe('/v2/models/densenet_onnx/infer');
    expect(m.modelName).toBe('densenet_onnx');
    expect(m.protocol).toBe(ModelProtocol.OPEN_INFERENCE);
    expect(m.podPort).toBe(8000);
    expect(m.metrics).toEqual({ portName: 'metrics', path: '/metrics' });
    expect(m.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'triton', supportsScaleToZero: true });
  });

  test('repository in S3 with credentials from a Secret', () => {
    const chart = testChart();
    new TritonModel(chart, 'triton', {
      repository: TritonModelRepository.uri('s3://bucket/repo'),
      modelName: 'resnet',
      resources: GPU,
      env: { AWS_ACCESS_KEY_ID: EnvValue.fromSecret('aws', 'id'), AWS_SECRET_ACCESS_KEY: EnvValue.fromSecret('aws', 'secret') },
      serverArgs: ['--model-control-mode=explicit', '--load-model=resnet'],
      replicas: 0,
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const dep = one(manifests, 'Deployment', 'triton');
    expect(dep.spec.replicas).toBe(0);
    expect(dep.spec.template.spec.containers[0].args[0]).toBe('--model-repository=s3://bucket/repo');
  });

  test('repository filled by an init container', () => {
    const chart = testChart();
    new TritonModel(chart, 'triton', {
      repository: TritonModelRepository.initContainer({
        image: 'curlimages/curl:8.8.0',
        command: ['sh', '-c', 'curl -sL https://example.com/repo.tgz | tar -xz -C /models'],
        resources: { cpu: { request: '100m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } },
      }),
      modelName: 'simple',
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '2Gi' } },
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const init = one(manifests, 'Deployment', 'triton').spec.template.spec.initContainers[0];
    expect(init.name).toBe('model-repository');
    expect(init.volumeMounts).toEqual([{ name: 'models', mountPath: '/models' }]);
    expect(init.securityContext.runAsNonRoot).toBe(true);
  });

  // TRI-1: /v2/health/ready is strict by default (triton-inference-server/server src/command_line_parser.cc
  // --strict-readiness @ v2.49.0); the documented way out is the flag, which stays the user's to pass.
  test('TRI-1: --strict-readiness=false passes through serverArgs', () => {
    const chart = testChart('ml');
    new TritonModel(chart, 'triton', {
      repository: TritonModelRepository.uri('s3://models/repo'),
      modelName: 'resnet',
      resources: GPU,
      serverArgs: ['--strict-readiness=false'],
    });
    const c = one(synthValid(chart), 'Deployment', 'triton').spec.template.spec.containers[0];
    expect(c.args).toContain('--strict-readiness=false');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8000 });
  });

  describe('errors', () => {
    const base = { repository: TritonModelRepository.persistentVolumeClaim('pvc'), modelName: 'm', resources: GPU };
    test('bad repository URI', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, repository: TritonModelRepository.uri('http://x/repo') }))
        .toThrow(/test\/x: repository \("http:\/\/x\/repo"\) must start with one of s3:\/\/, gs:\/\/, as:\/\//);
    });
    test('reserved flag', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, serverArgs: ['--http-port=9000'] }))
        .toThrow(/serverArgs\[0\] \("--http-port=9000"\) is set by the construct/);
    });
    test('bad model name', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, modelName: 'a/b' }))
        .toThrow(/modelName \("a\/b"\) must be a model directory name/);
    });
    test('init container without resources', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, repository: TritonModelRepository.initContainer({ image: 'busybox:1.36' }) }))
        .toThrow(/repository \(initContainer\).resources \(unset\) must set cpu.limit and memory.limit of container "model-repository"/);
    });
    test('reserved volume', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, volumes: [Volume.emptyDir('models')] }))
        .toThrow(/volumes\[0\].name \("models"\) is reserved/);
    });
    test('startup timeout too short', () => {
      expect(() => new TritonModel(testChart(), 'x', { ...base, startupTimeout: Duration.seconds(5) }))
        .toThrow(/startupTimeout \("5s"\) must be a whole number of seconds of at least 10/);
    });
  });
});
