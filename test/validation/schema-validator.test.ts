import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { SchemaValidator, ValidationIssue } from '../../src/validation/schema-validator';
import { synthValid, testChart } from '../util';
import { GOOD, good, refOf } from './fixtures/objects';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Splits a validator-style JSON path (`.spec.containers[0]["nvidia.com/gpu"]`) into keys. */
function keysOf(jsonPath: string): Array<string | number> {
  const keys: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]+)"\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(jsonPath)) !== null) {
    if (m.index !== consumed) throw new Error(`bad path ${jsonPath}`);
    consumed = re.lastIndex;
    keys.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]));
  }
  if (consumed !== jsonPath.length) throw new Error(`bad path ${jsonPath}`);
  return keys;
}

interface Change {
  readonly desc: string;
  apply(obj: any): void;
}

/** Sets the value at a JSON path (creating objects on the way). */
function set(at: string, value: unknown): Change {
  return {
    desc: `${at} = ${JSON.stringify(value)}`,
    apply(obj) {
      const keys = keysOf(at);
      let node = obj;
      for (const k of keys.slice(0, -1)) node = node[k] ??= {};
      node[keys[keys.length - 1]] = value;
    },
  };
}

/** Deletes the value at a JSON path. */
function unset(at: string): Change {
  return {
    desc: `without ${at}`,
    apply(obj) {
      const keys = keysOf(at);
      let node = obj;
      for (const k of keys.slice(0, -1)) node = node[k];
      delete node[keys[keys.length - 1]];
    },
  };
}

function changed(gvk: string, ...changes: Change[]): any {
  const obj = good(gvk);
  for (const c of changes) c.apply(obj);
  return obj;
}

/**
 * Asserts that `obj` is rejected with an issue at exactly `at` whose message contains `message`,
 * and that nothing else in the object is reported (the other issues, if any, are at the same path).
 */
function expectRejected(obj: any, at: string, message: string, object: string = refOf(obj)): ValidationIssue[] {
  const issues = SchemaValidator.validateObject(obj);
  expect(issues).toContainEqual({ object, path: at, message: expect.stringContaining(message) });
  expect(issues.filter((i) => i.path !== at)).toEqual([]);
  return issues;
}

const REQUIRED = (field: string) => `missing required field "${field}"`;
const UNKNOWN = (field: string) => `unknown field "${field}" (the schema does not allow it)`;
const QUANTITY = 'is not a valid quantity (e.g. 500m, 1Gi, 2)';
const CLUSTER_SCOPED = (kind: string) => `${kind} is cluster-scoped and must not set a namespace`;

// ---------------------------------------------------------------------------------------------
// 1. Every pinned kind: a good object passes, broken objects are rejected at the exact path
// ---------------------------------------------------------------------------------------------

type BadRow = [gvk: string, change: Change, path: string, message: string];

