import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ILaunchableJob } from './launchable-job';
import { chartNamespace, checkInt, checkLabels, checkSubdomain, GO_DURATION, manifestOf, withFieldPrefix } from './util';
import { VolcanoQueue } from './volcano-queue';
import { ContainerOptions } from '../core/container';
import { check } from '../core/errors';
import { checkDns1035Label, checkDnsLabel, objectName } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';
import { Job as VolcanoJobL1 } from '../imports/volcano-job-batch.volcano.sh';

/**
 * An event a Volcano lifecycle policy reacts to (the ones Volcano's admission webhook lets users set).
 * @see https://volcano.sh/en/docs/vcjob/#policies
 */
export class VolcanoEvent {
  /** Any event (`*`); when used, no other event may appear in the same policy list. */
  public static readonly ANY = new VolcanoEvent('*');
  /** A pod of the job failed. */
  public static readonly POD_FAILED = new VolcanoEvent('PodFailed');
  /** A pod of the job was evicted. */
  public static readonly POD_EVICTED = new VolcanoEvent('PodEvicted');
  /** A pod stays pending (combine with `timeout`). */
  public static readonly POD_PENDING = new VolcanoEvent('PodPending');
  /** Part of the job's pods are in an unknown state (`Unknown`). */
  public static readonly UNKNOWN = new VolcanoEvent('Unknown');
  /** Every pod of a task completed. */
  public static readonly TASK_COMPLETED = new VolcanoEvent('TaskCompleted');
  /** A task failed. */
  public static readonly TASK_FAILED = new VolcanoEvent('TaskFailed');
  /** The job was updated (e.g. scaled). */
  public static readonly JOB_UPDATED = new VolcanoEvent('JobUpdated');

  private constructor(
    /** The event as Volcano spells it. */
    public readonly name: string,
  ) {}
}

/**
 * What a Volcano lifecycle policy does (the actions Volcano's admission webhook lets users set).
 */
export class VolcanoAction {
  /** Evict every pod, keep the job (it can be resumed). */
  public static readonly ABORT_JOB = new VolcanoAction('AbortJob');
  /** Restart the whole job (counts against maxRetry). */
  public static readonly RESTART_JOB = new VolcanoAction('RestartJob');
  /** Restart the task's pods only. */
  public static readonly RESTART_TASK = new VolcanoAction('RestartTask');
  /** Restart the affected pod only. */
  public static readonly RESTART_POD = new VolcanoAction('RestartPod');
  /** Evict every pod and do not restart the job. */
  public static readonly TERMINATE_JOB = new VolcanoAction('TerminateJob');
  /** Mark the job completed and kill the remaining pods. */
  public static readonly COMPLETE_JOB = new VolcanoAction('CompleteJob');
  /** Resume an aborted job. */
  public static readonly RESUME_JOB = new VolcanoAction('ResumeJob');

  private constructor(
    /** The action as Volcano spells it. */
    public readonly name: string,
  ) {}
}

/**
 * A lifecycle policy: on an event (or a container exit code), take an action.
 * Set exactly one of `events` and `exitCode`.
 */
export interface VolcanoPolicy {
  /**
   * The events that trigger the action (rendered as `event` for one, `events` for several).
   * @default - none (set exitCode)
   */
  readonly events?: VolcanoEvent[];
  /**
   * A non-zero container exit code that triggers the action. Needs restartPolicy Never: with OnFailure the
   * kubelet restarts the container in place and Volcano never sees the exit.
   * @default - none (set events)
   */
  readonly exitCode?: number;
  /** The action to take. */
  readonly action: VolcanoAction;
  /**
   * How long the condition must hold before the action runs, a Go duration (`30s`, `10m`).
   * @default - at once
   */
  readonly timeout?: string;
}

/**
 * Options of the `svc` plugin.
 */
export interface VolcanoSvcPluginOptions {
  /**
   * Publish the addresses of pods that are not ready yet (`--publish-not-ready-addresses`).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
  /**
   * Do not create the NetworkPolicy that admits only the job's own pods (`--disable-network-policy`).
   * @default false
   */
  readonly disableNetworkPolicy?: boolean;
}

