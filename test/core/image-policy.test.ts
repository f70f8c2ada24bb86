import { App, Chart, Testing } from 'cdk8s';
import { AsyncActor, ImagePolicy, KServeModel, Transport } from '../../src';
import { one, SMALL_RESOURCES, synthValid } from '../util';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function app(): { app: App; chart: Chart } {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'ai' });
  new AsyncActor(chart, 'step', {
    transport: Transport.rabbitmq(),
    handler: 'a.b',
    image: 'ghcr.io/acme/steps:1.0.0',
    resources: SMALL_RESOURCES,
    initContainers: [{ name: 'init', image: 'busybox:1.36.1', resources: SMALL_RESOURCES }],
  });
  return { app: a, chart };
}

describe('ImagePolicy', () => {
  test('rewrites registries (Docker Hub official images under library/) and pins digests, sidecar included', () => {
    const { app: a, chart } = app();
    ImagePolicy.apply(a, {
      registryMirrors: { 'ghcr.io': 'registry.corp/ghcr', 'docker.io': 'registry.corp/hub/' },
      digests: { 'ghcr.io/acme/steps:1.0.0': D1, 'ghcr.io/deliveryhero/asya-sidecar:0.1.1': D2 },
    });
    const obj = one(synthValid(chart), 'AsyncActor', 'step');
    const spec = obj.spec.workload.template.spec;
    expect(spec.containers[0].image).toBe(`registry.corp/ghcr/acme/steps:1.0.0@${D1}`);
    expect(spec.initContainers[0].image).toBe('registry.corp/hub/library/busybox:1.36.1');
    expect(obj.spec.sidecar.image).toBe(`registry.corp/ghcr/deliveryhero/asya-sidecar:0.1.1@${D2}`);
    expect(JSON.stringify(obj)).not.toMatch(/ghcr\.io|docker\.io/);
  });

  test('requireDigests also covers oci:// model images (a KServe modelcar is pulled by kubelet like any image, kserve/kserve pkg/utils/storage.go @ v0.20.0)', () => {
    const a = Testing.app();
    const chart = new Chart(a, 'm', { namespace: 'ai' });
    new KServeModel(chart, 'embedder', {
      modelFormat: { name: 'huggingface' },
      storageUri: 'oci://registry.corp/models/bge:1',
      resources: { cpu: { limit: '1' }, memory: { limit: '2Gi' } },
    });
    ImagePolicy.apply(a, { requireDigests: true });
    expect(() => a.synth()).toThrow(/oci:\/\/registry\.corp\/models\/bge:1/);
    const b = Testing.app();
    const chart2 = new Chart(b, 'm', { namespace: 'ai' });
    new KServeModel(chart2, 'embedder', {
      modelFormat: { name: 'huggingface' },
      storageUri: 'oci://registry.corp/models/bge:1',
      resources: { cpu: { limit: '1' }, memory: { limit: '2Gi' } },
    });
    ImagePolicy.apply(b, { requireDigests: true, digests: { 'registry.corp/models/bge:1': D1 } });
    expect(one(synthValid(chart2), 'InferenceService').spec.predictor.model.storageUri).toBe(`oci://registry.corp/models/bge:1@${D1}`);
  });

  test('requireDigests fails synth listing every unpinned image', () => {
    const { app: a } = app();
    ImagePolicy.apply(a, { requireDigests: true, digests: { 'ghcr.io/acme/steps:1.0.0': D1 } });
    expect(() => a.synth()).toThrow(/requireDigests is set and 2 image\(s\) are not pinned by digest \(add them to digests\):\n {2}busybox:1\.36\.1\n {2}ghcr\.io\/deliveryhero\/asya-sidecar:0\.1\.1/);
  });

  test('requireDigests passes when everything is pinned; oci:// model URIs are mirrored', () => {
    const { app: a } = app();
    const p = ImagePolicy.apply(a, {
      requireDigests: true,
      registryMirrors: { 'ghcr.io': 'mirror.local:5000/ghcr' },
      digests: { 'ghcr.io/acme/steps:1.0.0': D1, 'ghcr.io/deliveryhero/asya-sidecar:0.1.1': D2, 'busybox:1.36.1': D1 },
    });
    expect(() => a.synth()).not.toThrow();
    expect(p.unpinned).toEqual([]);
    expect(p.rewrite('ghcr.io/acme/llama:1')).toBe('mirror.local:5000/ghcr/acme/llama:1');
  });

  test('rejects bad digests and mirrors', () => {
    expect(() => new ImagePolicy({ digests: { 'x:1': 'sha256:abc' } })).toThrow('ImagePolicy: digests["x:1"] ("sha256:abc") must be sha256:<64 hex digits>');
    expect(() => new ImagePolicy({ registryMirrors: { 'ghcr.io': 'https://mirror' } })).toThrow('registryMirrors["ghcr.io"] ("https://mirror") must be a registry host');
  });
});

describe('ImagePolicy: cost', () => {
  // cdk8s validates the whole app once per chart (cdk8s App._synthChart): rendering every chart inside
  // that validation would cost O(charts^2). requireDigests scans the objects' props instead.
  test('requireDigests does not render the charts in its validation', () => {
    const a = Testing.app();
    for (let i = 0; i < 5; i++) {
      new AsyncActor(new Chart(a, `c${i}`, { namespace: `ns${i}` }), `step${i}`, { transport: Transport.rabbitmq(), handler: 'a.b', image: `ghcr.io/acme/s${i}:1.0.0@${D1}`, resources: SMALL_RESOURCES });
    }
    ImagePolicy.apply(a, { requireDigests: true, digests: { 'ghcr.io/deliveryhero/asya-sidecar:0.1.1': D2 } });
    const spy = jest.spyOn(Chart.prototype, 'toJson');
    try {
      a.synthYaml();
      expect(spy).toHaveBeenCalledTimes(5);
    } finally {
      spy.mockRestore();
    }
  });
});