const BAD: BadRow[] = [
  // --- apps/v1
  ['apps/v1/Deployment', set('.spec.template.spec.containers[0].foo', 'bar'), '.spec.template.spec.containers[0]', UNKNOWN('foo')],
  ['apps/v1/Deployment', set('.spec.template.spec.containers[0].resources.limits.memory', '1GB'), '.spec.template.spec.containers[0].resources.limits.memory', `value "1GB" ${QUANTITY}`],
  ['apps/v1/Deployment', unset('.spec.selector'), '.spec', REQUIRED('selector')],
  ['apps/v1/Deployment', set('.spec.replicas', '2'), '.spec.replicas', 'value "2" must be of type integer'],
  ['apps/v1/Deployment', set('.spec.template.spec.containers[0].ports[0].containerPort', '8000'), '.spec.template.spec.containers[0].ports[0].containerPort', 'must be of type integer'],
  ['apps/v1/Deployment', unset('.spec.template.spec.containers[0].name'), '.spec.template.spec.containers[0]', REQUIRED('name')],
  ['apps/v1/StatefulSet', unset('.spec.serviceName'), '.spec', REQUIRED('serviceName')],
  ['apps/v1/StatefulSet', set('.spec.volumeClaimTemplates[0].spec.resources.requests.storage', '10GB'), '.spec.volumeClaimTemplates[0].spec.resources.requests.storage', `value "10GB" ${QUANTITY}`],
  // --- argoproj.io/v1alpha1
  // --- kustomize.toolkit.fluxcd.io/v1
  ['kustomize.toolkit.fluxcd.io/v1/Kustomization', unset('.spec.sourceRef'), '.spec', REQUIRED('sourceRef')],
  ['kustomize.toolkit.fluxcd.io/v1/Kustomization', set('.spec.sourceRef.kind', 'HelmRepository'), '.spec.sourceRef.kind',
    'value "HelmRepository" is not one of ["OCIRepository","GitRepository","Bucket","ExternalArtifact"]'],
  ['argoproj.io/v1alpha1/Application', unset('.spec.project'), '.spec', REQUIRED('project')],
  ['argoproj.io/v1alpha1/Application', unset('.spec.source.repoURL'), '.spec.source', REQUIRED('repoURL')],
  ['argoproj.io/v1alpha1/Application', set('.spec.syncPolicy.automated.prune', 'true'), '.spec.syncPolicy.automated.prune', 'value "true" must be of type boolean'],
  ['argoproj.io/v1alpha1/Application', set('.spec.destination.cluster', 'in-cluster'), '.spec.destination', UNKNOWN('cluster')],
  // --- asya.sh/v1alpha1
  ['asya.sh/v1alpha1/AsyncActor', unset('.spec.transport'), '.spec', REQUIRED('transport')],
  ['asya.sh/v1alpha1/AsyncActor', set('.spec.transport', ''), '.spec.transport', 'must NOT have fewer than 1 characters'],
  ['asya.sh/v1alpha1/AsyncActor', set('.spec.workload.kind', 'DaemonSet'), '.spec.workload.kind', 'value "DaemonSet" is not one of ["Deployment","StatefulSet"]'],
  ['asya.sh/v1alpha1/AsyncActor', set('.spec.scaling.maxReplicas', 0), '.spec.scaling.maxReplicas', 'value 0 must be >= 1'],
  ['asya.sh/v1alpha1/AsyncActor', set('.spec.sidecar.resources.limits.memory', '128MB'), '.spec.sidecar.resources.limits.memory', `value "128MB" ${QUANTITY}`],
  ['asya.sh/v1alpha1/AsyncActor', unset('.spec.workload.template'), '.spec.workload', REQUIRED('template')],
  // --- autoscaling/v2
  ['autoscaling/v2/HorizontalPodAutoscaler', unset('.spec.maxReplicas'), '.spec', REQUIRED('maxReplicas')],
  ['autoscaling/v2/HorizontalPodAutoscaler', set('.spec.metrics[0].resource.target.averageUtilization', '80%'), '.spec.metrics[0].resource.target.averageUtilization', 'must be of type integer'],
  ['autoscaling/v2/HorizontalPodAutoscaler', set('.spec.metrics[1].pods.target.averageValue', '10 rps'), '.spec.metrics[1].pods.target.averageValue', QUANTITY],
  // --- batch.volcano.sh/v1alpha1
  ['batch.volcano.sh/v1alpha1/Job', set('.spec.tasks[0].name', 'Master'), '.spec.tasks[0].name', 'value "Master" does not match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'],
  ['batch.volcano.sh/v1alpha1/Job', set('.spec.policies[0].event', 'PodCrashed'), '.spec.policies[0].event', 'value "PodCrashed" is not one of'],
  ['batch.volcano.sh/v1alpha1/Job', set('.spec.minAvailable', -1), '.spec.minAvailable', 'value -1 must be >= 0'],
  ['batch.volcano.sh/v1alpha1/Job', set('.spec.tasks', []), '.spec.tasks', 'must NOT have fewer than 1 items'],
  ['batch.volcano.sh/v1alpha1/Job', set('.spec.tasks[1].template.spec.containers[0].resources.limits["nvidia.com/gpu"]', '1 GPU'), '.spec.tasks[1].template.spec.containers[0].resources.limits["nvidia.com/gpu"]', QUANTITY],
  // --- batch/v1
  ['batch/v1/CronJob', unset('.spec.schedule'), '.spec', REQUIRED('schedule')],
  ['batch/v1/CronJob', set('.spec.jobTemplate.spec.template.spec.containers[0].cmd', ['eval']), '.spec.jobTemplate.spec.template.spec.containers[0]', UNKNOWN('cmd')],
  ['batch/v1/CronJob', set('.spec.suspend', 'false'), '.spec.suspend', 'must be of type boolean'],
  ['batch/v1/Job', unset('.spec.template'), '.spec', REQUIRED('template')],
  ['batch/v1/Job', set('.spec.backoffLimit', '4'), '.spec.backoffLimit', 'value "4" must be of type integer'],
  ['batch/v1/Job', set('.spec.template.spec.containers[0].resources.requests.ephemeral-storage', '50 GiB'), '.spec.template.spec.containers[0].resources.requests.ephemeral-storage', QUANTITY],
  // --- kaito.sh/v1beta1
  ['kaito.sh/v1beta1/InferenceSet', unset('.spec.template'), '.spec', REQUIRED('template')],
  ['kaito.sh/v1beta1/InferenceSet', unset('.spec.template.inference'), '.spec.template', REQUIRED('inference')],
  ['kaito.sh/v1beta1/InferenceSet', set('.spec.replicas', -1), '.spec.replicas', 'value -1 must be >= 0'],
  ['kaito.sh/v1beta1/InferenceSet', set('.spec.autoUpgrade.strategy', 'BlueGreen'), '.spec.autoUpgrade.strategy', 'value "BlueGreen" is not one of ["InPlace","Surge"]'],
  ['kaito.sh/v1beta1/Workspace', unset('.resource.labelSelector'), '.resource', REQUIRED('labelSelector')],
  ['kaito.sh/v1beta1/Workspace', set('.inference.preset.accessMode', 'internal'), '.inference.preset.accessMode', 'value "internal" is not one of ["public","private"]'],
  ['kaito.sh/v1beta1/Workspace', set('.resource.count', '1'), '.resource.count', 'value "1" must be of type integer'],
  ['kaito.sh/v1beta1/Workspace', set('.spec', { resource: {} }), '.', UNKNOWN('spec')],
  ['kaito.sh/v1beta1/Workspace', unset('.inference.preset.name'), '.inference.preset', REQUIRED('name')],
  // --- keda.sh/v1alpha1
  ['keda.sh/v1alpha1/ScaledObject', unset('.spec.scaleTargetRef'), '.spec', REQUIRED('scaleTargetRef')],
  ['keda.sh/v1alpha1/ScaledObject', set('.spec.triggers', []), '.spec.triggers', 'must NOT have fewer than 1 items'],
  ['keda.sh/v1alpha1/ScaledObject', set('.spec.triggers[0].metadata.threshold', 5), '.spec.triggers[0].metadata.threshold', 'value 5 must be of type string'],
  ['keda.sh/v1alpha1/ScaledObject', set('.spec.triggers[0].authenticationRef.kind', 'Secret'), '.spec.triggers[0].authenticationRef.kind', 'is not one of ["TriggerAuthentication","ClusterTriggerAuthentication"]'],
  ['keda.sh/v1alpha1/ScaledObject', set('.spec.maxReplicaCount', 0), '.spec.maxReplicaCount', 'value 0 must be >= 1'],
  ['keda.sh/v1alpha1/TriggerAuthentication', set('.spec.podIdentity.provider', 'azure'), '.spec.podIdentity.provider', 'value "azure" is not one of'],
  ['keda.sh/v1alpha1/TriggerAuthentication', unset('.spec.secretTargetRef[0].key'), '.spec.secretTargetRef[0]', REQUIRED('key')],
  ['keda.sh/v1alpha1/TriggerAuthentication', unset('.spec'), '.', REQUIRED('spec')],
  // --- kubeflow.org/v1
  ['kubeflow.org/v1/PyTorchJob', unset('.spec.pytorchReplicaSpecs'), '.spec', REQUIRED('pytorchReplicaSpecs')],
  ['kubeflow.org/v1/PyTorchJob', set('.spec.pytorchReplicaSpecs.Worker.replicas', '2'), '.spec.pytorchReplicaSpecs.Worker.replicas', 'must be of type integer'],
  ['kubeflow.org/v1/PyTorchJob', set('.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].gpus', 1), '.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]', UNKNOWN('gpus')],
  ['kubeflow.org/v1/PyTorchJob', set('.spec.runPolicy.schedulingPolicy.minResources["nvidia.com/gpu"]', 'two'), '.spec.runPolicy.schedulingPolicy.minResources["nvidia.com/gpu"]', QUANTITY],
  // --- kueue.x-k8s.io/v1beta2
  ['kueue.x-k8s.io/v1beta2/ClusterQueue', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('ClusterQueue')],
  ['kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.resourceGroups[0].flavors[0].resources[1].nominalQuota', '768GB'), '.spec.resourceGroups[0].flavors[0].resources[1].nominalQuota', `value "768GB" ${QUANTITY}`],
  ['kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.queueingStrategy', 'FIFO'), '.spec.queueingStrategy', 'value "FIFO" is not one of ["StrictFIFO","BestEffortFIFO"]'],
  ['kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.resourceGroups[0].flavors[0].name', 'A100'), '.spec.resourceGroups[0].flavors[0].name', 'does not match the pattern'],
  ['kueue.x-k8s.io/v1beta2/ClusterQueue', unset('.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota'), '.spec.resourceGroups[0].flavors[0].resources[0]', REQUIRED('nominalQuota')],
  ['kueue.x-k8s.io/v1beta2/LocalQueue', set('.spec.clusterQueue', 'GPU_Queue'), '.spec.clusterQueue', 'value "GPU_Queue" does not match the pattern'],
  ['kueue.x-k8s.io/v1beta2/LocalQueue', set('.spec.stopPolicy', 'Drain'), '.spec.stopPolicy', 'value "Drain" is not one of ["None","Hold","HoldAndDrain"]'],
  ['kueue.x-k8s.io/v1beta2/ResourceFlavor', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('ResourceFlavor')],
  ['kueue.x-k8s.io/v1beta2/ResourceFlavor', set('.spec.nodeTaints', [{ key: 'gpu' }]), '.spec.nodeTaints[0]', REQUIRED('effect')],
  ['kueue.x-k8s.io/v1beta2/WorkloadPriorityClass', unset('.value'), '.', REQUIRED('value')],
  ['kueue.x-k8s.io/v1beta2/WorkloadPriorityClass', set('.value', '10000'), '.value', 'value "10000" must be of type integer'],
  ['kueue.x-k8s.io/v1beta2/WorkloadPriorityClass', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('WorkloadPriorityClass')],
  // --- monitoring.coreos.com/v1
  ['monitoring.coreos.com/v1/PodMonitor', unset('.spec.selector'), '.spec', REQUIRED('selector')],
  ['monitoring.coreos.com/v1/PodMonitor', set('.spec.podMetricsEndpoints[0].interval', '30 seconds'), '.spec.podMetricsEndpoints[0].interval', 'value "30 seconds" does not match the pattern'],
  ['monitoring.coreos.com/v1/PodMonitor', set('.spec.podMetricsEndpoints[0].scheme', 'tcp'), '.spec.podMetricsEndpoints[0].scheme', 'value "tcp" is not one of ["http","https","HTTP","HTTPS"]'],
  ['monitoring.coreos.com/v1/PodMonitor', set('.spec.podMetricsEndpoints[0].portNumber', 70000), '.spec.podMetricsEndpoints[0].portNumber', 'value 70000 must be <= 65535'],
  ['monitoring.coreos.com/v1/ServiceMonitor', unset('.spec.endpoints'), '.spec', REQUIRED('endpoints')],
  ['monitoring.coreos.com/v1/ServiceMonitor', set('.spec.endpoints[0].targetPort', true), '.spec.endpoints[0].targetPort', 'value true must be of type integer,string'],
  ['monitoring.coreos.com/v1/ServiceMonitor', set('.spec.endpoints[0].honorLabels', 'yes'), '.spec.endpoints[0].honorLabels', 'must be of type boolean'],
  // --- networking.k8s.io/v1
  ['networking.k8s.io/v1/NetworkPolicy', unset('.spec.podSelector'), '.spec', REQUIRED('podSelector')],
  ['networking.k8s.io/v1/NetworkPolicy', set('.spec.ingress[0].ports[0].port', true), '.spec.ingress[0].ports[0].port', 'value true must be of type integer,string'],
  ['networking.k8s.io/v1/NetworkPolicy', set('.spec.ingress[0].from[0].ipBlock', { except: ['10.0.0.0/8'] }), '.spec.ingress[0].from[0].ipBlock', REQUIRED('cidr')],
  // --- policy/v1
  ['policy/v1/PodDisruptionBudget', set('.spec.maxUnavailable', 0.5), '.spec.maxUnavailable', 'value 0.5 must be of type integer,string'],
  ['policy/v1/PodDisruptionBudget', set('.spec.maxUnavailablePercent', 50), '.spec', UNKNOWN('maxUnavailablePercent')],
  // --- ray.io/v1
  ['ray.io/v1/RayService', unset('.spec.rayClusterConfig.headGroupSpec'), '.spec.rayClusterConfig', REQUIRED('headGroupSpec')],
  ['ray.io/v1/RayService', unset('.spec.rayClusterConfig.workerGroupSpecs[0].groupName'), '.spec.rayClusterConfig.workerGroupSpecs[0]', REQUIRED('groupName')],
  ['ray.io/v1/RayService', set('.spec.rayClusterConfig.autoscalerOptions.upscalingMode', 'Fast'), '.spec.rayClusterConfig.autoscalerOptions.upscalingMode', 'value "Fast" is not one of ["Default","Aggressive","Conservative"]'],
  ['ray.io/v1/RayService', set('.spec.rayClusterConfig.headGroupSpec.rayStartParams.num-cpus', 0), '.spec.rayClusterConfig.headGroupSpec.rayStartParams.num-cpus', 'value 0 must be of type string'],
  ['ray.io/v1/RayService', set('.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0].resources.limits["nvidia.com/gpu"]', 'one'), '.spec.rayClusterConfig.workerGroupSpecs[0].template.spec.containers[0].resources.limits["nvidia.com/gpu"]', QUANTITY],
  // --- rbac.authorization.k8s.io/v1
  ['rbac.authorization.k8s.io/v1/ClusterRole', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('ClusterRole')],
  ['rbac.authorization.k8s.io/v1/ClusterRole', unset('.rules[0].verbs'), '.rules[0]', REQUIRED('verbs')],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', unset('.roleRef'), '.', REQUIRED('roleRef')],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', unset('.subjects[0].name'), '.subjects[0]', REQUIRED('name')],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', set('.metadata.namespace', 'asya-system'), '.metadata.namespace', CLUSTER_SCOPED('ClusterRoleBinding')],
  ['rbac.authorization.k8s.io/v1/Role', set('.rules[0].verbs', 'get'), '.rules[0].verbs', 'value "get" must be of type array'],
  ['rbac.authorization.k8s.io/v1/Role', set('.rules[0].resource', 'configmaps'), '.rules[0]', UNKNOWN('resource')],
  ['rbac.authorization.k8s.io/v1/RoleBinding', unset('.roleRef.apiGroup'), '.roleRef', REQUIRED('apiGroup')],
  // --- scheduling.k8s.io/v1
  ['scheduling.k8s.io/v1/PriorityClass', unset('.value'), '.', REQUIRED('value')],
  ['scheduling.k8s.io/v1/PriorityClass', set('.value', 'high'), '.value', 'value "high" must be of type integer'],
  ['scheduling.k8s.io/v1/PriorityClass', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('PriorityClass')],
  // --- scheduling.volcano.sh/v1beta1
  ['scheduling.volcano.sh/v1beta1/Queue', set('.spec.weight', 0), '.spec.weight', 'value 0 must be >= 1'],
  ['scheduling.volcano.sh/v1beta1/Queue', set('.spec.weight', 65536), '.spec.weight', 'value 65536 must be <= 65535'],
  ['scheduling.volcano.sh/v1beta1/Queue', set('.spec.capability.memory', '512GB'), '.spec.capability.memory', `value "512GB" ${QUANTITY}`],
  ['scheduling.volcano.sh/v1beta1/Queue', set('.spec.dequeueStrategy', 'lifo'), '.spec.dequeueStrategy', 'value "lifo" is not one of ["fifo","traverse"]'],
  ['scheduling.volcano.sh/v1beta1/Queue', set('.metadata.namespace', 'ml'), '.metadata.namespace', CLUSTER_SCOPED('Queue')],
  // --- serving.kserve.io/v1beta1
  ['mlops.seldon.io/v1alpha1/Model', unset('.spec.storageUri'), '.spec', REQUIRED('storageUri')],
  ['mlops.seldon.io/v1alpha1/Server', unset('.spec.serverConfig'), '.spec', REQUIRED('serverConfig')],
  ['serving.yatai.ai/v2alpha1/BentoDeployment', unset('.spec.bento'), '.spec', REQUIRED('bento')],
  ['inference.networking.k8s.io/v1/InferencePool', unset('.spec.targetPorts'), '.spec', REQUIRED('targetPorts')],
  ['gateway.networking.k8s.io/v1/HTTPRoute', set('.spec.rules[0].backendRefs[0].weight', -1), '.spec.rules[0].backendRefs[0].weight', 'must be >= 0'],
  ['serving.kserve.io/v1alpha1/LocalModelCache', unset('.spec.nodeGroups'), '.spec', REQUIRED('nodeGroups')],
  ['serving.kserve.io/v1alpha1/LocalModelCache', set('.spec.modelSize', '2GB'), '.spec.modelSize', `value "2GB" ${QUANTITY}`],
  ['serving.kserve.io/v1alpha1/LocalModelCache', set('.metadata.namespace', 'ai'), '.metadata.namespace', 'cluster-scoped'],
  ['serving.kserve.io/v1beta1/InferenceService', unset('.spec.predictor'), '.spec', REQUIRED('predictor')],
  ['serving.kserve.io/v1beta1/InferenceService', set('.spec.predictor.scaleMetric', 'gpu'), '.spec.predictor.scaleMetric', 'value "gpu" is not one of ["cpu","memory","concurrency","rps"]'],
  ['serving.kserve.io/v1beta1/InferenceService', set('.spec.predictor.model.resources.limits.memory', '8GB'), '.spec.predictor.model.resources.limits.memory', `value "8GB" ${QUANTITY}`],
  ['serving.kserve.io/v1beta1/InferenceService', unset('.spec.predictor.model.modelFormat.name'), '.spec.predictor.model.modelFormat', REQUIRED('name')],
  ['serving.kserve.io/v1beta1/InferenceService', set('.spec.predictor.model.storageURI', 'hf://x'), '.spec.predictor.model', UNKNOWN('storageURI')],
  // --- trainer.kubeflow.org/v1alpha1
  ['trainer.kubeflow.org/v1alpha1/TrainJob', unset('.spec.runtimeRef'), '.spec', REQUIRED('runtimeRef')],
  ['trainer.kubeflow.org/v1alpha1/TrainJob', set('.spec.runtimeRef.name', ''), '.spec.runtimeRef.name', 'must NOT have fewer than 1 characters'],
  ['trainer.kubeflow.org/v1alpha1/TrainJob', set('.spec.trainer.numNodes', '2'), '.spec.trainer.numNodes', 'value "2" must be of type integer'],
  ['trainer.kubeflow.org/v1alpha1/TrainJob', set('.spec.trainer.resourcesPerNode.requests["nvidia.com/gpu"]', '4 GPUs'), '.spec.trainer.resourcesPerNode.requests["nvidia.com/gpu"]', QUANTITY],
  // --- v1
  ['v1/ConfigMap', set('.data.MODEL_NAME', 7), '.data.MODEL_NAME', 'value 7 must be of type string'],
  ['v1/ConfigMap', set('.data["bad key"]', 'x'), '.data', 'key "bad key" must consist of alphanumerics, "-", "_" or "."'],
  ['v1/Namespace', set('.metadata.namespace', 'default'), '.metadata.namespace', CLUSTER_SCOPED('Namespace')],
  ['v1/Namespace', set('.spec.finalizers', 'kubernetes'), '.spec.finalizers', 'must be of type array'],
  ['v1/PersistentVolumeClaim', set('.spec.resources.requests.storage', '200GB'), '.spec.resources.requests.storage', `value "200GB" ${QUANTITY}`],
  ['v1/PersistentVolumeClaim', set('.spec.accessModes', 'ReadWriteMany'), '.spec.accessModes', 'must be of type array'],
  ['v1/Pod', unset('.spec.containers'), '.spec', REQUIRED('containers')],
  ['v1/Pod', set('.spec.containers[0].env[0].value', 42), '.spec.containers[0].env[0].value', 'value 42 must be of type string'],
  ['v1/Pod', set('.spec.containers[0].resources.requests.cpu', '0.5 cores'), '.spec.containers[0].resources.requests.cpu', QUANTITY],
  ['v1/Pod', set('.spec.containers[0].readinessProbe.httpGet.port', null), '.spec.containers[0].readinessProbe.httpGet.port', 'value null must be of type integer,string'],
  ['v1/Secret', set('.data.token', 123), '.data.token', 'value 123 must be of type string'],
  ['v1/Secret', set('.stringData["a/b"]', 'x'), '.stringData', 'key "a/b" must consist of alphanumerics'],
  ['v1/Service', unset('.spec.ports[0].port'), '.spec.ports[0]', REQUIRED('port')],
  ['v1/Service', set('.spec.ports[0].port', '80'), '.spec.ports[0].port', 'value "80" must be of type integer'],
  ['v1/Service', set('.spec.ports[0].targetPort', { name: 'http' }), '.spec.ports[0].targetPort', 'must be of type integer,string'],
  ['v1/ServiceAccount', set('.automountServiceAccountToken', 'no'), '.automountServiceAccountToken', 'value "no" must be of type boolean'],
  ['v1/ServiceAccount', set('.imagePullSecrets[0].secretName', 'registry'), '.imagePullSecrets[0]', UNKNOWN('secretName')],
];

