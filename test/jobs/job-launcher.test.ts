import { Chart, Testing } from 'cdk8s';
import { JobLauncher, JobLauncherProps, KueueJob, LaunchParameterType, LocalQueue, PyTorchTrainingJob, TrainJob, TrainingRuntimeRef, Transport, VolcanoTrainingJob } from '../../src';
import { one, synthValid, testChart } from '../util';

const IMAGE = 'ghcr.io/acme/trainer:1.4.0';
const RESOURCES = { cpu: { request: '1', limit: '2' }, memory: { request: '2Gi', limit: '4Gi' } };

function launcher(props: Partial<JobLauncherProps> = {}, ns: string = 'ml') {
  const chart = testChart(ns);
  const job = new VolcanoTrainingJob(chart, 'finetune', {
    tasks: [{ name: 'worker', image: IMAGE, args: ['--epochs', '3', '--data', 's3://datasets/default'], replicas: 2, resources: RESOURCES }],
  });
  const l = new JobLauncher(chart, 'train-launcher', {
    job,
    transport: Transport.rabbitmq(),
    parameters: [
      { name: 'epochs', type: LaunchParameterType.INTEGER, minimum: 1, maximum: 50, targets: ['/spec/tasks/0/template/spec/containers/0/args/1'] },
      { name: 'dataset', type: LaunchParameterType.STRING, required: true, pattern: '^s3://[a-z0-9.-]+/.+$', targets: ['/spec/tasks/0/template/spec/containers/0/args/3'] },
    ],
    ...props,
  });
  return { chart, launcher: l };
}

