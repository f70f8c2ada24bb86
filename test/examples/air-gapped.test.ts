import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAirGapped } from '../../examples/air-gapped/app';
import { synthAppValid } from '../util';

test('the air-gapped example names no public registry and no model hub, and pins every image by digest', () => {
  const charts = synthAppValid(buildAirGapped(fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-'))));
  const text = JSON.stringify(charts);
  expect(text).not.toMatch(/ghcr\.io|docker\.io|nvcr\.io|quay\.io|gcr\.io|huggingface\.co|hf:\/\//);
  const images = [...text.matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]);
  expect(images.length).toBeGreaterThan(5);
  for (const image of images) expect(image).toMatch(/^registry\.corp\.internal\/.+@sha256:[a-f0-9]{64}$/);
  expect(text).toContain('"storageUri":"oci://registry.corp.internal/models/bge-small-en-v1.5:1"');
});