describe('SchemaValidator: every pinned kind', () => {
  const kinds = SchemaValidator.knownKinds();

  test('the fixtures cover exactly the kinds in schemas/index.json', () => {
    const index = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'index.json'), 'utf8'));
    expect(kinds).toEqual(Object.keys(index).sort());
    expect(Object.keys(GOOD).sort()).toEqual(kinds);
  });

  test('every kind has at least one bad case', () => {
    const covered = new Set(BAD.map(([gvk]) => gvk));
    expect(kinds.filter((k) => !covered.has(k))).toEqual([]);
  });

  test.each(kinds)('good %s has no issues', (gvk) => {
    expect(SchemaValidator.validateObject(good(gvk))).toEqual([]);
  });

  test.each(BAD.map(([gvk, change, at, message]) => ({ gvk, change, at, message, desc: change.desc })))(
    'bad $gvk ($desc) is rejected at $at',
    ({ gvk, change, at, message }) => {
      const ref = refOf(GOOD[gvk]);
      expectRejected(changed(gvk, change), at, message, ref);
    },
  );

  test('the brief example: a KAITO Workspace without resource.labelSelector', () => {
    const ws = changed('kaito.sh/v1beta1/Workspace', unset('.resource.labelSelector'));
    expect(SchemaValidator.validateObject(ws)).toEqual([{
      object: 'kaito.sh/v1beta1/Workspace ml/llm',
      path: '.resource',
      message: 'missing required field "labelSelector"',
    }]);
  });

  test('all issues of one object are reported, each at its own path', () => {
    const deploy = changed(
      'apps/v1/Deployment',
      set('.spec.template.spec.containers[0].foo', 1),
      set('.spec.template.spec.containers[0].resources.limits.memory', '1GB'),
      set('.spec.replicas', 'two'),
    );
    expect(SchemaValidator.validateObject(deploy)).toEqual([
      { object: 'apps/v1/Deployment ml/vllm', path: '.spec.replicas', message: 'value "two" must be of type integer' },
      { object: 'apps/v1/Deployment ml/vllm', path: '.spec.template.spec.containers[0]', message: UNKNOWN('foo') },
      { object: 'apps/v1/Deployment ml/vllm', path: '.spec.template.spec.containers[0].resources.limits.memory', message: `value "1GB" ${QUANTITY}` },
    ]);
  });

  test('a wrong apiVersion for a known kind is an unknown kind, not a silently accepted object', () => {
    const ws = good('kaito.sh/v1beta1/Workspace');
    ws.apiVersion = 'kaito.sh/v1alpha1';
    expect(SchemaValidator.validateObject(ws)).toEqual([{
      object: 'kaito.sh/v1alpha1/Workspace ml/llm',
      path: '.',
      message: 'unknown kind kaito.sh/v1alpha1/Workspace: no pinned schema (known: see SchemaValidator.knownKinds())',
    }]);
    const deploy = good('apps/v1/Deployment');
    deploy.kind = 'deployment';
    expect(SchemaValidator.validateObject(deploy)).toEqual([expect.objectContaining({ path: '.', message: expect.stringContaining('unknown kind apps/v1/deployment') })]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Input shape, unknown kinds, names, labels, ConfigMap keys
// ---------------------------------------------------------------------------------------------

describe('SchemaValidator: input shape and kinds', () => {
  test('an unknown kind is one issue naming the kind', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ml' }, spec: { anything: true } };
    expect(SchemaValidator.validateObject(widget)).toEqual([{
      object: 'example.com/v1/Widget ml/w',
      path: '.',
      message: 'unknown kind example.com/v1/Widget: no pinned schema (known: see SchemaValidator.knownKinds())',
    }]);
  });

  test.each([
    ['null', null, 'expected a Kubernetes object, got null'],
    ['a string', 'kind: Pod', 'expected a Kubernetes object, got "kind: Pod"'],
    ['a number', 42, 'expected a Kubernetes object, got 42'],
    ['an array', [{ kind: 'Pod' }], 'expected a Kubernetes object, got [{"kind":"Pod"}]'],
  ])('non-object input (%s) is rejected', (_what, input, message) => {
    expect(SchemaValidator.validateObject(input)).toEqual([{ object: '<not an object>', path: '.', message }]);
  });

  test.each([
    ['without apiVersion', { kind: 'Pod', metadata: { name: 'p' } }, '<no apiVersion>/Pod p'],
    ['without kind', { apiVersion: 'v1', metadata: { name: 'p' } }, 'v1/<no kind> p'],
    ['with a numeric kind', { apiVersion: 'v1', kind: 7, metadata: { name: 'p' } }, 'v1/7 p'],
  ])('an object %s is rejected', (_what, input, object) => {
    expect(SchemaValidator.validateObject(input)).toEqual([{ object, path: '.', message: 'apiVersion and kind are required' }]);
  });

  test('missing metadata: both the schema and the name check report it', () => {
    expect(SchemaValidator.validateObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } })).toEqual([
      { object: 'v1/ConfigMap <no name>', path: '.', message: REQUIRED('metadata') },
      { object: 'v1/ConfigMap <no name>', path: '.metadata.name', message: REQUIRED('name') },
    ]);
  });

  test('missing metadata.name', () => {
    expect(SchemaValidator.validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ml' } })).toEqual([
      { object: 'v1/ConfigMap ml/<no name>', path: '.metadata.name', message: REQUIRED('name') },
    ]);
    expect(SchemaValidator.validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '', namespace: 'ml' } })).toEqual([
      { object: 'v1/ConfigMap ml/', path: '.metadata.name', message: REQUIRED('name') },
    ]);
  });

  test('metadata.generateName stands in for the name', () => {
    const job = good('batch/v1/Job');
    delete job.metadata.name;
    job.metadata.generateName = 'download-weights-';
    expect(SchemaValidator.validateObject(job)).toEqual([]);
  });

  test('unknown metadata fields are rejected', () => {
    expectRejected(changed('v1/ConfigMap', set('.metadata.label', { a: 'b' })), '.metadata', UNKNOWN('label'));
  });

  test('validateObjects concatenates the issues of every object, in order', () => {
    const issues = SchemaValidator.validateObjects([
      good('v1/Service'),
      changed('v1/Service', set('.metadata.name', 'Web')),
      changed('kaito.sh/v1beta1/Workspace', unset('.resource.labelSelector')),
    ]);
    expect(issues.map((i) => `${i.object} ${i.path}`)).toEqual([
      'v1/Service ml/Web .metadata.name',
      'kaito.sh/v1beta1/Workspace ml/llm .resource',
    ]);
    expect(SchemaValidator.validateObjects([])).toEqual([]);
  });

  test('knownKinds is sorted and lists CRD and core kinds', () => {
    const kinds = SchemaValidator.knownKinds();
    expect(kinds).toEqual([...kinds].sort());
    expect(kinds).toEqual(expect.arrayContaining(['asya.sh/v1alpha1/AsyncActor', 'kaito.sh/v1beta1/Workspace', 'v1/Service', 'apps/v1/Deployment']));
    expect(kinds).not.toContain('kaito.sh/v1alpha1/Workspace');
  });

  test('format prints one line per issue', () => {
    expect(SchemaValidator.format([
      { object: 'v1/Service ml/web', path: '.spec.ports[0]', message: REQUIRED('port') },
      { object: 'v1/Namespace ml', path: '.metadata.namespace', message: CLUSTER_SCOPED('Namespace') },
    ])).toBe([
      '2 schema validation issue(s):',
      '  v1/Service ml/web .spec.ports[0]: missing required field "port"',
      '  v1/Namespace ml .metadata.namespace: Namespace is cluster-scoped and must not set a namespace',
    ].join('\n'));
  });

  test('a cluster-scoped object is printed without its (wrong) namespace', () => {
    const issues = SchemaValidator.validateObject(changed('kueue.x-k8s.io/v1beta2/ClusterQueue', set('.metadata.namespace', 'ml')));
    expect(issues).toEqual([{ object: 'kueue.x-k8s.io/v1beta2/ClusterQueue gpu-cluster-queue', path: '.metadata.namespace', message: CLUSTER_SCOPED('ClusterQueue') }]);
  });
});

