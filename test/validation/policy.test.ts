import {
  ContainerRole, IPolicyRule, Policy, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule, PodTemplates,
} from '../../src/validation';
import {
  asyncActor, clusterRole, compliantObjects, configMap, cronJob, deployment, denyAll, inferenceService, inferenceSet,
  job, kaitoWorkspace, networkPolicy, NS, presetInferenceSet, pytorchJob, rayService, role, secretRef, statefulSet,
  trainJob, volcanoJob,
} from './fixtures/policy/manifests';
import { selectorMatches } from '../../src/validation/policy/network-policy';
import { looksLikeSecretName } from '../../src/validation/policy/secrets';

/** The findings of one rule over `manifests` (with a deny-all NetworkPolicy unless told otherwise). */
function findings(ruleId: string, manifests: any[], withNetworkPolicy: boolean = true): PolicyFinding[] {
  const all = withNetworkPolicy ? [...manifests, denyAll()] : manifests;
  return Policy.checkObjects(all).filter((f) => f.ruleId === ruleId);
}

function finding(ruleId: string, object: string, path: string, message: string, level: PolicyLevel = PolicyLevel.ERROR): PolicyFinding {
  return { ruleId, level, object, path, message };
}

const DEP = `apps/v1/Deployment ${NS}/web`;
const C0 = '.spec.template.spec.containers[0]';

/** The Deployment fixture with its pod spec changed by `edit`. */
function dep(edit: (pod: any, container: any) => void): any {
  const d = deployment();
  edit(d.spec.template.spec, d.spec.template.spec.containers[0]);
  return d;
}

describe('passing fixture', () => {
  test('every kind, compliant, gives no finding at all', () => {
    expect(Policy.checkObjects(compliantObjects())).toEqual([]);
  });

  test('the default rules have unique ids, a level, a description and a fix', () => {
    const rules = Policy.defaultRules();
    expect(rules.map((r) => r.id)).toEqual([
      'ASYA-PSS-001', 'ASYA-PSS-002', 'ASYA-PSS-003', 'ASYA-PSS-004', 'ASYA-PSS-005', 'ASYA-PSS-006', 'ASYA-PSS-007',
      'ASYA-PSS-008', 'ASYA-PSS-009', 'ASYA-PSS-010', 'ASYA-PSS-011', 'ASYA-PSS-012', 'ASYA-PSS-013', 'ASYA-PSS-014',
      'ASYA-SEC-001', 'ASYA-SEC-002', 'ASYA-SEC-003', 'ASYA-NET-001', 'ASYA-NET-002', 'ASYA-RES-001',
      'ASYA-IMG-001', 'ASYA-RBAC-001', 'ASYA-RBAC-002', 'ASYA-ACT-001', 'ASYA-ACT-002', 'ASYA-ACT-003', 'ASYA-ACT-004',
      'ASYA-ACT-005', 'ASYA-ACT-006', 'ASYA-ACT-007', 'ASYA-ACT-008', 'ASYA-ACT-009', 'ASYA-ACT-010', 'ASYA-ACT-011',
      'ASYA-ACT-012', 'ASYA-ACT-013', 'ASYA-SUP-001',
    ]);
    for (const r of rules) {
      expect(Object.values(PolicyLevel)).toContain(r.level);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.fix.length).toBeGreaterThan(10);
    }
  });
});