/**
 * Options of the `pytorch` plugin.
 */
export interface VolcanoPyTorchPluginOptions {
  /**
   * The task whose (single) pod is the rendezvous master (`--master`).
   * @default "master"
   */
  readonly master?: string;
  /**
   * The task of the workers (`--worker`).
   * @default "worker"
   */
  readonly worker?: string;
  /**
   * The master port (`--port`); the plugin opens it on every container.
   * @default 23456
   */
  readonly port?: number;
}

/**
 * A Volcano job plugin (`spec.plugins`).
 * @see https://github.com/volcano-sh/volcano/tree/master/pkg/controllers/job/plugins
 */
export class VolcanoPlugin {
  /** `env`: sets `VK_TASK_INDEX` and `VC_TASK_INDEX` in every container. */
  public static env(): VolcanoPlugin {
    return new VolcanoPlugin('env', []);
  }

  /** `ssh`: password-less SSH between the job's pods (MPI-style launchers). */
  public static ssh(): VolcanoPlugin {
    return new VolcanoPlugin('ssh', []);
  }

  /**
   * `svc`: a headless Service named after the job, stable pod host names
   * (`<job>-<task>-<index>.<job>`), a ConfigMap `<job>-svc` of host lists, and a NetworkPolicy.
   */
  public static svc(options: VolcanoSvcPluginOptions = {}): VolcanoPlugin {
    return new VolcanoPlugin('svc', [
      ...(options.publishNotReadyAddresses ? ['--publish-not-ready-addresses'] : []),
      ...(options.disableNetworkPolicy ? ['--disable-network-policy'] : []),
    ]);
  }

  /**
   * `pytorch`: sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK for torch.distributed. It needs `svc`,
   * which this library adds when missing (as Volcano's mutating webhook would).
   */
  public static pytorch(options: VolcanoPyTorchPluginOptions = {}): VolcanoPlugin {
    const master = options.master ?? 'master';
    const worker = options.worker ?? 'worker';
    const port = options.port ?? 23456;
    const args = [
      ...(options.master !== undefined ? [`--master=${master}`] : []),
      ...(options.worker !== undefined ? [`--worker=${worker}`] : []),
      ...(options.port !== undefined ? [`--port=${port}`] : []),
    ];
    return new VolcanoPlugin('pytorch', args, { master, worker, port });
  }

  private constructor(
    /** The plugin name (the key in `spec.plugins`). */
    public readonly name: string,
    /** The plugin's arguments. */
    public readonly args: string[],
    private readonly pytorchRoles?: { master: string; worker: string; port: number },
  ) {}

  /** @internal */
  public get _pytorch(): { master: string; worker: string; port: number } | undefined {
    return this.pytorchRoles;
  }
}

/**
 * The restart policy of a task's pods. Volcano's lifecycle policies (PodFailed, exitCode) only see
 * failures when the pod itself fails, i.e. with `Never`.
 */
export enum VolcanoRestartPolicy {
  /** Failed pods stay failed, and policies react to them. */
  NEVER = 'Never',
  /** The kubelet restarts failed containers in place; PodFailed and exitCode policies never fire. */
  ON_FAILURE = 'OnFailure',
}

/**
 * A task of a Volcano job: a group of identical pods. The task's props are the main container's options
 * plus pod options.
 */