describe('SchemaValidator: object names', () => {
  const SUBDOMAIN = 'is not a valid name: must be a DNS-1123 subdomain';
  const long = (n: number) => 'a'.repeat(n);

  test.each([
    ['apps/v1/Deployment', 'vllm-2.serving', true],
    ['apps/v1/Deployment', '2-vllm', true],
    ['apps/v1/Deployment', long(253), true],
    ['v1/Service', 'vllm-2', true],
    ['v1/Service', long(63), true],
    ['v1/Namespace', 'team-a', true],
    ['v1/Namespace', long(63), true],
    ['kaito.sh/v1beta1/Workspace', 'phi-3.5-mini', true],
  ])('%s named %j is accepted', (gvk, name) => {
    const obj = good(gvk);
    obj.metadata.name = name;
    expect(SchemaValidator.validateObject(obj)).toEqual([]);
  });

  test.each([
    ['apps/v1/Deployment', 'VLLM', `"VLLM" ${SUBDOMAIN}`],
    ['apps/v1/Deployment', 'vllm_server', `"vllm_server" ${SUBDOMAIN}`],
    ['apps/v1/Deployment', 'vllm-', `"vllm-" ${SUBDOMAIN}`],
    ['apps/v1/Deployment', long(254), SUBDOMAIN],
    ['kaito.sh/v1beta1/Workspace', 'Llm', `"Llm" ${SUBDOMAIN}`],
    ['kueue.x-k8s.io/v1beta2/ClusterQueue', 'gpu queue', `"gpu queue" ${SUBDOMAIN}`],
    ['v1/Service', '1vllm', '"1vllm" is not a valid Service name: must be a DNS-1035 label'],
    ['v1/Service', 'vllm.serving', '"vllm.serving" is not a valid Service name: must be a DNS-1035 label'],
    ['v1/Service', long(64), 'is not a valid Service name: must be a DNS-1035 label'],
    ['v1/Namespace', 'team.a', '"team.a" is not a valid Namespace name: must be a DNS-1123 label'],
    ['v1/Namespace', long(64), 'is not a valid Namespace name: must be a DNS-1123 label'],
  ])('%s named %j is rejected', (gvk, name, message) => {
    const obj = good(gvk);
    obj.metadata.name = name;
    expectRejected(obj, '.metadata.name', message);
  });

  test('a non-string name is a type error', () => {
    const issues = SchemaValidator.validateObject(changed('v1/ConfigMap', set('.metadata.name', 12)));
    expect(issues).toContainEqual({ object: 'v1/ConfigMap ml/12', path: '.metadata.name', message: 'value 12 must be of type string' });
    expect(issues.every((i) => i.path === '.metadata.name')).toBe(true);
  });

  test.each(['ML', 'team_a', 'a.b', long(64)])('namespace %j of a namespaced object is rejected', (ns) => {
    expectRejected(changed('v1/ConfigMap', set('.metadata.namespace', ns)), '.metadata.namespace', `"${ns}" is not a valid namespace: must be a DNS-1123 label`);
  });
});