describe('PodTemplates.of finds the pod specs of every kind the library emits', () => {
  test.each([
    ['Deployment', deployment(), ['.spec.template.spec'], { app: 'web' }],
    ['StatefulSet', statefulSet(), ['.spec.template.spec'], { app: 'db' }],
    ['Job', job(), ['.spec.template.spec'], { 'batch.kubernetes.io/job-name': 'etl', 'job-name': 'etl' }],
    ['CronJob', cronJob(), ['.spec.jobTemplate.spec.template.spec'], { app: 'nightly' }],
    ['AsyncActor', asyncActor(), ['.spec.workload.template.spec'], { 'asya.sh/asya': 'rag-embed', 'app': 'rag-embed' }],
    ['InferenceService', inferenceService(), ['.spec.predictor'], { 'serving.kserve.io/inferenceservice': 'embedder', 'component': 'predictor' }],
    ['RayService', rayService(), ['.spec.rayClusterConfig.headGroupSpec.template.spec', '.spec.rayClusterConfig.workerGroupSpecs[0].template.spec'],
      { 'app': 'classifier', 'ray.io/node-type': 'head' }],
    ['Volcano Job', volcanoJob(), ['.spec.tasks[0].template.spec', '.spec.tasks[1].template.spec'],
      { 'volcano.sh/job-name': 'train', 'volcano.sh/task-spec': 'master' }],
    ['PyTorchJob', pytorchJob(), ['.spec.pytorchReplicaSpecs.Master.template.spec', '.spec.pytorchReplicaSpecs.Worker.template.spec'],
      { 'training.kubeflow.org/job-name': 'finetune', 'training.kubeflow.org/replica-type': 'master' }],
    ['KAITO Workspace', kaitoWorkspace(), ['.inference.template.spec'], { 'kaito.sh/workspace': 'phi' }],
    ['KAITO InferenceSet', inferenceSet(), ['.spec.template.inference.template.spec'], { 'inferenceset.kaito.sh/created-by': 'llm' }],
    ['KAITO preset InferenceSet (no template)', presetInferenceSet(), [], undefined],
    ['TrainJob (no pod template)', trainJob(), [], undefined],
    ['ConfigMap', configMap(), [], undefined],
  ])('%s', (_kind, manifest, paths, firstLabels) => {
    const pods = PodTemplates.of(manifest);
    expect(pods.map((p) => p.path)).toEqual(paths);
    if (firstLabels) expect(pods[0].labels).toEqual(firstLabels);
  });

  test('KServe model and framework keys are containers; init and ephemeral containers are found', () => {
    const isvc = inferenceService();
    isvc.spec.predictor.initContainers = [{ name: 'fetch', image: 'busybox:1.36' }];
    isvc.spec.predictor.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }];
    const [pod] = PodTemplates.of(isvc);
    expect(pod.containers.map((c) => [c.path, c.name, c.role])).toEqual([
      ['.spec.predictor.model', 'model', ContainerRole.MAIN],
      ['.spec.predictor.initContainers[0]', 'fetch', ContainerRole.INIT],
      ['.spec.predictor.ephemeralContainers[0]', 'debug', ContainerRole.EPHEMERAL],
    ]);
  });

  test('a bare Pod, a worker group label and non-objects', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ image: 'x:1' }] } };
    expect(PodTemplates.of(pod).map((p) => [p.path, p.labels, p.containers[0].name])).toEqual([['.spec', { a: 'b' }, '#0']]);
    expect(PodTemplates.of(rayService())[1].labels).toEqual({ 'app': 'classifier', 'ray.io/node-type': 'worker', 'ray.io/group': 'gpu' });
    expect(PodTemplates.of(null)).toEqual([]);
    expect(PodTemplates.of({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } })).toEqual([]);
  });
});

describe('ASYA-PSS-001 runAsNonRoot', () => {
  test('no runAsNonRoot on pod or container', () => {
    const d = dep((pod, c) => { delete pod.securityContext.runAsNonRoot; delete c.securityContext.runAsNonRoot; });
    expect(findings('ASYA-PSS-001', [d])).toEqual([finding('ASYA-PSS-001', DEP, `${C0}.securityContext.runAsNonRoot`,
      'container "server" may run as root: set securityContext.runAsNonRoot: true on the pod or the container')]);
  });

  test('a container overriding the pod with runAsNonRoot: false, and uid 0', () => {
    const d = dep((pod, c) => { c.securityContext.runAsNonRoot = false; pod.securityContext.runAsUser = 0; c.securityContext.runAsUser = 0; });
    expect(findings('ASYA-PSS-001', [d]).map((f) => [f.path, f.message])).toEqual([
      ['.spec.template.spec.securityContext.runAsUser', 'pod runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid (the library uses 1000)'],
      [`${C0}.securityContext.runAsUser`, 'container "server" runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid'],
      [`${C0}.securityContext.runAsNonRoot`, 'container "server" may run as root: set securityContext.runAsNonRoot: true on the pod or the container'],
    ]);
  });

  test('pod-level runAsNonRoot alone is enough', () => {
    expect(findings('ASYA-PSS-001', [dep((_pod, c) => { delete c.securityContext.runAsNonRoot; })])).toEqual([]);
  });
});