export interface VolcanoTask extends ContainerOptions, PodOptions {
  /** The task name, a DNS-1123 label unique in the job; pods are named `<job>-<task>-<index>`. */
  readonly name: string;
  /**
   * The number of pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How many of the task's pods must be schedulable together.
   * @default - Volcano's: replicas
   */
  readonly minAvailable?: number;
  /**
   * The main container's name.
   * @default - the task name
   */
  readonly containerName?: string;
  /**
   * The pods' restart policy. `Always` is not offered: the pods would never finish, so the task never
   * completes.
   * @default VolcanoRestartPolicy.NEVER
   */
  readonly restartPolicy?: VolcanoRestartPolicy;
  /**
   * Task-level lifecycle policies.
   * @default - none
   */
  readonly policies?: VolcanoPolicy[];
  /**
   * Tasks that must have run before this one starts (`dependsOn.name`).
   * @default - none
   */
  readonly dependsOn?: string[];
  /**
   * How many times the task may be restarted, at least 1: Volcano's webhook reads 0 as unset and writes 3
   * (volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go `mutateSpec` @ v1.15.1). To never
   * restart, add the policy `{ events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.TERMINATE_JOB }`.
   * @default 3 (Volcano's; emitted, so that the synthesized task equals the admitted one)
   */
  readonly maxRetry?: number;
}

/**
 * Props of a VolcanoTrainingJob.
 */