describe('SchemaValidator: labels, annotations and config keys', () => {
  test.each([
    ['app.kubernetes.io/name', 'vllm'],
    ['kueue.x-k8s.io/queue-name', 'team-a'],
    ['tier', ''],
    ['Model_Version', 'v1.2_rc-3'],
    ['a', 'x'.repeat(63)],
  ])('label %j=%j is accepted', (key, value) => {
    expect(SchemaValidator.validateObject(changed('v1/ConfigMap', set('.metadata.labels', { [key]: value })))).toEqual([]);
  });

  test.each([
    ['a/b/c', 'label key "a/b/c" has more than one "/"'],
    ['Example.com/app', 'label key prefix "Example.com" must be a DNS-1123 subdomain'],
    ['/app', 'label key prefix "" must be a DNS-1123 subdomain'],
    ['-app', 'label key name "-app" must be at most 63 characters'],
    ['example.com/', 'label key name "" must be at most 63 characters'],
    ['k'.repeat(64), 'must be at most 63 characters of [A-Za-z0-9_.-]'],
  ])('label key %j is rejected', (key, message) => {
    expectRejected(changed('v1/ConfigMap', set('.metadata.labels', { [key]: 'x' })), '.metadata.labels', message);
  });

  test.each([
    ['hello world'],
    ['-leading'],
    ['trailing.'],
    ['v'.repeat(64)],
  ])('label value %j is rejected at the label', (value) => {
    expectRejected(
      changed('v1/ConfigMap', set('.metadata.labels', { app: value })),
      '.metadata.labels["app"]',
      `label value "${value}" must be at most 63 characters of [A-Za-z0-9_.-], starting and ending with an alphanumeric`,
    );
  });

  test('a non-string label value is a schema type error', () => {
    expectRejected(changed('v1/ConfigMap', set('.metadata.labels', { replicas: 3 })), '.metadata.labels.replicas', 'value 3 must be of type string');
  });

  test('pod template labels are checked too', () => {
    expectRejected(
      changed('apps/v1/Deployment', set('.spec.template.metadata.labels.version', 'v1 beta')),
      '.spec.template.metadata.labels["version"]',
      'label value "v1 beta" must be at most 63 characters',
    );
  });

  test('annotation keys are checked, annotation values are free text', () => {
    expect(SchemaValidator.validateObject(changed('v1/ConfigMap', set('.metadata.annotations', { 'example.com/note': 'any text: yes, even spaces!' })))).toEqual([]);
    expectRejected(changed('v1/ConfigMap', set('.metadata.annotations', { 'bad key': 'x' })), '.metadata.annotations', 'annotation key name "bad key"');
  });

  test.each([
    ['v1/ConfigMap', 'data', 'my key'],
    ['v1/ConfigMap', 'data', 'conf/app.yaml'],
    ['v1/ConfigMap', 'binaryData', 'model:bin'],
    ['v1/Secret', 'data', 'token!'],
    ['v1/Secret', 'stringData', 'ssh key'],
  ])('%s %s key %j is rejected', (gvk, field, key) => {
    const obj = good(gvk);
    obj[field] = { [key]: 'AAAA' };
    expectRejected(obj, `.${field}`, `key "${key}" must consist of alphanumerics, "-", "_" or "." (at most 253 characters)`);
  });

  test('config keys: dots, dashes and underscores are fine, 254 characters are not', () => {
    expect(SchemaValidator.validateObject(changed('v1/ConfigMap', set('.data', { '.env': 'x', 'a-b_c.d': 'y', [`k${'x'.repeat(252)}`]: 'z' })))).toEqual([]);
    expectRejected(changed('v1/ConfigMap', set('.data', { ['k'.repeat(254)]: 'z' })), '.data', 'must consist of alphanumerics');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Apps and charts
// ---------------------------------------------------------------------------------------------

function workspaceProps(labelSelector: boolean): any {
  const ws = good('kaito.sh/v1beta1/Workspace');
  delete ws.metadata.namespace; // from the chart
  if (!labelSelector) delete ws.resource.labelSelector;
  return ws;
}

describe('SchemaValidator: apps and charts', () => {
  test('a good app passes validateApp and assertValid', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    new ApiObject(chart, 'workspace', workspaceProps(true));
    new ApiObject(chart, 'service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm' }, spec: { selector: { apps: 'llm' }, ports: [{ port: 80, targetPort: 5000 }] } });
    const cluster = new Chart(app, 'cluster');
    new ApiObject(cluster, 'queue', { ...good('kueue.x-k8s.io/v1beta2/ClusterQueue') });

    expect(SchemaValidator.validateApp(app)).toEqual([]);
    expect(() => SchemaValidator.assertValid(app)).not.toThrow();
    expect(SchemaValidator.validateChart(chart)).toEqual([]);
  });

  test('a bad app: validateApp lists the issue, assertValid throws with object and path', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-asya-')) });
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    new ApiObject(chart, 'workspace', workspaceProps(false));

    expect(SchemaValidator.validateApp(app)).toEqual([
      { object: 'kaito.sh/v1beta1/Workspace ml/llm', path: '.resource', message: REQUIRED('labelSelector') },
    ]);
    expect(() => SchemaValidator.assertValid(app)).toThrow(
      '1 schema validation issue(s):\n  kaito.sh/v1beta1/Workspace ml/llm .resource: missing required field "labelSelector"',
    );
  });

  test('validateChart only looks at its own chart; validateApp looks at all charts, nested ones included', () => {
    const app = Testing.app();
    const good1 = new Chart(app, 'good', { namespace: 'ml' });
    new ApiObject(good1, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } });
    const bad = new Chart(app, 'bad', { namespace: 'ml' });
    new ApiObject(bad, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: '9lives' }, spec: { ports: [{ port: 80 }] } });
    const nested = new Chart(good1, 'nested', { namespace: 'ml' });
    new ApiObject(nested, 'deploy', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: {} } });

    expect(SchemaValidator.validateChart(good1)).toEqual([]);
    expect(SchemaValidator.validateChart(bad)).toEqual([
      { object: 'v1/Service ml/9lives', path: '.metadata.name', message: expect.stringContaining('DNS-1035') },
    ]);
    expect(SchemaValidator.validateApp(app).map((i) => `${i.object} ${i.path}: ${i.message}`).sort()).toEqual([
      'apps/v1/Deployment ml/x .spec: missing required field "selector"',
      expect.stringMatching(/^v1\/Service ml\/9lives \.metadata\.name: "9lives" is not a valid Service name/),
    ]);
  });

  test('a cluster-scoped object in a namespaced chart inherits the namespace and is reported', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    const { metadata, ...rest } = good('scheduling.k8s.io/v1/PriorityClass');
    new ApiObject(chart, 'priority', { ...rest, metadata: { name: metadata.name } });
    expect(SchemaValidator.validateApp(app)).toEqual([
      { object: 'scheduling.k8s.io/v1/PriorityClass inference-critical', path: '.metadata.namespace', message: CLUSTER_SCOPED('PriorityClass') },
    ]);
  });

  test('generated object names (cdk8s default) are checked like explicit ones', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'Serving', { namespace: 'ml' });
    new ApiObject(chart, 'Web', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } });
    new ApiObject(chart, 'Model.Config', { apiVersion: 'v1', kind: 'ConfigMap', data: {} });
    expect(SchemaValidator.validateApp(app)).toEqual([]);
    // cdk8s keeps "_" from construct ids: the generated name is not a DNS-1035 label.
    new ApiObject(chart, 'My_Service', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } });
    expect(SchemaValidator.validateApp(app)).toEqual([{
      object: expect.stringMatching(/^v1\/Service ml\/serving-my_service-[0-9a-f]{8}$/),
      path: '.metadata.name',
      message: expect.stringContaining('is not a valid Service name: must be a DNS-1035 label'),
    }]);
  });

  test('the test helpers: synthValid returns the manifests of a good chart and throws on a bad one', () => {
    const chart = testChart('ml');
    new ApiObject(chart, 'workspace', workspaceProps(true));
    expect(synthValid(chart)).toEqual([expect.objectContaining({ kind: 'Workspace', metadata: expect.objectContaining({ name: 'llm', namespace: 'ml' }) })]);

    const badChart = testChart('ml');
    new ApiObject(badChart, 'workspace', workspaceProps(false));
    expect(() => synthValid(badChart)).toThrow('kaito.sh/v1beta1/Workspace ml/llm .resource: missing required field "labelSelector"');
  });
});