describe('ASYA-PSS-002 allowPrivilegeEscalation', () => {
  test('unset', () => {
    expect(findings('ASYA-PSS-002', [dep((_p, c) => { delete c.securityContext.allowPrivilegeEscalation; })])).toEqual([
      finding('ASYA-PSS-002', DEP, `${C0}.securityContext.allowPrivilegeEscalation`,
        'container "server" allows privilege escalation: set securityContext.allowPrivilegeEscalation: false'),
    ]);
  });
});

describe('ASYA-PSS-003 capabilities', () => {
  test('drop ALL missing, and SYS_ADMIN added', () => {
    const d = dep((_p, c) => { c.securityContext.capabilities = { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] }; });
    expect(findings('ASYA-PSS-003', [d])).toEqual([
      finding('ASYA-PSS-003', DEP, `${C0}.securityContext.capabilities.drop`,
        'container "server" does not drop ALL capabilities: set securityContext.capabilities.drop: ["ALL"]'),
      finding('ASYA-PSS-003', DEP, `${C0}.securityContext.capabilities.add[1]`,
        'container "server" adds capability "SYS_ADMIN": only NET_BIND_SERVICE may be added'),
    ]);
  });

  test('NET_BIND_SERVICE may be added', () => {
    expect(findings('ASYA-PSS-003', [dep((_p, c) => { c.securityContext.capabilities.add = ['NET_BIND_SERVICE']; })])).toEqual([]);
  });
});

describe('ASYA-PSS-004 seccomp', () => {
  test('no profile anywhere', () => {
    const d = dep((pod, c) => { delete pod.securityContext.seccompProfile; delete c.securityContext.seccompProfile; });
    expect(findings('ASYA-PSS-004', [d])).toEqual([finding('ASYA-PSS-004', DEP, `${C0}.securityContext.seccompProfile.type`,
      'container "server" has no seccomp profile: set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container')]);
  });

  test('Unconfined on the container overrides the pod', () => {
    const d = dep((_p, c) => { c.securityContext.seccompProfile = { type: 'Unconfined' }; });
    expect(findings('ASYA-PSS-004', [d]).map((f) => f.message)).toEqual([
      'container "server" has seccomp profile "Unconfined": set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container',
    ]);
  });

  test('Localhost is allowed', () => {
    expect(findings('ASYA-PSS-004', [dep((_p, c) => { c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }; })])).toEqual([]);
  });
});