export interface VolcanoTrainingJobProps {
  /**
   * The job name: a DNS-1123 label (a DNS-1035 label with the svc or pytorch plugin, which create a
   * Service of that name).
   * @default - the construct id
   */
  readonly name?: string;
  /** The tasks, at least one. */
  readonly tasks: VolcanoTask[];
  /**
   * Gang scheduling: how many pods must be schedulable together before any starts, at least 1: Volcano's
   * webhook reads 0 as unset and writes the sum of the tasks' minAvailable
   * (volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go `patchDefaultMinAvailable` @ v1.15.1).
   * @default - Volcano's: the sum of the tasks' minAvailable
   */
  readonly minAvailable?: number;
  /**
   * The Volcano queue: an Open leaf queue, never `root`.
   * @default - Volcano's queue `default`
   */
  readonly queue?: string;
  /**
   * Job-level lifecycle policies.
   * @default - none
   */
  readonly policies?: VolcanoPolicy[];
  /**
   * Plugins, each at most once.
   * @default - none
   */
  readonly plugins?: VolcanoPlugin[];
  /**
   * How many times the job may be restarted, at least 1: Volcano's webhook reads 0 as unset and writes 3
   * (volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go `patchDefaultMaxRetry` @ v1.15.1).
   * To never restart, add the policy `{ events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.TERMINATE_JOB }`.
   * @default - Volcano's (3)
   */
  readonly maxRetry?: number;
  /**
   * The scheduler of the job's pods (`spec.schedulerName`). Set it only when Volcano's scheduler runs
   * under another name than the one its webhook is configured with.
   * @default - unset: Volcano's webhook fills in its configured scheduler name
   */
  readonly schedulerName?: string;
  /**
   * Delete the job this many seconds after it finished.
   * @default - kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * PriorityClass of the job's PodGroup.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Extra labels on the job.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const SVC_NEEDED_BY = ['pytorch'];

/** Volcano's default maxRetry (volcano-sh/volcano pkg/webhooks/admission/jobs/mutate/mutate_job.go @ v1.15.1). */
const VOLCANO_DEFAULT_MAX_RETRY = 3;

const NEVER_RETRY = 'Volcano reads 0 as unset and retries 3 times; to never retry, add the policy '
  + '{ events: [VolcanoEvent.POD_FAILED], action: VolcanoAction.TERMINATE_JOB }';

/** A count where Volcano reads 0 as unset: a whole number of at least 1. */
function checkCount(scope: IConstruct, field: string, value: number | undefined, why: string): void {
  if (value === undefined) return;
  check(Number.isInteger(value) && value >= 1, scope, field, value, `must be a whole number of at least 1 (${why})`);
}

/**
 * A Volcano Job (batch.volcano.sh/v1alpha1) for distributed training: tasks of identical pods, gang
 * scheduled on a Volcano queue, with lifecycle policies and plugins. Every rule of Volcano's admission
 * webhook and ValidatingAdmissionPolicy that can be decided offline is enforced in the constructor; the
 * queue's state (it must exist and be Open) is the cluster's.
 *
 * Volcano Jobs have no Kueue integration: queue them on a VolcanoQueue, not a Kueue LocalQueue.
 *
 * Kept in Git, a Volcano Job cannot be changed in place: Volcano's webhook accepts updates only to
 * `minAvailable`, `tasks[*].replicas` and `priorityClassName` (volcano-sh/volcano admit_job.go
 * `validateJobUpdate` @ v1.15.1). Launch it per message with a JobLauncher, or let Argo CD replace it
 * (`Replace=true`) and ignore `/spec/tasks` (docs/limitations.md, VOL-3).
 *
 * With the pytorch plugin, add a failure policy: without one, a failed worker leaves the others blocked
 * in NCCL until the process group's timeout. E.g. job `policies: [{ events: [VolcanoEvent.POD_FAILED,
 * VolcanoEvent.POD_EVICTED], action: VolcanoAction.RESTART_JOB }]` and, on the master task,
 * `TASK_COMPLETED -> COMPLETE_JOB` (VOL-5).
 *
 * @see https://volcano.sh/en/docs/vcjob/
 */
export class VolcanoTrainingJob extends Construct implements ILaunchableJob {
  public readonly apiVersion: string = VolcanoJobL1.GVK.apiVersion;
  public readonly kind: string = VolcanoJobL1.GVK.kind;
  public readonly apiGroup: string = 'batch.volcano.sh';
  public readonly plural: string = 'jobs';
  public readonly jobName: string;
  /** 63 minus the longest `-<task>-<last index>`: Volcano names pods `<job>-<task>-<index>`. */
  public readonly maxNameLength: number;
  public readonly namespace?: string;
  /** The Volcano queue the job is submitted to. */
  public readonly queue: string;
  /** The Job object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: VolcanoTrainingJobProps) {
    super(scope, id);
    const name = objectName(this, props.name);
    this.jobName = name;
    this.namespace = chartNamespace(this);
    const plugins = this.collectPlugins(props, name);
    this.checkJobCounts(props);
    this.queue = this.checkQueue(props.queue ?? 'default');

    // Tasks.
    const taskNames = this.checkTaskNames(props.tasks);
    this.maxNameLength = 63 - Math.max(...props.tasks.map((t) => `-${t.name}-${Math.max((t.replicas ?? 1) - 1, 0)}`.length));
    const tasks = props.tasks.map((t, i) => this.renderTask(t, i, name, taskNames));
    const totalReplicas = tasks.reduce((n, t) => n + t.replicas, 0);
    if (props.minAvailable !== undefined) {
      check(props.minAvailable <= totalReplicas, this, 'minAvailable', props.minAvailable,
        `must not exceed the total replicas of the tasks (${totalReplicas})`);
    }
    this.checkDependencyCycle(props.tasks);
    this.checkPytorchRoles(plugins, props.tasks, taskNames);

    this.resource = this.createResource(props, name, plugins, tasks);
  }

  /** The job's plugins by name (svc added where a plugin needs it). */
  private collectPlugins(props: VolcanoTrainingJobProps, name: string): Map<string, VolcanoPlugin> {
    const plugins = new Map<string, VolcanoPlugin>();
    (props.plugins ?? []).forEach((p, i) => {
      check(p instanceof VolcanoPlugin, this, `plugins[${i}]`, p, 'is an unknown plugin: use VolcanoPlugin.env(), ssh(), svc() or pytorch()');
      check(!plugins.has(p.name), this, `plugins[${i}]`, p.name, 'is given twice: each plugin may appear once');
      plugins.set(p.name, p);
    });
    if ([...plugins.keys()].some((p) => SVC_NEEDED_BY.includes(p)) && !plugins.has('svc')) plugins.set('svc', VolcanoPlugin.svc());
    if (plugins.has('svc')) {
      checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 63,
        'the svc plugin creates a Service named after the job, and Service names are DNS-1035 labels');
    }
    return plugins;
  }

