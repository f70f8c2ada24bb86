import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Kueue, KueueEnqueueOptions } from './kueue';
import { ILaunchableJob } from './launchable-job';
import { chartNamespace, checkInt, checkLabels, manifestOf } from './util';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { checkDns1035Label, checkDnsLabel } from '../core/names';
import { renderResources, ResourceRequirements } from '../core/resources';
import { TrainJob as TrainJobL1 } from '../imports/kubeflow-trainjob-trainer.kubeflow.org';

/**
 * What the library needs to know of a training runtime it cannot read at synth.
 */
export interface TrainingRuntimeOptions {
  /**
   * The names of the runtime's replicated jobs (`spec.template.spec.replicatedJobs[].name`). JobSet names
   * pods `<trainjob>-<replicated job>-<job index>-<pod index>-<5 random>`, at most 63 characters, so they
   * bound the TrainJob name.
   * @default - for the ClusterTrainingRuntimes Kubeflow Trainer v2.3.0 ships, their replicated jobs
   * (`torch-distributed`: `node`); for any other runtime, `dataset-initializer`, `model-initializer`,
   * `launcher` and `node` (the longest they use)
   */
  readonly replicatedJobNames?: string[];
}

/**
 * Replicated jobs of the ClusterTrainingRuntimes shipped by kubeflow/trainer
 * manifests/base/runtimes/** @ v2.3.0.
 */
const SHIPPED_RUNTIME_JOBS: { [runtime: string]: string[] } = {
  'torch-distributed': ['node'],
  'jax-distributed': ['node'],
  'xgboost-distributed': ['node'],
  'deepspeed-distributed': ['node', 'launcher'],
  'mlx-distributed': ['node', 'launcher'],
  'torch-distributed-with-cache': ['dataset-initializer', 'node'],
  'torchtune-llama3.2-1b': ['dataset-initializer', 'model-initializer', 'node'],
  'torchtune-llama3.2-3b': ['dataset-initializer', 'model-initializer', 'node'],
  'torchtune-qwen2.5-1.5b': ['dataset-initializer', 'model-initializer', 'node'],
};
const UNKNOWN_RUNTIME_JOBS = ['dataset-initializer', 'model-initializer', 'launcher', 'node'];

/**
 * The training runtime a TrainJob runs on (`spec.runtimeRef`).
 */
export class TrainingRuntimeRef {
  /** A ClusterTrainingRuntime, e.g. the shipped `torch-distributed`. */
  public static cluster(name: string, options: TrainingRuntimeOptions = {}): TrainingRuntimeRef {
    return new TrainingRuntimeRef(name, 'ClusterTrainingRuntime', options.replicatedJobNames ?? SHIPPED_RUNTIME_JOBS[name] ?? UNKNOWN_RUNTIME_JOBS);
  }

  /** A TrainingRuntime in the TrainJob's namespace. */
  public static namespaced(name: string, options: TrainingRuntimeOptions = {}): TrainingRuntimeRef {
    return new TrainingRuntimeRef(name, 'TrainingRuntime', options.replicatedJobNames ?? UNKNOWN_RUNTIME_JOBS);
  }

  private constructor(
    /** The runtime's name. */
    public readonly name: string,
    /** ClusterTrainingRuntime or TrainingRuntime. */
    public readonly kind: string,
    /** The runtime's replicated jobs (known, declared or assumed). */
    public readonly replicatedJobNames: string[],
  ) {}
}

/**
 * Overrides of the runtime's trainer (`spec.trainer`).
 */
export interface TrainJobTrainer {
  /**
   * The trainer image, pinned (`:latest` is rejected).
   * @default - the runtime's
   */
  readonly image?: string;
  /**
   * Accept an untagged or `:latest` image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * The entrypoint.
   * @default - the runtime's
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the runtime's
   */
  readonly args?: string[];
  /**
   * Environment variables, by name.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Training nodes (pods).
   * @default - the runtime's (1 for torch-distributed)
   */
  readonly numNodes?: number;
  /**
   * Compute resources of each node, e.g. GPUs.
   * @default - the runtime's
   */
  readonly resourcesPerNode?: ResourceRequirements;
  /**
   * Processes per node.
   * @default - the runtime's
   */
  readonly numProcPerNode?: number;
}