describe('ASYA-PSS-005 privileged', () => {
  test('privileged: true', () => {
    expect(findings('ASYA-PSS-005', [dep((_p, c) => { c.securityContext.privileged = true; })])).toEqual([
      finding('ASYA-PSS-005', DEP, `${C0}.securityContext.privileged`,
        'container "server" is privileged: remove securityContext.privileged (GPUs come from resources.limits["nvidia.com/gpu"])'),
    ]);
  });

  test.each([
    ['KServe model', inferenceService, (m: any) => m.spec.predictor.model, '.spec.predictor.model', 'model', 'serving.kserve.io/v1beta1/InferenceService ml/embedder'],
    ['Ray worker', rayService, (m: any) => m.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0],
      '.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0]', 'server', 'ray.io/v1/RayService ml/classifier'],
    ['Volcano task', volcanoJob, (m: any) => m.spec.tasks[1].template.spec.containers[0], '.spec.tasks[1].template.spec.containers[0]', 'server',
      'batch.volcano.sh/v1alpha1/Job ml/train'],
    ['PyTorchJob worker', pytorchJob, (m: any) => m.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0],
      '.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]', 'server', 'kubeflow.org/v1/PyTorchJob ml/finetune'],
    ['KAITO inference template', kaitoWorkspace, (m: any) => m.inference.template.spec.containers[0], '.inference.template.spec.containers[0]', 'server',
      'kaito.sh/v1beta1/Workspace ml/phi'],
    ['AsyncActor runtime', asyncActor, (m: any) => m.spec.workload.template.spec.containers[0], '.spec.workload.template.spec.containers[0]', 'asya-runtime',
      'asya.sh/v1alpha1/AsyncActor ml/rag-embed'],
    ['CronJob', cronJob, (m: any) => m.spec.jobTemplate.spec.template.spec.containers[0], '.spec.jobTemplate.spec.template.spec.containers[0]', 'server',
      'batch/v1/CronJob ml/nightly'],
  ])('in a %s', (_what, make, container, path, name, object) => {
    const m = make();
    container(m).securityContext.privileged = true;
    expect(findings('ASYA-PSS-005', [m])).toEqual([finding('ASYA-PSS-005', object, `${path}.securityContext.privileged`,
      `container "${name}" is privileged: remove securityContext.privileged (GPUs come from resources.limits["nvidia.com/gpu"])`)]);
  });

  test('in an init container', () => {
    const d = dep((pod, c) => { pod.initContainers = [{ ...c, name: 'init', securityContext: { ...c.securityContext, privileged: true } }]; });
    expect(findings('ASYA-PSS-005', [d]).map((f) => f.path)).toEqual(['.spec.template.spec.initContainers[0].securityContext.privileged']);
  });
});

describe('ASYA-PSS-006 host namespaces', () => {
  test('hostNetwork, hostPID and hostIPC', () => {
    const d = dep((pod) => { pod.hostNetwork = true; pod.hostPID = true; pod.hostIPC = true; });
    expect(findings('ASYA-PSS-006', [d])).toEqual([
      finding('ASYA-PSS-006', DEP, '.spec.template.spec.hostNetwork', 'pod sets hostNetwork: true and shares the node\'s network namespace: remove hostNetwork'),
      finding('ASYA-PSS-006', DEP, '.spec.template.spec.hostPID', 'pod sets hostPID: true and shares the node\'s process namespace: remove hostPID'),
      finding('ASYA-PSS-006', DEP, '.spec.template.spec.hostIPC', 'pod sets hostIPC: true and shares the node\'s IPC namespace: remove hostIPC'),
    ]);
  });

  test('hostNetwork: false is fine', () => {
    expect(findings('ASYA-PSS-006', [dep((pod) => { pod.hostNetwork = false; })])).toEqual([]);
  });
});

describe('ASYA-PSS-007 volumes', () => {
  test('hostPath and nfs', () => {
    const d = dep((pod) => { pod.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }, { name: 'share', nfs: { server: 'nfs', path: '/x' } }); });
    expect(findings('ASYA-PSS-007', [d])).toEqual([
      finding('ASYA-PSS-007', DEP, '.spec.template.spec.volumes[2].hostPath',
        'volume "docker" mounts hostPath "/var/run/docker.sock" from the node: use emptyDir, a PersistentVolumeClaim or a CSI volume'),
      finding('ASYA-PSS-007', DEP, '.spec.template.spec.volumes[3].nfs',
        'volume "share" is of type nfs, which Pod Security Standard "restricted" does not allow: use one of configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret'),
    ]);
  });
});

describe('ASYA-PSS-008 hostPort', () => {
  test('a hostPort', () => {
    expect(findings('ASYA-PSS-008', [dep((_p, c) => { c.ports[0].hostPort = 8000; })])).toEqual([
      finding('ASYA-PSS-008', DEP, `${C0}.ports[0].hostPort`,
        'container "server" binds hostPort 8000 on the node: remove hostPort and expose containerPort 8000 through a Service'),
    ]);
  });

  test('hostPort 0 means none', () => {
    expect(findings('ASYA-PSS-008', [dep((_p, c) => { c.ports[0].hostPort = 0; })])).toEqual([]);
  });
});

