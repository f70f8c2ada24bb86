import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTraining } from '../../examples/training/app';
import { SchemaValidator } from '../../src';
import { runHandler, SeenRequest, withServer } from '../handlers/harness';
import { synthAppValid } from '../util';

/**
 * The construct and its handler agree: the env the JobLauncher synthesizes drives the real Python
 * handler against a local fake API server, and the job it creates is schema-valid.
 */
describe('JobLauncher end to end', () => {
  const charts = synthAppValid(buildTraining(fs.mkdtempSync(path.join(os.tmpdir(), 'train-'))));
  const launchers = charts.training.filter((m) => m.kind === 'AsyncActor');
  const tokenPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tok-')), 'token');
  fs.writeFileSync(tokenPath, 'token-1');

  test.each(launchers.map((a) => [a.metadata.name, a]))('%s creates one schema-valid job per message', async (_name, actor: any) => {
    const env: Record<string, string> = {};
    for (const e of actor.spec.workload.template.spec.containers[0].env) if (e.value !== undefined) env[e.name] = e.value;
    const created = (req: SeenRequest) => ({ status: 201, body: { ...req.json, metadata: { ...req.json.metadata, uid: 'u-1' } } });
    await withServer(created, async (url, server) => {
      const envelope = { id: 'msg-1', route: { actors: [actor.metadata.name], current: 0 }, headers: {}, payload: { dataset: 's3://datasets/wiki/2024' } };
      const out = await runHandler('job_launcher', envelope, { ...env, LAUNCHER_API_URL: url, LAUNCHER_TOKEN_PATH: tokenPath, LAUNCHER_BACKOFF_SECONDS: '0.01' });
      expect(out.ok).toBe(true);
      expect(out.result.payload.created).toBe(true);
      expect(server.requests).toHaveLength(1);
      const job = server.requests[0].json;
      expect(server.requests[0].path).toBe(`${env.LAUNCHER_RESOURCE_PATH}?fieldManager=asya-job-launcher`);
      expect(job.metadata.labels['asya.sh/launcher']).toBe(actor.metadata.name);
      expect(job.metadata.namespace).toBe('training');
      expect(JSON.stringify(job)).toContain('s3://datasets/wiki/2024');
      expect(SchemaValidator.validateObject(job)).toEqual([]);
    });
  });

  test('both launchers are covered', () => {
    expect(launchers.map((a) => a.metadata.name).sort()).toEqual(['training-kueue-launcher', 'training-volcano-launcher']);
  });
});
