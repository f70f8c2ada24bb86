import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Kueue } from './kueue';
import { ILaunchableJob, LAUNCHED_NAME_SUFFIX_LENGTH, launchedNameLength, markCaptured } from './launchable-job';
import { AsyncActor, HandlerMode } from '../asya/async-actor';
import { HandlerStep, HandlerStepProps } from '../asya/handler-step';
import { portablePatternProblem } from '../asya/portable-pattern';
import { ScalingOptions } from '../asya/scaling';
import { Transport } from '../asya/transport';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { k8s } from '../core/k8s';
import { boolProp, durationSeconds, listProp, objectProp, stringListProp, stringProp } from '../core/props';
import { requireLimits, ResourceRequirements } from '../core/resources';
import { isCidr } from '../core/traffic';

/**
 * Type of a launch parameter (a field of the message payload).
 */
export enum LaunchParameterType {
  STRING = 'string',
  INTEGER = 'integer',
  NUMBER = 'number',
  BOOLEAN = 'boolean',
}

/**
 * A message field the launcher writes into the job manifest. Nothing else of the manifest can be
 * overridden by a message.
 */
export interface LaunchParameter {
  /** The payload key. */
  readonly name: string;
  /** Its type (checked by the handler; a boolean is not a number). */
  readonly type: LaunchParameterType;
  /**
   * JSON pointers into the job manifest where the value is written (each must exist and hold a scalar,
   * outside /apiVersion, /kind and /metadata), e.g. `/spec/tasks/0/template/spec/containers/0/args/1`.
   */
  readonly targets: string[];
  /**
   * Whether messages must carry it.
   * @default false
   */
  readonly required?: boolean;
  /**
   * Default value, as JSON (e.g. `"3"`, `"\"s3://bucket/data\""`).
   * @default - the manifest's value stays
   */
  readonly defaultJson?: string;
  /**
   * A regular expression the whole string must match (strings only).
   * @default - any
   */
  readonly pattern?: string;
  /**
   * Smallest value (numbers only).
   * @default - none
   */
  readonly minimum?: number;
  /**
   * Largest value (numbers only).
   * @default - none
   */
  readonly maximum?: number;
}

/**
 * Props of a JobLauncher.
 */
export interface JobLauncherProps extends HandlerStepProps {
  /**
   * The job each message launches. It becomes a template: the launcher captures its manifest and
   * removes it from the app, so applying the YAML never starts a job by itself.
   */
  readonly job: ILaunchableJob;
  /** The transport the launcher consumes from. */
  readonly transport: Transport;
  /**
   * The launcher actor's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Message fields written into the manifest.
   * @default - none: every message launches the job as defined
   */
  readonly parameters?: LaunchParameter[];
  /**
   * The launcher's Python image (Python >= 3.10 with sh; the handler needs only the standard library).
   * @default "python:3.12.7-slim-bookworm"
   */
  readonly image?: string;
  /**
   * Resources of the launcher runtime.
   * @default - requests 50m CPU / 64Mi, limits 250m CPU / 128Mi
   */
  readonly resources?: ResourceRequirements;
  /**
   * Scaling of the launcher.
   * @default - enabled, 0..2 replicas
   */
  readonly scaling?: ScalingOptions;
  /**
   * Deadline of one API request: connect, send and the whole answer (the POST and the GET after a 409
   * share the message's budget; handlers/README.md has the timing model).
   * @default Duration.seconds(30)
   */
  readonly requestTimeout?: Duration;
  /**
   * Retries on 429, 5xx and connection errors.
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * Where the Kubernetes API server is, for the launcher's NetworkPolicy egress (ports 443 and 6443):
   * e.g. the control plane's subnet, or the `kubernetes` Service's endpoints (`kubectl get endpoints
   * kubernetes`). On Cilium before 1.15 an ipBlock never matches the API server when it runs on the
   * nodes (cilium/cilium#14724): add a CiliumNetworkPolicy with `toEntities: [kube-apiserver]` there.
   * @default ["0.0.0.0/0"]: the API server's address is not known at synth
   */
  readonly apiServerCidrs?: string[];
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pointerGet(doc: any, pointer: string): { found: boolean; value?: any } {
  if (!pointer.startsWith('/')) return { found: false };
  let cur = doc;
  for (const raw of pointer.substring(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !(key in cur)) return { found: false };
    cur = cur[key];
  }
  return { found: true, value: cur };
}

/** The API path of the job's collection in `namespace` (`/apis/<group>/<version>/namespaces/<ns>/<plural>`, `/api/v1/...` for the core group). */
function apiResourcePath(job: ILaunchableJob, namespace: string): string {
  const [group, version] = job.apiVersion.includes('/') ? job.apiVersion.split('/') : ['', job.apiVersion];
  return `${group ? `/apis/${group}/${version}` : `/api/${version}`}/namespaces/${namespace}/${job.plural}`;
}

/**
 * An actor that turns each message into one Kubernetes job (Volcano, batch/v1 on Kueue, PyTorchJob,
 * TrainJob). Its dependency-free Python handler writes the declared parameters into the captured
 * manifest, names the job from the message id (a redelivered message never starts a second job: 409
 * Conflict counts as success, when the existing job carries this message's hash and this launcher's
 * `asya.sh/launcher` label) and returns the job's reference. It runs as its own ServiceAccount with a
 * Role that allows only `create` and `get` on that one resource in its namespace.
 *
 * `create` on a job kind lets its holder run pods as any ServiceAccount of the namespace (Kubernetes does
 * not check the pod template's `serviceAccountName` against the creator): launch jobs in a dedicated
 * namespace, and never target `serviceAccountName` with a launch parameter (docs/limitations.md, JL-4).
 */
export class JobLauncher extends HandlerStep {
  /** The label naming the launcher on every job it launches. */
  public static readonly LAUNCHER_LABEL = 'asya.sh/launcher';