function env(actor: any): Record<string, any> {
  return Object.fromEntries(actor.spec.workload.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('JobLauncher', () => {
  test('an envelope-mode actor with the job as a template and exactly the RBAC it needs', () => {
    const { chart, launcher: l } = launcher();
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    // The job itself is not applied: only launched per message.
    expect(manifests.filter((m) => m.apiVersion === 'batch.volcano.sh/v1alpha1')).toEqual([]);
    expect(l.manifest.kind).toBe('Job');

    const role = one(manifests, 'Role', 'train-launcher');
    expect(role.rules).toEqual([{ apiGroups: ['batch.volcano.sh'], resources: ['jobs'], verbs: ['create', 'get'] }]);
    const binding = one(manifests, 'RoleBinding', 'train-launcher');
    // JL-7: a ServiceAccount subject names its namespace (k8s.io/api rbac/v1 Subject: required for ServiceAccount).
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'train-launcher', namespace: 'ml' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'train-launcher' });
    one(manifests, 'ServiceAccount', 'train-launcher');

    const actor = one(manifests, 'AsyncActor', 'train-launcher');
    expect(actor.spec.workload.template.spec.serviceAccountName).toBe('train-launcher');
    const e = env(actor);
    expect(e.ASYA_HANDLER).toBe('job_launcher.handle');
    expect(e.ASYA_HANDLER_MODE).toBe('envelope');
    expect(e.LAUNCHER_RESOURCE_PATH).toBe('/apis/batch.volcano.sh/v1alpha1/namespaces/ml/jobs');
    expect(e.LAUNCHER_NAMESPACE).toBe('ml');
    expect(JSON.parse(e.LAUNCHER_MANIFEST).metadata.name).toBe('finetune');
    // JL-5: launched jobs name their launcher, not only the template.
    expect(JSON.parse(e.LAUNCHER_MANIFEST).metadata.labels).toEqual({ 'asya.sh/launcher': 'train-launcher' });
    expect(JSON.parse(e.LAUNCHER_PARAMETERS)).toEqual([
      { name: 'epochs', type: 'integer', required: false, targets: ['/spec/tasks/0/template/spec/containers/0/args/1'], minimum: 1, maximum: 50 },
      { name: 'dataset', type: 'string', required: true, targets: ['/spec/tasks/0/template/spec/containers/0/args/3'], pattern: '^s3://[a-z0-9.-]+/.+$' },
    ]);
    // The handlers ship once per chart and namespace (src/asya/bundled-handler.ts): one ConfigMap, imported from PYTHONPATH.
    const handlers = one(manifests, 'ConfigMap');
    expect(handlers.metadata.name).toBe('test-handlers');
    expect(Object.keys(handlers.data)).toEqual(['asya_http.py', 'job_launcher.py']);
    expect(handlers.data['job_launcher.py']).toContain('def handle(');
    expect(l.egress).toEqual([{ ipBlock: '0.0.0.0/0', ports: [443, 6443] }]);
  });

  test('with SQS and IRSA the Role is bound to the operator-made ServiceAccount asya-<actor>', () => {
    const { chart } = launcher({ transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', irsa: true }) });
    const manifests = synthValid(chart);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toEqual([]);
    expect(one(manifests, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'asya-train-launcher', namespace: 'ml' }]);
    expect(one(manifests, 'AsyncActor').spec.workload.template.spec.serviceAccountName).toBeUndefined();
  });

  test.each<[string, Partial<JobLauncherProps>, string]>([
    ['a target that does not exist', { parameters: [{ name: 'x', type: LaunchParameterType.STRING, targets: ['/spec/nope'] }] },
      'test/train-launcher: parameters[0].targets[0] ("/spec/nope") does not exist in the Job manifest'],
    ['a target into metadata', { parameters: [{ name: 'x', type: LaunchParameterType.STRING, targets: ['/metadata/name'] }] },
      'parameters[0].targets[0] ("/metadata/name") may not point into apiVersion, kind or metadata'],
    ['a target that is an object', { parameters: [{ name: 'x', type: LaunchParameterType.STRING, targets: ['/spec/tasks/0'] }] },
      'parameters[0].targets[0] ("/spec/tasks/0") must point at a scalar value'],
    ['no targets', { parameters: [{ name: 'x', type: LaunchParameterType.STRING, targets: [] }] }, 'parameters[0].targets ([]) must name at least one JSON pointer'],
    ['a bad name', { parameters: [{ name: 'my-param', type: LaunchParameterType.STRING, targets: ['/spec/queue'] }] }, 'parameters[0].name ("my-param") must be an identifier'],
    ['a duplicate name', {
      parameters: [{ name: 'q', type: LaunchParameterType.STRING, targets: ['/spec/queue'] }, { name: 'q', type: LaunchParameterType.STRING, targets: ['/spec/queue'] }],
    }, 'parameters[1].name ("q") is declared twice'],
    ['a pattern on an integer', { parameters: [{ name: 'n', type: LaunchParameterType.INTEGER, pattern: '\\d+', targets: ['/spec/tasks/0/replicas'] }] },
      'parameters[0].pattern ("\\\\d+") applies to string parameters only'],
    ['an invalid pattern', { parameters: [{ name: 's', type: LaunchParameterType.STRING, pattern: '(', targets: ['/spec/queue'] }] }, 'parameters[0].pattern ("(") is not a valid regular expression'],
    ['minimum above maximum', { parameters: [{ name: 'n', type: LaunchParameterType.INTEGER, minimum: 5, maximum: 1, targets: ['/spec/tasks/0/replicas'] }] },
      'parameters[0].minimum (5) must not exceed parameters[0].maximum (1)'],
    ['a bad default', { parameters: [{ name: 's', type: LaunchParameterType.STRING, defaultJson: 'nope', targets: ['/spec/queue'] }] }, 'parameters[0].defaultJson ("nope") must be valid JSON'],
    ['too many retries', { maxRetries: 11 }, 'maxRetries (11) must be a whole number from 0 to 10'],
  ])('rejects %s', (_t, props, message) => {
    expect(() => launcher(props)).toThrow(message);
  });

  test('rejects a job in another namespace', () => {
    const app = Testing.app();
    const jobs = new Chart(app, 'jobs', { namespace: 'training' });
    const job = new VolcanoTrainingJob(jobs, 'finetune', { tasks: [{ name: 'worker', image: IMAGE, resources: RESOURCES }] });
    const actors = new Chart(app, 'actors', { namespace: 'ml' });
    expect(() => new JobLauncher(actors, 'l', { job, transport: Transport.rabbitmq() }))
      .toThrow('actors/l: job ("Job in training") must be in the launcher\'s namespace ml: its Role grants create/get there only');
  });

  // JL-2: the handler launches `<base[:52]>-<10 hex>` (handlers/job_launcher.py `_render`); Volcano validates
  // pod names <job>-<task>-<index> at most 63 (volcano-sh/volcano pkg/webhooks/admission/jobs/validate/
  // admit_job.go @ v1.15.1), the PyTorchJob operator names Services <job>-worker-<i>, JobSet pods (KFL-1).
  describe('launched names (JL-2)', () => {
    test('a Volcano job whose launched pod names would pass 63 characters is refused', () => {
      const chart = testChart('ml');
      const job = new VolcanoTrainingJob(chart, 'j', { name: 'a'.repeat(44), tasks: [{ name: 'worker', image: IMAGE, replicas: 2, resources: RESOURCES }] });
      expect(job.maxNameLength).toBe(54);
      expect(() => new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq() }))
        .toThrow(`test/l: job ("Job ${'a'.repeat(44)}") has a name too long to launch: launched copies are named <name[:52]>-<10 hex digits> (55 characters), `
          + 'and this Job allows at most 54 (its pods or Services are named after it); shorten the job name to at most 43 characters');
      const ok = new VolcanoTrainingJob(chart, 'k', { name: 'b'.repeat(43), tasks: [{ name: 'worker', image: IMAGE, replicas: 2, resources: RESOURCES }] });
      new JobLauncher(chart, 'm', { job: ok, transport: Transport.rabbitmq() });
    });
    test('PyTorchJob and TrainJob bounds', () => {
      const chart = testChart('ml');
      const pj = new PyTorchTrainingJob(chart, 'p', { name: 'p'.repeat(45), image: IMAGE, workers: 10, resources: RESOURCES });
      expect(pj.maxNameLength).toBe(54);
      expect(() => new JobLauncher(chart, 'lp', { job: pj, transport: Transport.rabbitmq() })).toThrow('(56 characters), and this PyTorchJob allows at most 54');
      const tj = new TrainJob(chart, 't', { name: 't'.repeat(38), runtime: TrainingRuntimeRef.cluster('torch-distributed') });
      expect(() => new JobLauncher(chart, 'lt', { job: tj, transport: Transport.rabbitmq() })).toThrow('(49 characters), and this TrainJob allows at most 48');
    });
    test('a batch Job may use the whole 52 characters the handler keeps', () => {
      const chart = testChart('ml');
      const job = new KueueJob(chart, 'k', { name: 'k'.repeat(63), localQueue: 'q', image: IMAGE, resources: RESOURCES });
      new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq() });
    });
  });

  // GIT-2: launched jobs are not synced, so they keep suspend: true (Kueue's webhook would set it anyway:
  // kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go `ApplyDefaultForSuspend` @ v0.19.2).
  test('a queued job is launched suspended; its synced template is not', () => {
    const chart = testChart('ml');
    const k = new KueueJob(chart, 'k', { localQueue: 'q', image: IMAGE, resources: RESOURCES });
    const lk = new JobLauncher(chart, 'lk', { job: k, transport: Transport.rabbitmq() });
    expect(lk.manifest.spec.suspend).toBe(true);
    expect(k.toManifest().spec.suspend).toBeUndefined();
    const p = new PyTorchTrainingJob(chart, 'p', { image: IMAGE, resources: RESOURCES, kueue: { localQueue: 'q', acknowledgePyTorchJobIntegration: true } });
    expect(new JobLauncher(chart, 'lp', { job: p, transport: Transport.rabbitmq() }).manifest.spec.runPolicy.suspend).toBe(true);
    const v = new VolcanoTrainingJob(chart, 'v', { tasks: [{ name: 'w', image: IMAGE, resources: RESOURCES }] });
    expect(new JobLauncher(chart, 'lv', { job: v, transport: Transport.rabbitmq() }).manifest.spec.suspend).toBeUndefined();
  });

  // JL-1: the manifest is captured at construction; later changes would be silently ignored.
  describe('a captured job is frozen (JL-1)', () => {
    test('enqueue after the launcher captured the job throws', () => {
      const chart = testChart('ml');
      const lq = new LocalQueue(chart, 'q', { clusterQueue: 'cq' });
      const job = new TrainJob(chart, 't', { runtime: TrainingRuntimeRef.cluster('torch-distributed') });
      new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq() });
      expect(() => lq.enqueue(job)).toThrow('test/t: localQueue ("q") cannot be set: JobLauncher test/l has captured the job\'s manifest already; '
        + 'enqueue the job before creating its launcher');
    });
    test('any other change after capture fails validation at synth', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'ml', { namespace: 'ml' });
      const job = new KueueJob(chart, 'k', { localQueue: 'q', image: IMAGE, resources: RESOURCES });
      new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq() });
      job.resource.metadata.addLabel('team', 'a');
      expect(() => app.synth()).toThrow('job (Job k) changed after JobLauncher ml/l captured its manifest; the launcher would ignore the change');
    });
    test('enqueue before the launcher: the launched manifest carries the queue', () => {
      const chart = testChart('ml');
      const lq = new LocalQueue(chart, 'q', { clusterQueue: 'cq' });
      const job = new TrainJob(chart, 't', { runtime: TrainingRuntimeRef.cluster('torch-distributed') });
      lq.enqueue(job);
      const l = new JobLauncher(chart, 'l', { job, transport: Transport.rabbitmq() });
      expect(l.manifest.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('q');
      expect(l.manifest.spec.suspend).toBe(true);
    });
  });
});
