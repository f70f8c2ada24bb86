/**
 * Pod Security fidelity (field-review PSS-1..4): each test cites the upstream check it encodes, from
 * kubernetes/pod-security-admission @ 8f84a87, `policy/check_*.go`.
 */
import { Policy, PodTemplates, PolicyFinding, SchemaValidator } from '../../src/validation';
import { deployment, denyAll, NS, secureContainer, securePodSpec } from './fixtures/policy/manifests';
import { podSecurityMinor } from '../../src/validation/policy/pod-security';
import { safeSysctls } from '../../src/validation/policy/pod-security-baseline';

const DEP = `apps/v1/Deployment ${NS}/web`;
const POD = '.spec.template.spec';
const C0 = `${POD}.containers[0]`;

function dep(edit: (pod: any, container: any, d: any) => void): any {
  const d = deployment();
  edit(d.spec.template.spec, d.spec.template.spec.containers[0], d);
  return d;
}

function of(ruleId: string, manifests: any[], kubernetesVersion?: string): Array<[string, string]> {
  return Policy.checkObjects([...manifests, denyAll()], { kubernetesVersion })
    .filter((f: PolicyFinding) => f.ruleId === ruleId).map((f) => [f.path, f.message]);
}

describe('PSS-1 baseline checks', () => {
  // check_appArmorProfile.go: type RuntimeDefault | Localhost | unset; annotations runtime/default, localhost/*, empty.
  test('ASYA-PSS-009 AppArmor Unconfined on pod, container and beta annotation (check_appArmorProfile.go)', () => {
    const d = dep((pod, c, m) => {
      pod.securityContext.appArmorProfile = { type: 'Unconfined' };
      c.securityContext.appArmorProfile = { type: 'Unconfined' };
      m.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/server': 'unconfined' };
    });
    expect(of('ASYA-PSS-009', [d])).toEqual([
      [`${POD}.securityContext.appArmorProfile.type`, 'pod sets AppArmor profile type "Unconfined": use RuntimeDefault or Localhost, or remove it'],
      [`${C0}.securityContext.appArmorProfile.type`, 'container "server" sets AppArmor profile type "Unconfined": use RuntimeDefault or Localhost, or remove it'],
      ['.spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/server"]',
        'annotation container.apparmor.security.beta.kubernetes.io/server="unconfined" sets a forbidden AppArmor profile: use runtime/default or localhost/<profile>'],
    ]);
  });

  test('ASYA-PSS-009 RuntimeDefault, Localhost and localhost/* annotations pass (check_appArmorProfile.go)', () => {
    const d = dep((pod, c, m) => {
      pod.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
      c.securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-apparmor' };
      m.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/server': 'localhost/k8s' };
    });
    expect(of('ASYA-PSS-009', [d])).toEqual([]);
  });

  // check_seLinuxOptions.go: types "", container_t, container_init_t, container_kvm_t (+ container_engine_t from 1.31); no user, no role.
  test('ASYA-PSS-010 SELinux type, user and role (check_seLinuxOptions.go)', () => {
    const d = dep((pod, c) => {
      pod.securityContext.seLinuxOptions = { type: 'spc_t' };
      c.securityContext.seLinuxOptions = { user: 'system_u', role: 'system_r', type: 'container_t' };
    });
    expect(of('ASYA-PSS-010', [d])).toEqual([
      [`${POD}.securityContext.seLinuxOptions.type`, 'pod sets SELinux type "spc_t": use one of container_t, container_init_t, container_kvm_t, container_engine_t or leave it unset'],
      [`${C0}.securityContext.seLinuxOptions.user`, 'container "server" sets SELinux user "system_u": remove seLinuxOptions.user'],
      [`${C0}.securityContext.seLinuxOptions.role`, 'container "server" sets SELinux role "system_r": remove seLinuxOptions.role'],
    ]);
  });

  test('ASYA-PSS-010 container_engine_t is allowed from 1.31 only (seLinuxOptions1_31)', () => {
    const d = dep((pod) => { pod.securityContext.seLinuxOptions = { type: 'container_engine_t', level: 's0:c1,c2' }; });
    expect(of('ASYA-PSS-010', [d], '1.31')).toEqual([]);
    expect(of('ASYA-PSS-010', [d], '1.30').map(([p]) => p)).toEqual([`${POD}.securityContext.seLinuxOptions.type`]);
  });

  // check_procMount_restricted.go (1.35) overrides the baseline check and does not relax for hostUsers: false.
  test('ASYA-PSS-011 procMount Unmasked, even with hostUsers: false (check_procMount_restricted.go)', () => {
    const d = dep((pod, c) => { pod.hostUsers = false; c.securityContext.procMount = 'Unmasked'; });
    expect(of('ASYA-PSS-011', [d])).toEqual([
      [`${C0}.securityContext.procMount`, 'container "server" sets procMount "Unmasked": remove it (the Default /proc masks apply)'],
    ]);
    expect(of('ASYA-PSS-011', [dep((_p, c) => { c.securityContext.procMount = 'Default'; })])).toEqual([]);
  });

  // check_sysctls.go: allowed sets per version 1.0, 1.27, 1.29, 1.32, 1.37.
  test('ASYA-PSS-012 sysctls by version (check_sysctls.go)', () => {
    expect(safeSysctls(26)).toHaveLength(5);
    expect(safeSysctls(27)).toContain('net.ipv4.ip_local_reserved_ports');
    expect(safeSysctls(31)).not.toContain('net.ipv4.tcp_rmem');
    expect(safeSysctls(32)).toContain('net.ipv4.tcp_rmem');
    expect(safeSysctls(37)).toHaveLength(14);
    const d = dep((pod) => { pod.securityContext.sysctls = [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }, { name: 'kernel.msgmax', value: '65536' }]; });
    expect(of('ASYA-PSS-012', [d], '1.32').map(([p]) => p)).toEqual([`${POD}.securityContext.sysctls[1].name`]);
    const old = of('ASYA-PSS-012', [d], '1.28');
    expect(old.map(([p]) => p)).toEqual([`${POD}.securityContext.sysctls[0].name`, `${POD}.securityContext.sysctls[1].name`]);
    expect(old[0][1]).toMatch(/^pod sets sysctl "net.ipv4.tcp_rmem", which Pod Security \(Kubernetes 1.28\) forbids: allowed are kernel.shm_rmid_forced, /);
  });

  // check_windowsHostProcess.go: hostProcess unset or false on pod and containers.
  test('ASYA-PSS-013 Windows hostProcess (check_windowsHostProcess.go)', () => {
    const d = dep((pod, c) => { pod.securityContext.windowsOptions = { hostProcess: true }; c.securityContext.windowsOptions = { hostProcess: false }; });
    expect(of('ASYA-PSS-013', [d])).toEqual([
      [`${POD}.securityContext.windowsOptions.hostProcess`, 'pod sets windowsOptions.hostProcess: true and runs on the host: remove it'],
    ]);
  });

  // check_hostProbesAndhostLifecycle.go: from 1.34, httpGet.host / tcpSocket.host of probes and lifecycle handlers empty.
  test('ASYA-PSS-014 probe and lifecycle hosts, from 1.34 (check_hostProbesAndhostLifecycle.go)', () => {
    const d = dep((_p, c) => {
      c.livenessProbe = { httpGet: { path: '/health', port: 8000, host: '169.254.169.254' } };
      c.lifecycle = { preStop: { tcpSocket: { port: 80, host: 'db.internal' } } };
      c.readinessProbe = { httpGet: { path: '/health', port: 8000, host: '' } };
    });
    expect(of('ASYA-PSS-014', [d])).toEqual([
      [`${C0}.livenessProbe.httpGet.host`, 'container "server" livenessProbe targets host "169.254.169.254": remove httpGet.host (the kubelet probes the pod IP)'],
      [`${C0}.lifecycle.preStop.tcpSocket.host`, 'container "server" lifecycle.preStop targets host "db.internal": remove tcpSocket.host (the kubelet probes the pod IP)'],
    ]);
    expect(of('ASYA-PSS-014', [d], '1.33')).toEqual([]);
  });
});

