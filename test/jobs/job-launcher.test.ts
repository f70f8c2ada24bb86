import { Chart, Testing } from 'cdk8s';
import { JobLauncher, JobLauncherProps, LaunchParameterType, Transport, VolcanoTrainingJob } from '../../src';
import { one, synthValid, testChart } from '../util';

const IMAGE = 'ghcr.io/acme/trainer:1.4.0';

function launcher(props: Partial<JobLauncherProps> = {}, ns: string = 'ml') {
  const chart = testChart(ns);
  const job = new VolcanoTrainingJob(chart, 'finetune', {
    tasks: [{ name: 'worker', image: IMAGE, args: ['--epochs', '3', '--data', 's3://datasets/default'], replicas: 2 }],
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
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'train-launcher' }]);
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
    expect(JSON.parse(e.LAUNCHER_PARAMETERS)).toEqual([
      { name: 'epochs', type: 'integer', required: false, targets: ['/spec/tasks/0/template/spec/containers/0/args/1'], minimum: 1, maximum: 50 },
      { name: 'dataset', type: 'string', required: true, targets: ['/spec/tasks/0/template/spec/containers/0/args/3'], pattern: '^s3://[a-z0-9.-]+/.+$' },
    ]);
    expect(one(manifests, 'ConfigMap', 'train-launcher-launcher').data['job_launcher.py']).toContain('def handle(');
    expect(l.egress).toEqual([{ ipBlock: '0.0.0.0/0', ports: [443, 6443] }]);
  });

  test('with SQS and IRSA the Role is bound to the operator-made ServiceAccount asya-<actor>', () => {
    const { chart } = launcher({ transport: Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', irsa: true }) });
    const manifests = synthValid(chart);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toEqual([]);
    expect(one(manifests, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'asya-train-launcher' }]);
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
    const job = new VolcanoTrainingJob(jobs, 'finetune', { tasks: [{ name: 'worker', image: IMAGE }] });
    const actors = new Chart(app, 'actors', { namespace: 'ml' });
    expect(() => new JobLauncher(actors, 'l', { job, transport: Transport.rabbitmq() }))
      .toThrow('actors/l: job ("Job in training") must be in the launcher\'s namespace ml: its Role grants create/get there only');
  });
});