  /** The launcher actor. */
  public readonly actor: AsyncActor;
  /** The Role granting create/get on the job resource. */
  public readonly role: ApiObject;
  /** The job manifest messages start from. */
  public readonly manifest: any;

  constructor(scope: Construct, id: string, props: JobLauncherProps) {
    super(scope, id);
    const job = props.job;
    check(!!job && typeof job.toManifest === 'function', this, 'job', job, 'must be a launchable job (VolcanoTrainingJob, KueueJob, PyTorchTrainingJob, TrainJob)');
    check(props.transport instanceof Transport, this, 'transport', props.transport, 'must be Transport.rabbitmq() or Transport.sqs({...})');
    const name = stringProp(this, 'name', props.name) ?? id;
    stringProp(this, 'image', props.image);
    objectProp(this, 'resources', props.resources);
    if (props.resources) requireLimits(this, 'resources', props.resources, 'asya-runtime');
    objectProp(this, 'scaling', props.scaling);
    const manifest = this.captureManifest(job, name);
    this.manifest = manifest;

    // Parameters: the handler checks values; the shape is checked here, against the real manifest.
    const names = new Set<string>();
    const params = listProp(this, 'parameters', props.parameters).map((p, i) => this.checkParameter(p, i, names, job, manifest));
    const namespace = this.checkJobNamespace(job);
    const resourcePath = apiResourcePath(job, namespace);

    // The job is a template from now on: never applied by itself.
    job.node.scope?.node.tryRemoveChild(job.node.id);

    const timeout = durationSeconds(this, 'requestTimeout', props.requestTimeout, Duration.seconds(30));
    check(timeout >= 1, this, 'requestTimeout', `${timeout}s`, 'must be at least 1 second');
    const retries = props.maxRetries ?? 3;
    check(Number.isInteger(retries) && retries >= 0 && retries <= 10, this, 'maxRetries', retries, 'must be a whole number from 0 to 10');

    // Least privilege: its own ServiceAccount (or the operator's IRSA one), create/get on one resource.
    const irsa = props.transport.usesIrsa;
    const serviceAccount = irsa ? `asya-${name}` : name;
    this.role = this.createRbac(job, name, serviceAccount, namespace, !irsa);
    const apiServerCidrs = this.checkApiServerCidrs(props.apiServerCidrs);
    this.actor = this.createHandlerActor('Actor', {
      name,
      transport: props.transport,
      module: 'job_launcher',
      handlerMode: HandlerMode.ENVELOPE,
      image: props.image ?? 'python:3.12.7-slim-bookworm',
      env: {
        LAUNCHER_MANIFEST: EnvValue.fromValue(JSON.stringify(manifest)),
        LAUNCHER_PARAMETERS: EnvValue.fromValue(JSON.stringify(params)),
        LAUNCHER_NAMESPACE: EnvValue.fromValue(namespace),
        LAUNCHER_RESOURCE_PATH: EnvValue.fromValue(resourcePath),
        LAUNCHER_TIMEOUT_SECONDS: EnvValue.fromValue(String(timeout)),
        LAUNCHER_MAX_RETRIES: EnvValue.fromValue(String(retries)),
      },
      resources: props.resources ?? { cpu: { request: '50m', limit: '250m' }, memory: { request: '64Mi', limit: '128Mi' } },
      requestTimeoutSeconds: timeout,
      maxRetries: retries,
      runtimeLogLevel: props.runtimeLogLevel,
      scaling: props.scaling ?? { maxReplicas: 2 },
      ...(irsa ? {} : { serviceAccountName: serviceAccount }),
      podLabels: { 'app.kubernetes.io/component': 'job-launcher' },
      // The Kubernetes API server (JL-3: narrowed by apiServerCidrs; its address is not known at synth).
      egress: apiServerCidrs.map((c) => ({ ipBlock: c, ports: [443, 6443] })),
    });
  }