describe('PSS-2 pod-level values are checked even when containers override them', () => {
  // check_runAsNonRoot.go runAsNonRoot1_0: a pod-level false is a "badSetter" whatever the containers say.
  test('pod runAsNonRoot: false with every container true (check_runAsNonRoot.go)', () => {
    const d = dep((pod) => { pod.securityContext.runAsNonRoot = false; });
    expect(of('ASYA-PSS-001', [d])).toEqual([
      [`${POD}.securityContext.runAsNonRoot`,
        'pod sets securityContext.runAsNonRoot: false, which Pod Security forbids even when containers override it: set it to true or remove it'],
    ]);
  });

  // check_seccompProfile_restricted.go seccompProfileRestricted_1_19: a pod-level Unconfined is a badSetter.
  test('pod seccomp Unconfined with every container RuntimeDefault (check_seccompProfile_restricted.go)', () => {
    const d = dep((pod) => { pod.securityContext.seccompProfile = { type: 'Unconfined' }; });
    expect(of('ASYA-PSS-004', [d])).toEqual([
      [`${POD}.securityContext.seccompProfile.type`,
        'pod has seccomp profile "Unconfined", which Pod Security forbids even when containers override it: set securityContext.seccompProfile.type: RuntimeDefault'],
    ]);
  });

  test('a container with Unconfined is reported even when the pod sets RuntimeDefault (check_seccompProfile_restricted.go)', () => {
    const d = dep((_p, c) => { c.securityContext.seccompProfile = { type: 'Unconfined' }; });
    expect(of('ASYA-PSS-004', [d]).map(([p]) => p)).toEqual([`${C0}.securityContext.seccompProfile.type`]);
  });
});