  /** Job-level counts, scheduler, priority class and labels. */
  private checkJobCounts(props: VolcanoTrainingJobProps): void {
    // Volcano's webhook reads 0 as unset (mutate_job.go @ v1.15.1): 0 would silently become 3 or the sum.
    checkCount(this, 'minAvailable', props.minAvailable, 'Volcano reads 0 as unset and gangs the sum of the tasks\' minAvailable');
    checkCount(this, 'maxRetry', props.maxRetry, NEVER_RETRY);
    if (props.schedulerName !== undefined) checkSubdomain(this, 'schedulerName', props.schedulerName);
    checkInt(this, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0);
    if (props.priorityClassName !== undefined) checkSubdomain(this, 'priorityClassName', props.priorityClassName);
    checkLabels(this, 'labels', props.labels);
  }

  /** The queue: a leaf queue (not root; checked against the app's VolcanoQueues at synth). */
  private checkQueue(queue: string): string {
    checkSubdomain(this, 'queue', queue);
    check(queue !== 'root', this, 'queue', queue,
      'must not be the root queue: Volcano accepts jobs only on leaf queues ("can not submit job to root queue")');
    this.node.addValidation({ validate: () => this.validateQueueIsLeaf() });
    return queue;
  }

  /** At least one task, with unique DNS-label names; returns the names. */
  private checkTaskNames(tasks: VolcanoTask[]): Set<string> {
    check(Array.isArray(tasks) && tasks.length > 0, this, 'tasks', tasks, 'must have at least one task (Volcano: "No task specified in job spec")');
    const taskNames = new Set<string>();
    tasks.forEach((t, i) => {
      checkDnsLabel(this, `tasks[${i}].name`, t.name);
      check(!taskNames.has(t.name), this, `tasks[${i}].name`, t.name, 'is used by another task: task names must be unique');
      taskNames.add(t.name);
    });
    return taskNames;
  }

  /** One task: counts, pod names, restart policy, policies, dependencies and the pod template. */
  private renderTask(t: VolcanoTask, i: number, name: string, taskNames: Set<string>) {
    const f = `tasks[${i}]`;
    const replicas = t.replicas ?? 1;
    checkInt(this, `${f}.replicas`, replicas, 0);
    checkInt(this, `${f}.minAvailable`, t.minAvailable, 0);
    if (t.minAvailable !== undefined) {
      check(t.minAvailable <= replicas, this, `${f}.minAvailable`, t.minAvailable, `must not exceed ${f}.replicas (${replicas})`);
    }
    checkCount(this, `${f}.maxRetry`, t.maxRetry, NEVER_RETRY);

    // Pod names (and, with svc, host names) are `<job>-<task>-<index>`.
    const lastPod = `${name}-${t.name}-${Math.max(replicas - 1, 0)}`;
    check(lastPod.length <= 63, this, `${f}.name`, t.name,
      `makes the pod name "${lastPod}" ${lastPod.length} characters long: pod names <job>-<task>-<index> must be at most 63 (shorten the job or task name)`);

    const restartPolicy = t.restartPolicy ?? VolcanoRestartPolicy.NEVER;
    check(Object.values(VolcanoRestartPolicy).includes(restartPolicy), this, `${f}.restartPolicy`, restartPolicy,
      'must be Never or OnFailure: with Always the pods never finish and the task never completes');
    const policies = this.renderPolicies(`${f}.policies`, t.policies);
    if (restartPolicy === VolcanoRestartPolicy.ON_FAILURE) {
      const blind = (t.policies ?? []).findIndex((p) => p.exitCode !== undefined || (p.events ?? []).includes(VolcanoEvent.POD_FAILED));
      check(blind === -1, this, `${f}.policies[${blind}]`, policyLabel((t.policies ?? [])[blind]),
        `never fires with ${f}.restartPolicy OnFailure (the kubelet restarts the container in place, the pod does not fail): use VolcanoRestartPolicy.NEVER`);
    }

    (t.dependsOn ?? []).forEach((d, j) => {
      check(taskNames.has(d), this, `${f}.dependsOn[${j}]`, d, `names no task of the job (tasks: ${[...taskNames].join(', ')})`);
      check(d !== t.name, this, `${f}.dependsOn[${j}]`, d, 'must not name the task itself');
    });

    const podSpec = withFieldPrefix(f, () => renderPodSpec(this, { name: t.containerName ?? t.name, field: '', options: t }, t));
    podSpec.restartPolicy = restartPolicy;
    const metadata: any = {
      ...(t.podLabels && Object.keys(t.podLabels).length ? { labels: { ...t.podLabels } } : {}),
      ...(t.podAnnotations && Object.keys(t.podAnnotations).length ? { annotations: { ...t.podAnnotations } } : {}),
    };
    return {
      name: t.name,
      replicas,
      // The webhook's task defaults, emitted: `tasks` is replaced as a whole at admission, so a Git copy
      // without them would differ from the live object (mutate_job.go `mutateSpec` @ v1.15.1).
      minAvailable: t.minAvailable ?? replicas,
      maxRetry: t.maxRetry ?? VOLCANO_DEFAULT_MAX_RETRY,
      ...(policies ? { policies } : {}),
      ...(t.dependsOn?.length ? { dependsOn: { name: [...t.dependsOn] } } : {}),
      template: { ...(Object.keys(metadata).length ? { metadata } : {}), spec: podSpec },
    };
  }