  /** The launcher's namespace, where the job must be too (its Role grants create/get there only). */
  private checkJobNamespace(job: ILaunchableJob): string {
    const namespace = Chart.of(this).namespace ?? 'default';
    const jobNamespace = job.namespace ?? namespace;
    check(jobNamespace === namespace, this, 'job', `${job.kind} in ${jobNamespace}`,
      `must be in the launcher's namespace ${namespace}: its Role grants create/get there only`);
    return namespace;
  }

  /** The launcher's ServiceAccount (unless IRSA provides it), and a Role and RoleBinding for create/get on the job resource. */
  private createRbac(job: ILaunchableJob, name: string, serviceAccount: string, namespace: string, ownServiceAccount: boolean): ApiObject {
    if (ownServiceAccount) {
      new ApiObject(this, 'ServiceAccount', { ...k8s.KubeServiceAccount.GVK, metadata: { name: serviceAccount } });
    }
    const role = new ApiObject(this, 'Role', {
      ...k8s.KubeRole.GVK,
      metadata: { name },
      rules: [{ apiGroups: [job.apiGroup], resources: [job.plural], verbs: ['create', 'get'] }],
    });
    new ApiObject(this, 'RoleBinding', {
      ...k8s.KubeRoleBinding.GVK,
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    });
    return role;
  }

  /** The CIDR blocks the launcher may reach the API server in (JL-3). */
  private checkApiServerCidrs(cidrs: string[] | undefined): string[] {
    const apiServerCidrs = listProp(this, 'apiServerCidrs', cidrs ?? ['0.0.0.0/0']);
    check(apiServerCidrs.length > 0, this, 'apiServerCidrs', apiServerCidrs, 'must list at least one CIDR block (the API server must be reachable)');
    apiServerCidrs.forEach((c, i) => check(isCidr(c), this, `apiServerCidrs[${i}]`, c, 'must be a CIDR block such as 10.0.0.0/16'));
    return apiServerCidrs;
  }