describe('PSS-3 exemptions upstream makes', () => {
  // check_restrictedVolumes.go restrictedVolumes_1_0: volume.Image != nil is allowed.
  test('the image volume type is allowed; a volume with no source is not (check_restrictedVolumes.go)', () => {
    const d = dep((pod) => { pod.volumes.push({ name: 'weights', image: { reference: 'ghcr.io/acme/weights:1', pullPolicy: 'IfNotPresent' } }, { name: 'empty' }); });
    expect(of('ASYA-PSS-007', [d])).toEqual([
      [`${POD}.volumes[3]`, 'volume "empty" has no volume source, which Pod Security Standard "restricted" does not allow: use one of configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret'],
    ]);
  });

  // check_allowPrivilegeEscalation.go _1_25, check_capabilities_restricted.go _1_25, check_seccompProfile_restricted.go _1_25:
  // pods with os.name windows are exempt.
  test('Windows pods are exempt from allowPrivilegeEscalation, capabilities and seccomp (1.25 versions of the checks)', () => {
    const d = dep((pod, c) => {
      pod.os = { name: 'windows' };
      delete pod.securityContext.seccompProfile;
      c.securityContext = { runAsNonRoot: true };
    });
    for (const id of ['ASYA-PSS-002', 'ASYA-PSS-003', 'ASYA-PSS-004']) expect(of(id, [d])).toEqual([]);
    const linux = dep((pod, c) => { delete pod.securityContext.seccompProfile; c.securityContext = { runAsNonRoot: true }; });
    for (const id of ['ASYA-PSS-002', 'ASYA-PSS-003', 'ASYA-PSS-004']) expect(of(id, [linux])).toHaveLength(1);
  });

  // helpers.go relaxPolicyForUserNamespacePod + check_runAsNonRoot.go / check_runAsUser.go 1_35.
  test('hostUsers: false exempts runAsNonRoot and runAsUser from 1.35 only (check_runAsNonRoot.go, check_runAsUser.go)', () => {
    const d = dep((pod, c) => {
      pod.hostUsers = false; pod.securityContext.runAsUser = 0; pod.securityContext.runAsNonRoot = false; delete c.securityContext.runAsNonRoot;
    });
    expect(of('ASYA-PSS-001', [d])).toEqual([]);
    expect(of('ASYA-PSS-001', [d], '1.34').map(([p]) => p)).toEqual([
      `${POD}.securityContext.runAsUser`, `${POD}.securityContext.runAsNonRoot`, `${C0}.securityContext.runAsNonRoot`,
    ]);
  });

  test('the Kubernetes version is "latest" or 1.N with N >= 25', () => {
    expect(podSecurityMinor(undefined)).toBe(37);
    expect(podSecurityMinor('latest')).toBe(37);
    expect(podSecurityMinor('1.28')).toBe(28);
    expect(podSecurityMinor('v1.30.2')).toBe(30);
    expect(podSecurityMinor('1.99')).toBe(37);
    expect(() => podSecurityMinor('1.24')).toThrow('Pod Security kubernetesVersion ("1.24") must be "latest" or "1.N" with N >= 25');
    expect(() => Policy.defaultRules({ kubernetesVersion: 'next' })).toThrow('Pod Security kubernetesVersion ("next") must be "latest" or "1.N" with N >= 25');
  });
});

