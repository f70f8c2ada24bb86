import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Kueue, KueueEnqueueOptions } from './kueue';
import { ILaunchableJob } from './launchable-job';
import { chartNamespace, checkInt, checkLabels, manifestOf } from './util';
import { ContainerOptions } from '../core/container';
import { check } from '../core/errors';
import { checkDns1035Label } from '../core/names';
import { PodOptions, renderPodSpec } from '../core/pod';
import { PyTorchJob as PyTorchJobL1 } from '../imports/kubeflow-pytorchjob-kubeflow.org';

/**
 * The restart policy of a PyTorchJob replica (the operator derives the pods' policy from it).
 */
export enum PyTorchRestartPolicy {
  /** Restart failed containers in place. */
  ON_FAILURE = 'OnFailure',
  /** Never restart; a failure fails the replica. */
  NEVER = 'Never',
  /** Restart on retryable exit codes (128 and above) only; other codes fail the job. */
  EXIT_CODE = 'ExitCode',
  /** Always restart. */
  ALWAYS = 'Always',
}

/**
 * Which pods the operator deletes when the job finishes.
 */
export enum CleanPodPolicy {
  /** Delete none. */
  NONE = 'None',
  /** Delete the pods still running. */
  RUNNING = 'Running',
  /** Delete every pod. */
  ALL = 'All',
}

/**
 * Elastic training with torchrun's rendezvous (`spec.elasticPolicy`).
 */
export interface PyTorchElasticPolicy {
  /** The fewest workers the job runs with. */
  readonly minReplicas: number;
  /** The most workers the job scales to. */
  readonly maxReplicas: number;
  /**
   * The rendezvous backend (`c10d`, `etcd`, `etcd-v2`).
   * @default - the operator's (c10d)
   */
  readonly rdzvBackend?: string;
  /**
   * The rendezvous port.
   * @default - the operator's
   */
  readonly rdzvPort?: number;
  /**
   * The rendezvous host.
   * @default - the operator's
   */
  readonly rdzvHost?: string;
  /**
   * The rendezvous id.
   * @default - the operator's
   */
  readonly rdzvId?: string;
  /**
   * How many times the workers may be restarted.
   * @default - the operator's
   */
  readonly maxRestarts?: number;
}

/**
 * Props of a PyTorchTrainingJob: the `pytorch` container's options, pod options and the job's settings.
 */
export interface PyTorchTrainingJobProps extends ContainerOptions, PodOptions {
  /**
   * The job name, a DNS-1035 label (the operator names pods and Services `<job>-worker-<index>`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Run a Master replica (exactly one pod). Elastic jobs usually run workers only.
   * @default true
   */
  readonly master?: boolean;
  /**
   * Worker pods, at least 1.
   * @default 1
   */
  readonly workers?: number;
  /**
   * Processes per node (`spec.nprocPerNode`): a number, `auto`, `cpu` or `gpu`.
   * @default - the operator's (auto)
   */
  readonly nprocPerNode?: string;
  /**
   * Elastic training (needs workers).
   * @default - not elastic
   */
  readonly elasticPolicy?: PyTorchElasticPolicy;
  /**
   * The replicas' restart policy.
   * @default PyTorchRestartPolicy.ON_FAILURE
   */
  readonly restartPolicy?: PyTorchRestartPolicy;
  /**
   * Which pods to delete when the job finishes.
   * @default - the operator's (None)
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * Delete the job this many seconds after it finished.
   * @default - kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Maximum run time in seconds.
   * @default - none
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries before the job is marked failed.
   * @default - the operator's
   */
  readonly backoffLimit?: number;
  /**
   * Create the job suspended (`runPolicy.suspend`).
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Queue the job on a Kueue LocalQueue (requires `acknowledgePyTorchJobIntegration`).
   * @default - not queued
   */
  readonly kueue?: KueueEnqueueOptions;
  /**
   * Extra labels on the job.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const NPROC = /^([1-9][0-9]*|auto|cpu|gpu)$/;

/**
 * A Kubeflow PyTorchJob (kubeflow.org/v1, training-operator / trainer v1): one Master and N Workers running
 * the same `pytorch` container; the operator sets MASTER_ADDR, MASTER_PORT (23456), WORLD_SIZE and RANK.
 * The rules of the operator's validating webhook are enforced in the constructor.
 *
 * Master and Worker share one pod spec; for per-role differences patch
 * `/spec/pytorchReplicaSpecs/<Master|Worker>/template/...` on `resource` (docs/limitations.md, KFL-3).
 *
 * @see https://www.kubeflow.org/docs/components/trainer/legacy-v1/user-guides/pytorch/
 */
export class PyTorchTrainingJob extends Construct implements ILaunchableJob {
  /** The container name the operator requires. */
  public static readonly CONTAINER_NAME = 'pytorch';