describe('ASYA-SEC-001 secret-looking env with a literal value', () => {
  const MSG = (name: string) => `env ${name} looks like a secret and holds a literal value: keep it in a Secret and reference it (EnvValue.fromSecret / valueFrom.secretKeyRef)`;

  test('OPENAI_API_KEY in a container', () => {
    expect(findings('ASYA-SEC-001', [dep((_p, c) => { c.env.push({ name: 'OPENAI_API_KEY', value: 'sk-123' }); })])).toEqual([
      finding('ASYA-SEC-001', DEP, `${C0}.env[4].value`, MSG('OPENAI_API_KEY')),
    ]);
  });

  test('AsyncActor sidecar env and TrainJob trainer env', () => {
    const a = asyncActor();
    a.spec.sidecar.env = [{ name: 'RABBITMQ_PASSWORD', value: 'guest' }];
    const t = trainJob();
    t.spec.trainer.env.push({ name: 'HF_TOKEN', value: 'hf_abc' });
    expect(findings('ASYA-SEC-001', [a, t])).toEqual([
      finding('ASYA-SEC-001', 'asya.sh/v1alpha1/AsyncActor ml/rag-embed', '.spec.sidecar.env[0].value', MSG('RABBITMQ_PASSWORD')),
      finding('ASYA-SEC-001', 'trainer.kubeflow.org/v1alpha1/TrainJob ml/tune', '.spec.trainer.env[1].value', MSG('HF_TOKEN')),
    ]);
  });

  test.each([
    ['OPENAI_API_KEY', true], ['apiKey', true], ['api-key.txt', true], ['DB_PASSWORD', true], ['db_passwd', true], ['HF_TOKEN', true],
    ['AWS_SECRET_ACCESS_KEY', true], ['AWS_ACCESS_KEY', true], ['gcp-credentials', true], ['PRIVATE_KEY', true], ['StripeApiKey', true],
    ['SIGNING_KEY', true], ['MAX_TOKENS', false], ['BRIDGE_OUTPUT_KEY', false], ['ROUTING_KEY', false], ['DB_PASSWORD_FILE', false],
    ['SECRET_NAME', false], ['KEY', false], ['TOKENIZER', false], ['tools.yaml', false], ['HF_HOME', false],
  ])('looksLikeSecretName(%s) is %s', (name, expected) => {
    expect(looksLikeSecretName(name)).toBe(expected);
  });
});

describe('ASYA-SEC-002 secret-looking ConfigMap key', () => {
  test('api_key and password keys', () => {
    expect(findings('ASYA-SEC-002', [configMap({ 'api_key': 'abc', 'db.password': 'pw', 'empty_token': '', 'tools.yaml': 'x' })])).toEqual([
      finding('ASYA-SEC-002', 'v1/ConfigMap ml/cfg', '.data.api_key', 'ConfigMap key "api_key" looks like a secret and holds a literal value: move it to a Secret and reference it'),
      finding('ASYA-SEC-002', 'v1/ConfigMap ml/cfg', '.data["db.password"]', 'ConfigMap key "db.password" looks like a secret and holds a literal value: move it to a Secret and reference it'),
    ]);
  });
});

describe('ASYA-SEC-003 inline Secret (warning)', () => {
  test('data and stringData', () => {
    const s = { ...secretRef(), data: { password: 'cHc=' }, stringData: { token: 't', user: 'u' } };
    expect(findings('ASYA-SEC-003', [s])).toEqual([
      finding('ASYA-SEC-003', 'v1/Secret ml/placeholder', '.data',
        'Secret carries inline data (keys: password), committed with the manifests: create it out of band and reference it by name', PolicyLevel.WARNING),
      finding('ASYA-SEC-003', 'v1/Secret ml/placeholder', '.stringData',
        'Secret carries inline stringData (keys: token, user), committed with the manifests: create it out of band and reference it by name', PolicyLevel.WARNING),
    ]);
  });
});