// ---------------------------------------------------------------------------------------------
// 4. x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, nullable
// ---------------------------------------------------------------------------------------------

describe('SchemaValidator: int-or-string, preserve-unknown-fields, nullable', () => {
  describe('x-kubernetes-int-or-string (CRD) and IntOrString (core)', () => {
    test.each([8080, 'metrics'])('ServiceMonitor endpoints[].targetPort accepts %j', (port) => {
      expect(SchemaValidator.validateObject(changed('monitoring.coreos.com/v1/ServiceMonitor', set('.spec.endpoints[0].targetPort', port)))).toEqual([]);
    });

    test.each([true, 80.5, null, ['http']])('ServiceMonitor endpoints[].targetPort rejects %j', (port) => {
      expectRejected(
        changed('monitoring.coreos.com/v1/ServiceMonitor', set('.spec.endpoints[0].targetPort', port)),
        '.spec.endpoints[0].targetPort',
        `value ${JSON.stringify(port)} must be of type integer,string`,
      );
    });

    test.each([1, '1', 8, '8', '32Gi', '500m', '1e3', '+1.5'])('a CRD quantity (ClusterQueue nominalQuota) accepts %j', (q) => {
      expect(SchemaValidator.validateObject(changed('kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota', q)))).toEqual([]);
    });

    test('a CRD quantity rejects a non-integer number (int-or-string means integer or string)', () => {
      expectRejected(
        changed('kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota', 0.5)),
        '.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota',
        'value 0.5 must be of type integer,string',
      );
    });

    test.each(['1GB', '1 Gi', 'Gi', '1.2.3', '10%'])('a CRD quantity rejects %j', (q) => {
      expectRejected(
        changed('kueue.x-k8s.io/v1beta2/ClusterQueue', set('.spec.resourceGroups[0].flavors[0].resources[1].nominalQuota', q)),
        '.spec.resourceGroups[0].flavors[0].resources[1].nominalQuota',
        `value ${JSON.stringify(q)} ${QUANTITY}`,
      );
    });

    test.each([1, '1', 0.5, '100m', '1.5Gi', '2e9'])('a core Quantity (container memory request) accepts %j', (q) => {
      expect(SchemaValidator.validateObject(changed('v1/Pod', set('.spec.containers[0].resources.requests.memory', q)))).toEqual([]);
    });

    test.each([[1, '1'], ['25%', 0]])('Deployment rollingUpdate maxSurge/maxUnavailable accept %j / %j', (maxSurge, maxUnavailable) => {
      expect(SchemaValidator.validateObject(changed('apps/v1/Deployment', set('.spec.strategy.rollingUpdate', { maxSurge, maxUnavailable })))).toEqual([]);
    });

    test.each([1, '1', '50%'])('PodDisruptionBudget minAvailable accepts %j', (v) => {
      const pdb = changed('policy/v1/PodDisruptionBudget', unset('.spec.maxUnavailable'), set('.spec.minAvailable', v));
      expect(SchemaValidator.validateObject(pdb)).toEqual([]);
    });

    test.each([8000, 'http'])('probe httpGet.port accepts %j', (port) => {
      expect(SchemaValidator.validateObject(changed('v1/Pod', set('.spec.containers[0].livenessProbe.httpGet.port', port)))).toEqual([]);
    });
  });

  describe('x-kubernetes-preserve-unknown-fields', () => {
    test('AsyncActor spec.workload.template is preserve-unknown in the CRD, but checked as the PodSpec/ObjectMeta the operator decodes', () => {
      const actor = changed(
        'asya.sh/v1alpha1/AsyncActor',
        set('.spec.workload.template.spec.futureField', { anything: ['goes', 1, null] }),
        set('.spec.workload.template.spec.containers[0].notAContainerField', true),
        set('.spec.workload.template.spec.containers[0].resources', { limits: { memory: '1GB' } }),
        set('.spec.workload.template.metadata.whatever', 'x'),
      );
      expect(SchemaValidator.validateObject(actor)).toEqual([
        { object: 'asya.sh/v1alpha1/AsyncActor ml/summarizer', path: '.spec.workload.template.spec', message: UNKNOWN('futureField') },
        { object: 'asya.sh/v1alpha1/AsyncActor ml/summarizer', path: '.spec.workload.template.spec.containers[0]', message: UNKNOWN('notAContainerField') },
        { object: 'asya.sh/v1alpha1/AsyncActor ml/summarizer', path: '.spec.workload.template.spec.containers[0].resources.limits.memory', message: `value "1GB" ${QUANTITY}` },
        { object: 'asya.sh/v1alpha1/AsyncActor ml/summarizer', path: '.spec.workload.template.metadata', message: UNKNOWN('whatever') },
      ]);
    });

    test('AsyncActor: a full pod spec in spec.workload.template passes', () => {
      const actor = changed('asya.sh/v1alpha1/AsyncActor', set('.spec.workload.template', {
        metadata: { labels: { app: 'summarizer' }, annotations: { 'asya.sh/actor': 'summarizer' } },
        spec: { ...good('v1/Pod').spec, priorityClassName: 'inference-critical' },
      }));
      expect(SchemaValidator.validateObject(actor)).toEqual([]);
    });

    test('...but its parent spec.workload is not', () => {
      expectRejected(changed('asya.sh/v1alpha1/AsyncActor', set('.spec.workload.futureField', 1)), '.spec.workload', UNKNOWN('futureField'));
      expectRejected(changed('asya.sh/v1alpha1/AsyncActor', set('.spec.workload.template.status', {})), '.spec.workload.template', UNKNOWN('status'));
    });

    test('Argo CD helm.valuesObject keeps arbitrary values, helm itself does not', () => {
      const app = changed('argoproj.io/v1alpha1/Application', set('.spec.source.helm.valuesObject', { 'a': { b: [1, 'two', { c: null }] }, 'x.y/z': true }));
      expect(SchemaValidator.validateObject(app)).toEqual([]);
      expectRejected(changed('argoproj.io/v1alpha1/Application', set('.spec.source.helm.value', 'x')), '.spec.source.helm', UNKNOWN('value'));
    });

    test('KAITO inference.template (preserve-unknown, untyped) accepts a whole pod template', () => {
      const ws = changed('kaito.sh/v1beta1/Workspace', unset('.inference.preset'), unset('.inference.adapters'), set('.inference.template', {
        metadata: { labels: { apps: 'llm' } },
        spec: { containers: [{ name: 'custom', image: 'ghcr.io/example/llm:1', customThing: 1 }] },
      }));
      expect(SchemaValidator.validateObject(ws)).toEqual([]);
    });

    test('an untyped preserve-unknown field accepts scalars too (KAITO adapters[].source.volumeSource)', () => {
      const ws = changed('kaito.sh/v1beta1/Workspace', set('.inference.adapters[0].source.volumeSource', { persistentVolumeClaim: { claimName: 'adapters' } }));
      expect(SchemaValidator.validateObject(ws)).toEqual([]);
    });
  });

  describe('nullable', () => {
    test('RayService status.*.rayClusterStatus.lastUpdateTime is nullable: null passes', () => {
      const rs = changed('ray.io/v1/RayService', set('.status.activeServiceStatus.rayClusterStatus.lastUpdateTime', null));
      expect(SchemaValidator.validateObject(rs)).toEqual([]);
      const rs2 = changed('ray.io/v1/RayService', set('.status.pendingServiceStatus.rayClusterStatus.lastUpdateTime', '2025-01-01T00:00:00Z'));
      expect(SchemaValidator.validateObject(rs2)).toEqual([]);
    });

    test('RayService status.lastUpdateTime is not nullable: null is rejected', () => {
      expectRejected(changed('ray.io/v1/RayService', set('.status.lastUpdateTime', null)), '.status.lastUpdateTime', 'value null must be of type string');
    });

    test('a non-nullable CRD field rejects null', () => {
      expectRejected(changed('kaito.sh/v1beta1/Workspace', set('.resource.instanceType', null)), '.resource.instanceType', 'value null must be of type string');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Known gaps: what the API server rejects (or accepts) and this validator does not (yet).
// `test.failing` passes while the validator is wrong; when one is fixed, jest reports it: move it
// into the suites above.
// ---------------------------------------------------------------------------------------------

describe('SchemaValidator: known gaps', () => {
  test('StatefulSet volumeClaimTemplates without apiVersion/kind are valid (the usual way to write them)', () => {
    const sts = changed('apps/v1/StatefulSet', unset('.spec.volumeClaimTemplates[0].apiVersion'), unset('.spec.volumeClaimTemplates[0].kind'));
    expect(SchemaValidator.validateObject(sts)).toEqual([]);
  });

  test('RBAC names are path segments: ClusterRole "system:metrics-reader" is valid', () => {
    expect(SchemaValidator.validateObject(changed('rbac.authorization.k8s.io/v1/ClusterRole', set('.metadata.name', 'system:metrics-reader')))).toEqual([]);
  });

  test.failing('core enums: imagePullPolicy "Sometimes" is rejected', () => {
    expectRejected(changed('v1/Pod', set('.spec.containers[0].imagePullPolicy', 'Sometimes')), '.spec.containers[0].imagePullPolicy', 'is not one of');
  });

  test.failing('CronJob names are at most 52 characters', () => {
    expectRejected(changed('batch/v1/CronJob', set('.metadata.name', 'n'.repeat(53))), '.metadata.name', '52');
  });

  test.failing('labels of nested pod templates (CronJob jobTemplate) are checked', () => {
    expectRejected(
      changed('batch/v1/CronJob', set('.spec.jobTemplate.spec.template.metadata', { labels: { app: 'bad value' } })),
      '.spec.jobTemplate.spec.template.metadata.labels["app"]',
      'label value "bad value"',
    );
  });

  test.failing('labels of CRD-embedded pod templates are checked: AsyncActor spec.workload.template', () => {
    expectRejected(
      changed('asya.sh/v1alpha1/AsyncActor', set('.spec.workload.template.metadata.labels.app', 'bad value')),
      '.spec.workload.template.metadata.labels["app"]',
      'label value "bad value"',
    );
  });

  test.failing('labels of CRD-embedded pod templates are checked: PyTorchJob replica templates', () => {
    expectRejected(
      changed('kubeflow.org/v1/PyTorchJob', set('.spec.pytorchReplicaSpecs.Worker.template.metadata.labels.app', 'bad value')),
      '.spec.pytorchReplicaSpecs.Worker.template.metadata.labels["app"]',
      'label value "bad value"',
    );
  });

  test.failing('a numeric map key is not printed as an array index', () => {
    expectRejected(changed('v1/ConfigMap', set('.data', { 8080: 5 })), '.data["8080"]', 'value 5 must be of type string');
  });

  test.failing.each([
    ['negative replicas', 'apps/v1/Deployment', set('.spec.replicas', -1), '.spec.replicas'],
    ['a container port above 65535', 'v1/Pod', set('.spec.containers[0].ports[0].containerPort', 70000), '.spec.containers[0].ports[0].containerPort'],
    ['two containers with the same name', 'v1/Pod', set('.spec.containers[1]', { name: 'server', image: 'busybox' }), '.spec.containers[1].name'],
    ['Secret data that is not base64', 'v1/Secret', set('.data.token', 'not base64!'), '.data.token'],
    ['a Service type outside the enum', 'v1/Service', set('.spec.type', 'Loadbalancer'), '.spec.type'],
  ])('semantic rule of the API server: %s is rejected', (_what, gvk, change, at) => {
    expect(SchemaValidator.validateObject(changed(gvk, change))).toContainEqual(expect.objectContaining({ path: at }));
  });

  test.failing('an enum violation under allOf is reported once', () => {
    const issues = SchemaValidator.validateObject(changed('kaito.sh/v1beta1/Workspace', set('.resource.partition', { mode: 'gpu' })));
    expect(issues).toHaveLength(1);
  });
});