  public readonly apiVersion: string = PyTorchJobL1.GVK.apiVersion;
  public readonly kind: string = PyTorchJobL1.GVK.kind;
  public readonly apiGroup: string = 'kubeflow.org';
  public readonly plural: string = 'pytorchjobs';
  public readonly jobName: string;
  /** 63 minus `-worker-<last index>`: the operator names pods and Services `<job>-worker-<index>`. */
  public readonly maxNameLength: number;
  public readonly namespace?: string;
  /** The PyTorchJob object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: PyTorchTrainingJobProps) {
    super(scope, id);
    const name = props.name ?? this.node.id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 63,
      'the operator validates PyTorchJob names as DNS-1035 labels');
    this.jobName = name;
    this.namespace = chartNamespace(this);
    checkLabels(this, 'labels', props.labels);

    const workers = props.workers ?? 1;
    checkInt(this, 'workers', workers, 1);
    const master = props.master ?? true;
    // Elastic jobs scale up to elasticPolicy.maxReplicas workers.
    const mostWorkers = Math.max(workers, props.elasticPolicy?.maxReplicas ?? 0);
    this.maxNameLength = 63 - `-worker-${mostWorkers - 1}`.length;
    this.checkLastPodName(name, mostWorkers);
    const restartPolicy = this.checkRunPolicy(props);
    this.checkElasticPolicy(props.elasticPolicy, workers);

    this.resource = this.createResource(props, name, master, workers, restartPolicy);
    if (props.kueue) {
      // Kueue owns suspend on queued jobs (its webhook suspends, its controller resumes): a value in Git
      // would fight it on every sync (kubernetes-sigs/kueue pkg/controller/jobframework/defaults.go @ v0.19.2).
      check(props.suspend === undefined, this, 'suspend', props.suspend, 'must be unset on a job queued on Kueue: Kueue suspends and resumes it');
      Kueue.enqueue(this, props.kueue);
    }
  }

  public toManifest(): any {
    return manifestOf(this);
  }

  /** The operator names pods and Services `<job>-worker-<index>`: the last one must fit 63 characters. */
  private checkLastPodName(name: string, mostWorkers: number): void {
    const lastPod = `${name}-worker-${mostWorkers - 1}`;
    check(lastPod.length <= 63, this, 'name', name,
      `makes the pod and Service name "${lastPod}" ${lastPod.length} characters long: it must be at most 63 (shorten the name or use fewer workers)`);
  }

  /** nprocPerNode, the restart policy and the run policy; returns the restart policy. */
  private checkRunPolicy(props: PyTorchTrainingJobProps): PyTorchRestartPolicy {
    if (props.nprocPerNode !== undefined) {
      check(NPROC.test(props.nprocPerNode), this, 'nprocPerNode', props.nprocPerNode, 'must be a positive number, auto, cpu or gpu');
    }
    const restartPolicy = props.restartPolicy ?? PyTorchRestartPolicy.ON_FAILURE;
    check(Object.values(PyTorchRestartPolicy).includes(restartPolicy), this, 'restartPolicy', restartPolicy, 'must be OnFailure, Never, ExitCode or Always');
    if (props.cleanPodPolicy !== undefined) {
      check(Object.values(CleanPodPolicy).includes(props.cleanPodPolicy), this, 'cleanPodPolicy', props.cleanPodPolicy, 'must be None, Running or All');
    }
    checkInt(this, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0);
    checkInt(this, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 0);
    checkInt(this, 'backoffLimit', props.backoffLimit, 0);
    return restartPolicy;
  }