/**
 * Props of a TrainJob.
 */
export interface TrainJobProps {
  /**
   * The job name, a DNS-1035 label of at most 63 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /** The training runtime (immutable). */
  readonly runtime: TrainingRuntimeRef;
  /**
   * Overrides of the runtime's trainer.
   * @default - the runtime's trainer as is
   */
  readonly trainer?: TrainJobTrainer;
  /**
   * Create the job suspended.
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Queue the job on a Kueue LocalQueue (TrainJob is a default Kueue integration).
   * @default - not queued
   */
  readonly kueue?: KueueEnqueueOptions;
  /**
   * Extra labels on the job.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** kubeflow/trainer pkg/constants/constants.go `TorchRunReservedEnvNames` @ v2.3.0. */
const TORCHRUN_RESERVED_ENV = ['PET_NNODES', 'PET_NPROC_PER_NODE', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT'];

/**
 * The longest TrainJob name whose JobSet pods `<name>-<replicated job>-0-<pod index>-<5 random>` fit in 63
 * characters. Only the trainer's replicated job (`node`) has `numNodes` pods; the others have one.
 */
function trainJobMaxNameLength(replicatedJobs: string[], numNodes: number): number {
  const longest = Math.max(...replicatedJobs.map((j) => `-${j}-0-${j === 'node' ? numNodes - 1 : 0}-xxxxx`.length));
  return 63 - longest;
}

/**
 * A Kubeflow TrainJob (trainer.kubeflow.org/v1alpha1, Trainer v2) on a named training runtime. The runtime
 * (a ClusterTrainingRuntime or TrainingRuntime) owns the pod templates, including their security context:
 * this construct only overrides the trainer's image, command, env, node count and resources.
 *
 * The shipped `torch-distributed` runtime sets no securityContext (kubeflow/trainer
 * manifests/base/runtimes/torch_distributed.yaml @ v2.3.0), so its pods run as the image's user, root for
 * `pytorch/pytorch`, and the policy pack does not see them. Use a runtime of your own with a non-root
 * securityContext, or patch `spec.runtimePatches` (docs/limitations.md, KFL-4).
 *
 * @see https://www.kubeflow.org/docs/components/trainer/
 */
export class TrainJob extends Construct implements ILaunchableJob {
  public readonly apiVersion: string = TrainJobL1.GVK.apiVersion;
  public readonly kind: string = TrainJobL1.GVK.kind;
  public readonly apiGroup: string = 'trainer.kubeflow.org';
  public readonly plural: string = 'trainjobs';
  public readonly jobName: string;
  /**
   * 63 minus the longest `-<replicated job>-0-<pod index>-xxxxx` JobSet derives (pods
   * `<trainjob>-<replicated job>-<job index>-<pod index>-<5 random>`; kubernetes-sigs/jobset
   * pkg/webhooks/jobset_webhook.go).
   */
  public readonly maxNameLength: number;
  public readonly namespace?: string;
  /** The TrainJob object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: TrainJobProps) {
    super(scope, id);
    const name = props.name ?? this.node.id;
    checkDns1035Label(this, props.name === undefined ? 'name (from the construct id)' : 'name', name, 63, 'the TrainJob CRD requires an RFC 1035 name');
    this.jobName = name;
    this.namespace = chartNamespace(this);
    checkLabels(this, 'labels', props.labels);
    this.checkRuntime(props.runtime);

    const t = props.trainer ?? {};
    this.maxNameLength = trainJobMaxNameLength(props.runtime.replicatedJobNames, t.numNodes ?? 1);
    check(name.length <= this.maxNameLength, this, props.name === undefined ? 'name (from the construct id)' : 'name', name,
      `must be at most ${this.maxNameLength} characters on runtime ${props.runtime.name}: JobSet names pods `
      + '<trainjob>-<replicated job>-<job index>-<pod index>-<5 random>, at most 63 characters '
      + `(replicated jobs: ${props.runtime.replicatedJobNames.join(', ')}; declare them with TrainingRuntimeRef options.replicatedJobNames)`);
    const trainer = this.renderTrainer(t);

    this.resource = new ApiObject(this, 'Resource', {
      ...TrainJobL1.GVK,
      metadata: { name, ...(props.labels && Object.keys(props.labels).length ? { labels: { ...props.labels } } : {}) },
      spec: {
        runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: props.runtime.kind, name: props.runtime.name },
        ...(Object.keys(trainer).length ? { trainer } : {}),
        ...(props.suspend !== undefined ? { suspend: props.suspend } : {}),
      },
    });
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

  /** The runtime reference: a TrainingRuntimeRef with a name and at least one replicated job. */
  private checkRuntime(runtime: TrainingRuntimeRef): void {
    check(runtime instanceof TrainingRuntimeRef, this, 'runtime', runtime,
      'must be a TrainingRuntimeRef (TrainingRuntimeRef.cluster(name) or namespaced(name))');
    check(typeof runtime.name === 'string' && runtime.name.length >= 1 && runtime.name.length <= 253, this, 'runtime.name', runtime.name,
      'must be 1 to 253 characters');

    const jobs = runtime.replicatedJobNames;
    check(Array.isArray(jobs) && jobs.length > 0, this, 'runtime.replicatedJobNames', jobs, 'must name at least one replicated job');
    jobs.forEach((j, i) => checkDnsLabel(this, `runtime.replicatedJobNames[${i}]`, j));
  }

  /** `spec.trainer`: image, command, args, env (not the torch plugin's own), nodes and resources. */
  private renderTrainer(t: TrainJobTrainer): { [key: string]: unknown } {
    if (t.image !== undefined) checkImage(this, 'trainer.image', t.image, t.allowUnpinnedImage);
    check(t.image === undefined || t.image.length <= 500, this, 'trainer.image', t.image, 'must be at most 500 characters');
    checkInt(this, 'trainer.numNodes', t.numNodes, 1);
    checkInt(this, 'trainer.numProcPerNode', t.numProcPerNode, 1);
    check((t.command?.length ?? 0) <= 128, this, 'trainer.command', t.command?.length, 'must have at most 128 items');
    check((t.args?.length ?? 0) <= 128, this, 'trainer.args', t.args?.length, 'must have at most 128 items');
    const env = Object.entries(t.env ?? {}).map(([k, v]) => {
      check(ENV_NAME.test(k), this, 'trainer.env', k, 'is not a valid environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)');
      check(!TORCHRUN_RESERVED_ENV.includes(k), this, 'trainer.env', k,
        `is reserved: the torch plugin sets ${TORCHRUN_RESERVED_ENV.join(', ')} and rejects TrainJobs that set them`);
      check(v instanceof EnvValue, this, `trainer.env.${k}`, v, 'must be an EnvValue (EnvValue.fromValue, fromSecret, fromConfigMap, fromFieldRef)');
      return v._toJson(k);
    });
    const resources = renderResources(this, 'trainer.resourcesPerNode', t.resourcesPerNode);
    return {
      ...(t.image !== undefined ? { image: t.image } : {}),
      ...(t.command ? { command: [...t.command] } : {}),
      ...(t.args ? { args: [...t.args] } : {}),
      ...(env.length ? { env } : {}),
      ...(t.numNodes !== undefined ? { numNodes: t.numNodes } : {}),
      ...(resources ? { resourcesPerNode: resources } : {}),
      ...(t.numProcPerNode !== undefined ? { numProcPerNode: t.numProcPerNode } : {}),
    };
  }
}