describe('ASYA-NET-001 / ASYA-NET-002 NetworkPolicy coverage', () => {
  test('an AsyncActor selected by no NetworkPolicy is an error', () => {
    expect(findings('ASYA-NET-001', [asyncActor(), networkPolicy('other', { matchLabels: { app: 'other' } })], false)).toEqual([
      finding('ASYA-NET-001', 'asya.sh/v1alpha1/AsyncActor ml/rag-embed', '.spec.workload.template.spec',
        'pods (labels {"asya.sh/asya":"rag-embed","app":"rag-embed"}) are selected by no NetworkPolicy in namespace "ml": '
        + 'add a NetworkPolicy whose podSelector matches them (AsyncPipeline emits one per step)'),
    ]);
  });

  test('any other workload selected by no NetworkPolicy is a warning', () => {
    expect(findings('ASYA-NET-002', [deployment()], false)).toEqual([
      finding('ASYA-NET-002', DEP, '.spec.template.spec',
        'pods (labels {"app":"web"}) are selected by no NetworkPolicy in namespace "ml": add a NetworkPolicy whose podSelector matches them', PolicyLevel.WARNING),
    ]);
  });

  test.each([
    ['the operator label asya.sh/asya', { matchLabels: { 'asya.sh/asya': 'rag-embed' } }, true],
    ['the operator label app', { matchLabels: { app: 'rag-embed' } }, true],
    ['In', { matchExpressions: [{ key: 'asya.sh/asya', operator: 'In', values: ['rag-embed', 'rag-store'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'asya.sh/asya', operator: 'Exists' }] }, true],
    ['NotIn other', { matchExpressions: [{ key: 'asya.sh/asya', operator: 'NotIn', values: ['x'] }] }, true],
    ['DoesNotExist other', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, true],
    ['a different actor', { matchLabels: { 'asya.sh/asya': 'rag-store' } }, false],
    ['In without it', { matchExpressions: [{ key: 'asya.sh/asya', operator: 'In', values: ['rag-store'] }] }, false],
    ['NotIn it', { matchExpressions: [{ key: 'asya.sh/asya', operator: 'NotIn', values: ['rag-embed'] }] }, false],
    ['DoesNotExist it', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['an unknown operator', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['matchLabels and a failing expression', { matchLabels: { app: 'rag-embed' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, false],
  ])('a NetworkPolicy selecting %s', (_what, podSelector, covered) => {
    expect(findings('ASYA-NET-001', [asyncActor(), networkPolicy('np', podSelector)], false)).toHaveLength(covered ? 0 : 1);
  });

  test('a NetworkPolicy of another namespace does not count', () => {
    expect(findings('ASYA-NET-001', [asyncActor(), denyAll('other')], false)).toHaveLength(1);
  });

  test('KServe pods carry serving.kserve.io/inferenceservice; KAITO preset sets have no template to check', () => {
    const np = networkPolicy('isvc', { matchLabels: { 'serving.kserve.io/inferenceservice': 'embedder' } });
    expect(findings('ASYA-NET-002', [inferenceService(), presetInferenceSet(), np], false)).toEqual([]);
  });

  test('selectorMatches: no selector selects every pod', () => {
    expect(selectorMatches(undefined, { a: 'b' })).toBe(true);
    expect(selectorMatches({}, {})).toBe(true);
  });
});

describe('ASYA-RES-001 resources', () => {
  test('no resources at all, and requests only', () => {
    const d = dep((pod, c) => {
      delete c.resources;
      pod.initContainers = [{ ...c, name: 'init', resources: { requests: { cpu: '1', memory: '1Gi' } } }];
      pod.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }];
    });
    expect(findings('ASYA-RES-001', [d])).toEqual([
      finding('ASYA-RES-001', DEP, `${C0}.resources`,
        'container "server" sets no limits.cpu, requests.cpu, limits.memory, requests.memory: set resources.limits.cpu and resources.limits.memory (requests default to the limits)'),
      finding('ASYA-RES-001', DEP, '.spec.template.spec.initContainers[0].resources',
        'container "init" sets no limits.cpu, limits.memory: set resources.limits.cpu and resources.limits.memory (requests default to the limits)'),
    ]);
  });

  test('limits only is enough (requests default to them)', () => {
    expect(findings('ASYA-RES-001', [dep((_p, c) => { delete c.resources.requests; })])).toEqual([]);
  });

  // The operator copies spec.sidecar.resources into the injected asya-sidecar container verbatim and applies no
  // default (deliveryhero/asya src/asya-operator/internal/controller/asya_controller.go:686 @ v0.1.1).
  test('the AsyncActor\'s injected asya-sidecar: spec.sidecar.resources without limits, or absent', () => {
    const ACTOR = `asya.sh/v1alpha1/AsyncActor ${NS}/rag-embed`;
    const msg = (missing: string) => `container "asya-sidecar" (injected by the operator from spec.sidecar) sets no ${missing}: `
      + 'set spec.sidecar.resources.limits.cpu and spec.sidecar.resources.limits.memory (the operator applies no default)';
    const requestsOnly = asyncActor();
    requestsOnly.spec.sidecar.resources = { requests: { cpu: '100m', memory: '64Mi' } };
    const none = asyncActor();
    delete none.spec.sidecar;
    expect(findings('ASYA-RES-001', [requestsOnly])).toEqual([finding('ASYA-RES-001', ACTOR, '.spec.sidecar.resources', msg('limits.cpu, limits.memory'))]);
    expect(findings('ASYA-RES-001', [none])).toEqual([
      finding('ASYA-RES-001', ACTOR, '.spec.sidecar.resources', msg('limits.cpu, requests.cpu, limits.memory, requests.memory')),
    ]);
    const limitsOnly = asyncActor();
    limitsOnly.spec.sidecar.resources = { limits: { cpu: '500m', memory: '256Mi' } };
    expect(findings('ASYA-RES-001', [limitsOnly])).toEqual([]);
    // Only AsyncActors get an injected sidecar.
    const d = dep(() => undefined);
    d.spec.sidecar = {};
    expect(findings('ASYA-RES-001', [d])).toEqual([]);
  });
});

describe('ASYA-IMG-001 pinned images', () => {
  test(':latest, untagged, registry port without tag', () => {
    const d = dep((pod, c) => {
      c.image = 'ghcr.io/acme/server:latest';
      pod.initContainers = [{ ...c, name: 'init', image: 'busybox' }, { ...c, name: 'fetch', image: 'localhost:5000/fetch' }];
    });
    expect(findings('ASYA-IMG-001', [d])).toEqual([
      finding('ASYA-IMG-001', DEP, `${C0}.image`, 'container "server" image "ghcr.io/acme/server:latest" uses the :latest tag: pin a version tag or a digest'),
      finding('ASYA-IMG-001', DEP, '.spec.template.spec.initContainers[0].image', 'container "init" image "busybox" has no tag (it means :latest): pin a version tag or a digest'),
      finding('ASYA-IMG-001', DEP, '.spec.template.spec.initContainers[1].image',
        'container "fetch" image "localhost:5000/fetch" has no tag (it means :latest): pin a version tag or a digest'),
    ]);
  });

  test('AsyncActor sidecar and TrainJob trainer', () => {
    const a = asyncActor();
    a.spec.sidecar.image = 'ghcr.io/deliveryhero/asya-sidecar';
    const t = trainJob();
    t.spec.trainer.image = 'ghcr.io/acme/trainer:latest';
    expect(findings('ASYA-IMG-001', [a, t])).toEqual([
      finding('ASYA-IMG-001', 'asya.sh/v1alpha1/AsyncActor ml/rag-embed', '.spec.sidecar.image',
        'sidecar image "ghcr.io/deliveryhero/asya-sidecar" has no tag (it means :latest): pin a version tag or a digest'),
      finding('ASYA-IMG-001', 'trainer.kubeflow.org/v1alpha1/TrainJob ml/tune', '.spec.trainer.image',
        'trainer image "ghcr.io/acme/trainer:latest" uses the :latest tag: pin a version tag or a digest'),
    ]);
  });

  test('a digest and a registry port with a tag are pinned', () => {
    const d = dep((pod, c) => {
      c.image = 'ghcr.io/acme/server@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
      pod.initContainers = [{ ...c, name: 'init', image: 'localhost:5000/fetch:1.0' }];
    });
    expect(findings('ASYA-IMG-001', [d])).toEqual([]);
  });
});

describe('ASYA-RBAC-001 wildcards', () => {
  test('wildcards in a Role and a ClusterRole', () => {
    expect(findings('ASYA-RBAC-001', [
      role([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['*'] }]),
      clusterRole([{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }]),
    ])).toEqual([
      finding('ASYA-RBAC-001', 'rbac.authorization.k8s.io/v1/Role ml/launcher', '.rules[0].verbs', 'rule 0 grants "*" in verbs: list the verbs the workload needs'),
      finding('ASYA-RBAC-001', 'rbac.authorization.k8s.io/v1/ClusterRole reader', '.rules[0].apiGroups', 'rule 0 grants "*" in apiGroups: list the apiGroups the workload needs'),
      finding('ASYA-RBAC-001', 'rbac.authorization.k8s.io/v1/ClusterRole reader', '.rules[0].resources', 'rule 0 grants "*" in resources: list the resources the workload needs'),
    ]);
  });
});

describe('Policy', () => {
  /** A user rule: every Deployment carries a team label. */
  class TeamLabelRule extends PolicyRule {
    public constructor() {
      super({ id: 'ACME-001', level: PolicyLevel.WARNING, description: 'Deployments carry a team label', fix: 'Add metadata.labels.team.' });
    }
    public check(manifest: any, context: PolicyContext): PolicyFinding[] {
      expect(context.manifests.length).toBeGreaterThan(0);
      return manifest.kind === 'Deployment' && !manifest.metadata.labels?.team ? [this.finding(manifest, '.metadata.labels', 'no team label: add metadata.labels.team')] : [];
    }
  }

  test('custom rules replace the defaults; ASYA-SUP-001 always runs', () => {
    const d = dep((_p, c) => { c.image = 'x:latest'; });
    d.metadata.annotations = { [Policy.SUPPRESS_ANNOTATION]: 'nope' };
    const rules: IPolicyRule[] = [new TeamLabelRule()];
    expect(Policy.checkObjects([d], { rules }).map((f) => f.ruleId)).toEqual(['ACME-001', 'ASYA-SUP-001']);
  });

  test('skipRules', () => {
    const d = dep((_p, c) => { c.image = 'x:latest'; delete c.resources; });
    expect(Policy.checkObjects([d, denyAll()], { skipRules: ['ASYA-IMG-001'] }).map((f) => f.ruleId)).toEqual(['ASYA-RES-001']);
  });

  test('assertObjectsCompliant lists every error, not warnings', () => {
    const d = dep((_p, c) => { c.image = 'x:latest'; c.securityContext.privileged = true; });
    expect(() => Policy.assertObjectsCompliant([d, deployment('other')])).toThrow([
      '2 policy finding(s), 2 error(s):',
      `  [error] ASYA-PSS-005 ${DEP} ${C0}.securityContext.privileged: container "server" is privileged: remove securityContext.privileged (GPUs come from resources.limits["nvidia.com/gpu"])`,
      `  [error] ASYA-IMG-001 ${DEP} ${C0}.image: container "server" image "x:latest" uses the :latest tag: pin a version tag or a digest`,
    ].join('\n'));
    expect(() => Policy.assertObjectsCompliant([deployment()])).not.toThrow(); // a NET-002 warning only
  });
});