  /** pytorch roles must be tasks of the job. */
  private checkPytorchRoles(plugins: Map<string, VolcanoPlugin>, tasks: VolcanoTask[], taskNames: Set<string>): void {
    const pt = plugins.get('pytorch')?._pytorch;
    if (pt) {
      checkInt(this, 'plugins.pytorch.port', pt.port, 1, 65535);
      check(taskNames.has(pt.master), this, 'plugins.pytorch.master', pt.master,
        `names no task of the job (tasks: ${[...taskNames].join(', ')}); the plugin would set no MASTER_ADDR`);
      check(taskNames.has(pt.worker), this, 'plugins.pytorch.worker', pt.worker, `names no task of the job (tasks: ${[...taskNames].join(', ')})`);
      check(pt.master !== pt.worker, this, 'plugins.pytorch.worker', pt.worker, 'must differ from plugins.pytorch.master');
      const masterReplicas = tasks.find((t) => t.name === pt.master)!.replicas ?? 1;
      check(masterReplicas === 1, this, `tasks[${tasks.findIndex((t) => t.name === pt.master)}].replicas`, masterReplicas,
        'must be 1 for the pytorch master task: every master pod gets RANK 0');
    }
  }

  /** The Job object: job policies, plugins and the rendered tasks. */
  private createResource(props: VolcanoTrainingJobProps, name: string, plugins: Map<string, VolcanoPlugin>, tasks: any[]): ApiObject {
    const jobPolicies = this.renderPolicies('policies', props.policies);
    const pluginSpec: { [name: string]: string[] } = {};
    for (const key of [...plugins.keys()].sort()) pluginSpec[key] = [...plugins.get(key)!.args];

    return new ApiObject(this, 'Resource', {
      ...VolcanoJobL1.GVK,
      metadata: { name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        ...(props.schedulerName !== undefined ? { schedulerName: props.schedulerName } : {}),
        queue: this.queue,
        ...(props.minAvailable !== undefined ? { minAvailable: props.minAvailable } : {}),
        ...(props.maxRetry !== undefined ? { maxRetry: props.maxRetry } : {}),
        ...(props.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: props.ttlSecondsAfterFinished } : {}),
        ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
        ...(jobPolicies ? { policies: jobPolicies } : {}),
        ...(plugins.size ? { plugins: pluginSpec } : {}),
        tasks,
      },
    });
  }

  public toManifest(): any {
    return manifestOf(this);
  }

  /** Volcano policy rules (pkg/webhooks/admission/jobs/validate/util.go `validatePolicies`), per list. */
  private renderPolicies(field: string, policies: VolcanoPolicy[] | undefined): any[] | undefined {
    if (!policies || policies.length === 0) return undefined;
    const seenEvents = new Set<string>();
    const seenCodes = new Set<number>();
    const out = policies.map((p, i) => {
      const f = `${field}[${i}]`;
      const events = p.events ?? [];
      const hasEvents = events.length > 0;
      const hasCode = p.exitCode !== undefined;
      check(!(hasEvents && hasCode), this, f, policyLabel(p), 'must not set both events and exitCode (Volcano: "must not specify event and exitCode simultaneously")');
      check(hasEvents || hasCode, this, f, policyLabel(p), 'must set events or exitCode');
      check(p.action instanceof VolcanoAction, this, `${f}.action`, (p.action as any)?.name ?? p.action,
        'is an unknown action: use a VolcanoAction (AbortJob, RestartJob, RestartTask, RestartPod, TerminateJob, CompleteJob, ResumeJob)');
      events.forEach((e, j) => {
        check(e instanceof VolcanoEvent, this, `${f}.events[${j}]`, (e as any)?.name ?? e,
          'is an unknown event: use a VolcanoEvent (*, PodFailed, PodEvicted, PodPending, Unknown, TaskCompleted, TaskFailed, JobUpdated)');
        check(!seenEvents.has(e.name), this, `${f}.events[${j}]`, e.name, `is handled by another policy of ${field}: each event may appear once`);
        seenEvents.add(e.name);
      });
      if (hasCode) {
        check(Number.isInteger(p.exitCode), this, `${f}.exitCode`, p.exitCode, 'must be a whole number');
        check(p.exitCode !== 0, this, `${f}.exitCode`, p.exitCode, 'must not be 0 (Volcano: "0 is not a valid error code"): 0 is success');
        check(!seenCodes.has(p.exitCode!), this, `${f}.exitCode`, p.exitCode, `is handled by another policy of ${field}: each exit code may appear once`);
        seenCodes.add(p.exitCode!);
      }
      if (p.timeout !== undefined) {
        check(typeof p.timeout === 'string' && GO_DURATION.test(p.timeout), this, `${f}.timeout`, p.timeout, 'must be a Go duration such as 30s, 10m or 1h30m');
      }
      return {
        ...(events.length === 1 ? { event: events[0].name } : {}),
        ...(events.length > 1 ? { events: events.map((e) => e.name) } : {}),
        ...(hasCode ? { exitCode: p.exitCode } : {}),
        action: p.action.name,
        ...(p.timeout !== undefined ? { timeout: p.timeout } : {}),
      };
    });
    check(!(seenEvents.has('*') && seenEvents.size > 1), this, field, [...seenEvents],
      'must not combine the event "*" with other events (Volcano: "if there\'s * here, no other policy should be here")');
    return out;
  }

  private checkDependencyCycle(tasks: VolcanoTask[]): void {
    const deps = new Map(tasks.map((t) => [t.name, t.dependsOn ?? []]));
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(n)), n];
        check(false, this, 'tasks.dependsOn', cycle.join(' -> '), 'forms a cycle: Volcano requires the task dependencies to be a DAG');
      }
      state.set(n, 'visiting');
      for (const d of deps.get(n) ?? []) visit(d, [...path, n]);
      state.set(n, 'done');
    };
    for (const t of tasks) visit(t.name, []);
  }

  private validateQueueIsLeaf(): string[] {
    const children = this.node.root.node.findAll()
      .filter((c: IConstruct): c is VolcanoQueue => c instanceof VolcanoQueue && c.parent === this.queue)
      .map((q) => q.name);
    return children.length
      ? [`queue (${JSON.stringify(this.queue)}) has child queues in this app (${children.join(', ')}): Volcano accepts jobs only on leaf queues`]
      : [];
  }
}

function policyLabel(p: VolcanoPolicy | undefined): unknown {
  if (!p) return undefined;
  return {
    ...(p.events ? { events: p.events.map((e) => (e as any)?.name ?? e) } : {}),
    ...(p.exitCode !== undefined ? { exitCode: p.exitCode } : {}),
    action: (p.action as any)?.name ?? p.action,
  };
}