describe('PSS-4 pod templates of every kind, RBAC escalation', () => {
  test('every kind with a pinned schema is registered as carrying pod templates or not (no kind skipped silently)', () => {
    const known = new Set([...PodTemplates.kindsWithPodTemplates(), ...PodTemplates.kindsWithoutPodTemplates()]);
    const unregistered = SchemaValidator.knownKinds()
      .map((gvk) => { const parts = gvk.split('/'); return `${parts.length === 3 ? parts[0] : ''}/${parts[parts.length - 1]}`; })
      .filter((gk) => !known.has(gk));
    // Core kinds of the Kubernetes definitions that carry no pod template are listed generically; the
    // check is for every group the library emits (CRDs) and every workload kind.
    expect(unregistered.filter((gk) => !gk.startsWith('/') && !gk.includes('k8s.io/') && !/^(apps|batch|policy|autoscaling|coordination|discovery|events|node|storage|flowcontrol|resource|certificates|authentication|authorization|admissionregistration|apiextensions|apiregistration|internal|scheduling|networking)\//.test(gk))).toEqual([]);
    for (const workload of ['/Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob']) expect(known.has(workload)).toBe(true);
  });

  const pod = (name: string) => ({ metadata: { labels: { app: name } }, spec: securePodSpec() });

  test.each([
    // kubeflow/trainer v2.3.0 trainingruntime_types.go: spec.template is a JobSetTemplateSpec
    ['TrainingRuntime', {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainingRuntime',
      metadata: { name: 'torch', namespace: NS },
      spec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: pod('t') } } }] } } },
    },
    ['.spec.template.spec.replicatedJobs[0].template.spec.template.spec']],
    // kubernetes-sigs/jobset jobset_types.go: replicatedJobs[].template is a JobTemplateSpec
    ['JobSet', {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: { name: 'js', namespace: NS },
      spec: { replicatedJobs: [{ name: 'w', template: { spec: { template: pod('w') } } }] },
    },
    ['.spec.replicatedJobs[0].template.spec.template.spec']],
    // kedacore/keda scaledjob_types.go: jobTargetRef is a JobSpec
    ['ScaledJob', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'sj', namespace: NS }, spec: { jobTargetRef: { template: pod('sj') } } },
      ['.spec.jobTargetRef.template.spec']],
    // kubeflow/trainer v2.3.0 trainjob_types.go: runtimePatches[].trainingRuntimeSpec (a partial patch)
    ['TrainJob runtimePatches', {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'tj', namespace: NS },
      spec: { runtimeRef: { name: 'torch' }, runtimePatches: [{ manager: 'acme', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { containers: [{ name: 'node' }] } } } } }] } } } }] },
    },
    ['.spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template.spec']],
  ])('%s pod templates are found and pass when compliant', (_kind, manifest, paths) => {
    expect(PodTemplates.of(manifest).map((p) => p.path)).toEqual(paths);
    expect(Policy.checkObjects([manifest, denyAll()])).toEqual([]);
  });

  test('a partial pod spec (TrainJob patch) is checked for the values it sets', () => {
    const tj = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'tj', namespace: NS },
      spec: { runtimeRef: { name: 'torch' }, runtimePatches: [{ manager: 'acme', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'node', securityContext: { privileged: true } }] } } } } }] } } } }] },
    };
    expect(Policy.checkObjects([tj, denyAll()]).map((f) => f.ruleId)).toEqual(['ASYA-PSS-005', 'ASYA-PSS-006']);
  });

  test('a ScaledJob with a root container is reported', () => {
    const sj = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'sj', namespace: NS }, spec: { jobTargetRef: { template: pod('sj') } } };
    sj.spec.jobTargetRef.template.spec.containers = [{ ...secureContainer(), securityContext: { ...secureContainer().securityContext, runAsUser: 0 } }];
    expect(of('ASYA-PSS-001', [sj])).toEqual([['.spec.jobTargetRef.template.spec.containers[0].securityContext.runAsUser',
      'container "server" runs as uid 0 (root): set securityContext.runAsUser to a non-zero uid']]);
  });

  const role = (kind: string, rules: any[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'r', ...(kind === 'Role' ? { namespace: NS } : {}) }, rules });

  test('ASYA-RBAC-002 escalate, bind, impersonate and nonResourceURLs in a Role (kubernetes RBAC escalation prevention)', () => {
    const r = role('Role', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'escalate', 'bind'] },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(of('ASYA-RBAC-002', [r])).toEqual([
      ['.rules[0].verbs[1]', 'rule 0 grants "escalate", which lets the subject create or update Roles granting permissions the subject does not hold: remove it'],
      ['.rules[0].verbs[2]', 'rule 0 grants "bind", which lets the subject bind any Role, including ones with permissions the subject does not hold: remove it'],
      ['.rules[1].verbs[0]', 'rule 1 grants "impersonate", which lets the subject act as other users, groups or ServiceAccounts: remove it'],
      ['.rules[2].nonResourceURLs', 'rule 2 of a namespaced Role sets nonResourceURLs, which the API server rejects: move it to a ClusterRole'],
    ]);
    expect(of('ASYA-RBAC-002', [role('ClusterRole', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }])])).toEqual([]);
  });

  test('ASYA-RBAC-001 covers "*" in nonResourceURLs', () => {
    expect(of('ASYA-RBAC-001', [role('ClusterRole', [{ nonResourceURLs: ['*'], verbs: ['get'] }])])).toEqual([
      ['.rules[0].nonResourceURLs', 'rule 0 grants "*" in nonResourceURLs: list the nonResourceURLs the workload needs'],
    ]);
  });
});
