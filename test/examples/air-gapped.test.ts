import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAirGapped } from '../../examples/air-gapped/app';
import { synthAppValid } from '../util';

describe('the air-gapped example', () => {
  const charts = synthAppValid(buildAirGapped(fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-'))));
  const objects = Object.values(charts).flat();
  const text = JSON.stringify(charts);

  test('names no public registry and no model hub, and pins every image by digest', () => {
    expect(text).not.toMatch(/ghcr\.io|docker\.io|nvcr\.io|quay\.io|gcr\.io|huggingface\.co|hf:\/\//);
    const images = [...text.matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(5);
    for (const image of images) expect(image).toMatch(/^registry\.corp\.internal\/.+@sha256:[a-f0-9]{64}$/);
  });

  // KSV-3: a LocalModelCache of an oci:// URI is downloaded by the storage initializer, which has no oci:// branch
  // (kserve/kserve python/storage/kserve_storage/kserve_storage.py, pkg/controller/v1alpha1/localmodelnode/controller.go @ v0.20.0).
  // The embedder is a modelcar instead: KServe v0.20 ships storageInitializer.enableModelcar: true
  // (config/configmap/inferenceservice.yaml, charts/kserve-resources/values.yaml:37 @ v0.20.0).
  test('the embedder is an oci:// modelcar with a mirrored runtime image, not a LocalModelCache', () => {
    expect(objects.filter((o) => o.kind === 'LocalModelCache')).toEqual([]);
    const isvc = objects.find((o) => o.kind === 'InferenceService' && o.metadata.name === 'embedder');
    // The modelcar image is pinned by digest like every other image (ImagePolicy requireDigests covers oci://).
    expect(isvc.spec.predictor.model.storageUri).toMatch(/^oci:\/\/registry\.corp\.internal\/models\/bge-small-en-v1\.5:1@sha256:[0-9a-f]{64}$/);
    // KServe merges the predictor's container over the runtime's (pkg/controller/v1beta1/inferenceservice/utils/utils.go:253 @ v0.20.0).
    expect(isvc.spec.predictor.model.image).toMatch(/^registry\.corp\.internal\/dockerhub\/kserve\/huggingfaceserver:v0\.20\.0@sha256:/);
  });

  test('every model server runs with the Hugging Face Hub switched off', () => {
    const isvc = objects.find((o) => o.kind === 'InferenceService' && o.metadata.name === 'embedder');
    expect(isvc.spec.predictor.model.env).toEqual(expect.arrayContaining([{ name: 'HF_HUB_OFFLINE', value: '1' }]));
    const vllm = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm');
    expect(vllm.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'HF_HUB_OFFLINE', value: '1' }]));
  });

  // KAI-1: KAITO v0.12 never reads presetImage/accessMode private (kaito-project/kaito pkg/workspace/inference/preset_inferences.go @ v0.12.0).
  test('relies on no field the pinned operators ignore', () => {
    expect(text).not.toMatch(/"accessMode":"private"|presetOptions":\{"image"/);
  });
});