  /** Checks one launch parameter against the captured manifest; returns what the handler reads. */
  private checkParameter(p: LaunchParameter, i: number, names: Set<string>, job: ILaunchableJob, manifest: any): { [key: string]: unknown } {
    const f = `parameters[${i}]`;
    objectProp(this, f, p);
    check(typeof p.name === 'string' && PARAM_NAME.test(p.name), this, `${f}.name`, p.name, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)');
    check(!names.has(p.name), this, `${f}.name`, p.name, 'is declared twice');
    names.add(p.name);
    check(Object.values(LaunchParameterType).includes(p.type), this, `${f}.type`, p.type, `must be one of ${Object.values(LaunchParameterType).join(', ')}`);
    boolProp(this, `${f}.required`, p.required);
    check(Array.isArray(p.targets) && p.targets.length > 0, this, `${f}.targets`, p.targets, 'must name at least one JSON pointer into the job manifest');
    stringListProp(this, `${f}.targets`, p.targets);
    for (const k of ['minimum', 'maximum'] as const) {
      check(p[k] === undefined || (typeof p[k] === 'number' && Number.isFinite(p[k])), this, `${f}.${k}`, p[k], 'must be a finite number');
    }
    check(p.defaultJson === undefined || typeof p.defaultJson === 'string', this, `${f}.defaultJson`, p.defaultJson, 'must be a string of JSON');
    p.targets.forEach((t, j) => {
      check(!/^\/(apiVersion|kind|metadata)(\/|$)/.test(t), this, `${f}.targets[${j}]`, t, 'may not point into apiVersion, kind or metadata');
      const got = pointerGet(manifest, t);
      check(got.found, this, `${f}.targets[${j}]`, t, `does not exist in the ${job.kind} manifest`);
      check(got.value === null || typeof got.value !== 'object', this, `${f}.targets[${j}]`, t, 'must point at a scalar value (a string, number or boolean), not an object or list');
    });
    if (p.pattern !== undefined) {
      check(p.type === LaunchParameterType.STRING, this, `${f}.pattern`, p.pattern, 'applies to string parameters only');
      // HND-5: checked here with JavaScript, compiled per message by Python's re: only the syntax both read alike.
      const problem = typeof p.pattern === 'string' ? portablePatternProblem(p.pattern) : 'must be a string';
      check(problem === undefined, this, `${f}.pattern`, p.pattern, `${problem}: launch patterns use the subset JavaScript and Python read the same way (handlers/README.md)`);
    }
    const numeric = p.type === LaunchParameterType.INTEGER || p.type === LaunchParameterType.NUMBER;
    if (p.minimum !== undefined) check(numeric, this, `${f}.minimum`, p.minimum, 'applies to integer and number parameters only');
    if (p.maximum !== undefined) check(numeric, this, `${f}.maximum`, p.maximum, 'applies to integer and number parameters only');
    if (p.minimum !== undefined && p.maximum !== undefined) check(p.minimum <= p.maximum, this, `${f}.minimum`, p.minimum, `must not exceed ${f}.maximum (${p.maximum})`);
    let def: unknown;
    if (p.defaultJson !== undefined) {
      try { def = JSON.parse(p.defaultJson); } catch { check(false, this, `${f}.defaultJson`, p.defaultJson, 'must be valid JSON'); }
      if (typeof def === 'string' && p.pattern !== undefined) {
        // Portable patterns mean the same in both engines, so the handler would refuse this default too.
        check(new RegExp(`^(?:${p.pattern})$`).test(def), this, `${f}.defaultJson`, p.defaultJson, `must match the whole pattern ${p.pattern}`);
      }
    }
    return {
      name: p.name,
      type: p.type,
      required: p.required ?? false,
      targets: [...p.targets],
      ...(def !== undefined ? { default: def } : {}),
      ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
      ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
      ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
    };
  }

  /**
   * The job's manifest as launched: labelled with the launcher's name (`asya.sh/launcher`) and, when
   * queued on Kueue, suspended. The job is frozen from here on: a later `Kueue.enqueue` throws, and any
   * other change (a patch, a label) fails validation, because the launcher would silently ignore it.
   */
  private captureManifest(job: ILaunchableJob, name: string): any {
    // JL-2: the handler launches `<base[:52]>-<10 hex>`; names derived from it must still fit.
    const launched = launchedNameLength(job.jobName);
    check(launched <= job.maxNameLength, this, 'job', `${job.kind} ${job.jobName}`,
      `has a name too long to launch: launched copies are named <name[:52]>-<10 hex digits> (${launched} characters), `
      + `and this ${job.kind} allows at most ${job.maxNameLength} (its pods or Services are named after it); `
      + `shorten the job name to at most ${job.maxNameLength - LAUNCHED_NAME_SUFFIX_LENGTH} characters`);
    const original = JSON.stringify(job.toManifest());
    const manifest = JSON.parse(original);
    manifest.metadata.labels = { ...(manifest.metadata.labels ?? {}), [JobLauncher.LAUNCHER_LABEL]: name };
    Kueue._suspendQueued(manifest);
    markCaptured(job, this.node.path);
    this.node.addValidation({
      validate: () => (JSON.stringify(job.toManifest()) === original ? [] : [
        `job (${job.kind} ${job.jobName}) changed after JobLauncher ${this.node.path} captured its manifest; `
        + 'the launcher would ignore the change: configure the job (Kueue.enqueue, patches, labels) before creating the launcher',
      ]),
    });
    return manifest;
  }
}