  /** The elastic policy's replica range holds `workers`. */
  private checkElasticPolicy(e: PyTorchElasticPolicy | undefined, workers: number): void {
    if (e) {
      checkInt(this, 'elasticPolicy.minReplicas', e.minReplicas, 1);
      checkInt(this, 'elasticPolicy.maxReplicas', e.maxReplicas, 1);
      check(e.minReplicas <= e.maxReplicas, this, 'elasticPolicy.minReplicas', e.minReplicas, `must not exceed elasticPolicy.maxReplicas (${e.maxReplicas})`);
      check(workers >= e.minReplicas && workers <= e.maxReplicas, this, 'workers', workers,
        `must be within elasticPolicy.minReplicas (${e.minReplicas}) and elasticPolicy.maxReplicas (${e.maxReplicas})`);
      checkInt(this, 'elasticPolicy.rdzvPort', e.rdzvPort, 1, 65535);
      checkInt(this, 'elasticPolicy.maxRestarts', e.maxRestarts, 0);
    }
  }

  /** The PyTorchJob object: Master (optional) and Worker from one pod spec, elastic and run policies. */
  private createResource(props: PyTorchTrainingJobProps, name: string, master: boolean, workers: number, restartPolicy: PyTorchRestartPolicy): ApiObject {
    const e = props.elasticPolicy;
    // The operator's webhook wants a container named `pytorch` with an image in every replica template.
    const podSpec = renderPodSpec(this, { name: PyTorchTrainingJob.CONTAINER_NAME, field: '', options: props }, props);
    const metadata: any = {
      ...(props.podLabels && Object.keys(props.podLabels).length ? { labels: { ...props.podLabels } } : {}),
      ...(props.podAnnotations && Object.keys(props.podAnnotations).length ? { annotations: { ...props.podAnnotations } } : {}),
    };
    const replica = (replicas: number) => ({
      replicas,
      restartPolicy,
      template: { ...(Object.keys(metadata).length ? { metadata } : {}), spec: JSON.parse(JSON.stringify(podSpec)) },
    });

    return new ApiObject(this, 'Resource', {
      ...PyTorchJobL1.GVK,
      metadata: { name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        pytorchReplicaSpecs: {
          ...(master ? { Master: replica(1) } : {}),
          Worker: replica(workers),
        },
        ...(props.nprocPerNode !== undefined ? { nprocPerNode: props.nprocPerNode } : {}),
        ...(e ? {
          elasticPolicy: {
            minReplicas: e.minReplicas,
            maxReplicas: e.maxReplicas,
            ...(e.rdzvBackend !== undefined ? { rdzvBackend: e.rdzvBackend } : {}),
            ...(e.rdzvPort !== undefined ? { rdzvPort: e.rdzvPort } : {}),
            ...(e.rdzvHost !== undefined ? { rdzvHost: e.rdzvHost } : {}),
            ...(e.rdzvId !== undefined ? { rdzvId: e.rdzvId } : {}),
            ...(e.maxRestarts !== undefined ? { maxRestarts: e.maxRestarts } : {}),
          },
        } : {}),
        runPolicy: {
          ...(props.cleanPodPolicy !== undefined ? { cleanPodPolicy: props.cleanPodPolicy } : {}),
          ...(props.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: props.ttlSecondsAfterFinished } : {}),
          ...(props.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: props.activeDeadlineSeconds } : {}),
          ...(props.backoffLimit !== undefined ? { backoffLimit: props.backoffLimit } : {}),
          ...(props.suspend !== undefined ? { suspend: props.suspend } : {}),
        },
      },
    });
  }
}
