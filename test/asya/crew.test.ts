import { Testing, Chart } from 'cdk8s';
import { AsyaCrew, AsyaNamespace, QueueNaming, ResultStorage, Transport } from '../../src';
import { one, synthValid, testChart } from '../util';

function runtime(obj: any): any {
  return obj.spec.workload.template.spec.containers[0];
}

describe('AsyaCrew', () => {
  test('MinIO storage by Secret reference, envelope mode, pinned crew image, gateway URL literal', () => {
    const chart = testChart('asya-system');
    const crew = new AsyaCrew(chart, 'crew', {
      transport: Transport.rabbitmq(),
      storage: ResultStorage.minio({ bucket: 'results', endpoint: 'http://minio:9000', credentialsSecret: 'minio-creds' }),
      gatewayUrl: 'http://asya-gateway.asya-system.svc.cluster.local:8080',
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(crew.happyEnd.actorName).toBe('happy-end');
    expect(crew.errorEnd.queueName).toBe('asya-error-end');
    const happy = runtime(one(manifests, 'AsyncActor', 'happy-end'));
    expect(happy.image).toBe('ghcr.io/deliveryhero/asya-crew:0.1.1');
    expect(happy.env).toEqual(expect.arrayContaining([
      { name: 'ASYA_HANDLER', value: 'handlers.end_handlers.happy_end_handler' },
      { name: 'ASYA_HANDLER_MODE', value: 'envelope' },
      { name: 'ASYA_S3_BUCKET', value: 'results' },
      { name: 'ASYA_S3_ENDPOINT', value: 'http://minio:9000' },
      { name: 'ASYA_S3_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'access-key' } } },
      { name: 'ASYA_S3_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'secret-key' } } },
      { name: 'ASYA_GATEWAY_URL', value: 'http://asya-gateway.asya-system.svc.cluster.local:8080' },
    ]));
    expect(JSON.stringify(manifests)).not.toMatch(/minioadmin/);
    expect(runtime(one(manifests, 'AsyncActor', 'error-end')).env).toContainEqual({ name: 'ASYA_HANDLER', value: 'handlers.end_handlers.error_end_handler' });
    expect(one(manifests, 'AsyncActor', 'happy-end').spec.scaling.maxReplicas).toBe(10);
    // PIP-4: at least one end actor, like the crew chart (deliveryhero/asya deploy/helm-charts/asya-crew/values.yaml:10-15 @ v0.1.1).
    for (const end of ['happy-end', 'error-end']) expect(one(manifests, 'AsyncActor', end).spec.scaling.minReplicas).toBe(1);
  });

  test('S3 with the default credential chain and no storage', () => {
    const chart = testChart('asya-system');
    new AsyaCrew(chart, 'crew', { transport: Transport.rabbitmq(), storage: ResultStorage.s3({ bucket: 'b', region: 'eu-west-1' }) });
    const env = runtime(one(synthValid(chart), 'AsyncActor', 'happy-end')).env;
    expect(env).toContainEqual({ name: 'AWS_REGION', value: 'eu-west-1' });
    expect(env.map((e: any) => e.name)).not.toContain('ASYA_S3_ACCESS_KEY');
    const chart2 = testChart('asya-system');
    new AsyaCrew(chart2, 'crew', { transport: Transport.rabbitmq(), storage: ResultStorage.none() });
    expect(runtime(one(synthValid(chart2), 'AsyncActor', 'happy-end')).env.map((e: any) => e.name)).toEqual(['ASYA_HANDLER', 'ASYA_HANDLER_MODE']);
  });

  test('rejects MinIO without credentials and bad URLs', () => {
    expect(() => ResultStorage.minio({ bucket: 'b', endpoint: 'http://minio:9000', credentialsSecret: '' }))
      .toThrow('ResultStorage.minio: credentialsSecret ("") is required: without credentials the crew falls back to minioadmin/minioadmin');
    expect(() => ResultStorage.minio({ bucket: 'b', endpoint: 'minio:9000', credentialsSecret: 's' })).toThrow('endpoint ("minio:9000") must be an http:// or https:// URL');
    expect(() => new AsyaCrew(testChart(), 'crew', { transport: Transport.rabbitmq(), storage: ResultStorage.none(), gatewayUrl: 'gateway' }))
      .toThrow('test/crew: gatewayUrl ("gateway") must be an http:// or https:// URL');
  });
});

describe('AsyaNamespace', () => {
  test('baseline enforced, restricted warned and audited, cluster-scoped', () => {
    const chart = testChart('ai');
    new AsyaNamespace(chart, 'ai');
    const ns = one(synthValid(chart), 'Namespace', 'ai');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    });
    const plain = new Chart(Testing.app(), 'plain');
    new AsyaNamespace(plain, 'x', { name: 'other' });
    expect(one(synthValid(plain), 'Namespace', 'other').metadata.name).toBe('other');
    expect(() => new AsyaNamespace(testChart(), 'Bad')).toThrow('test/Bad: name (from the construct id) ("Bad") must be a DNS-1123 label');
  });

  // GIT-6: pruning a Namespace deletes the out-of-band Secrets in it. Argo CD skips resources annotated
  // Prune=false and keeps Delete=false ones when the Application is deleted (argoproj/argo-cd
  // docs/user-guide/sync-options.md @ v3.5.1); Flux skips `kustomize.toolkit.fluxcd.io/prune: disabled`
  // (fluxcd/kustomize-controller docs/spec/v1/kustomizations.md @ v1.9.4).
  test('protected from GitOps pruning by default; opt-out', () => {
    const chart = testChart('ai');
    new AsyaNamespace(chart, 'ai');
    new AsyaNamespace(chart, 'scratch', { protectFromPruning: false });
    const manifests = synthValid(chart);
    expect(one(manifests, 'Namespace', 'ai').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
    expect(one(manifests, 'Namespace', 'scratch').metadata.annotations).toBeUndefined();
  });
});

describe('Transport and queue naming', () => {
  test('queue names live in one place', () => {
    expect(QueueNaming.queueName('embed')).toBe('asya-embed');
    expect(QueueNaming.deadLetterQueueName('embed')).toBe('asya-embed-dlq');
    expect(Transport.rabbitmq().queueName('x')).toBe('asya-x');
    expect(Transport.rabbitmq({ port: 5673 }).brokerPorts).toEqual([5673]);
    expect(Transport.sqs({ region: 'eu-west-1', accountId: '123456789012' }).brokerPorts).toEqual([443]);
  });

  test('rejects bad SQS settings', () => {
    expect(() => Transport.sqs({ region: 'europe', accountId: '123456789012' })).toThrow('Transport.sqs: region ("europe") must be an AWS region such as eu-central-1');
    expect(() => Transport.sqs({ region: 'eu-west-1', accountId: '1234' })).toThrow('accountId ("1234") must be a 12-digit AWS account id');
    expect(() => Transport.sqs({ region: 'eu-west-1', accountId: '123456789012', credentialsSecret: 's', kedaRoleArn: 'arn:aws:iam::1:role/k' }))
      .toThrow('kedaRoleArn ("arn:aws:iam::1:role/k") cannot be combined with credentialsSecret');
  });
});
