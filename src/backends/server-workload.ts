import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NamedContainer } from '../core/container';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { PodOptions } from '../core/pod';
import { durationSeconds, INT32_MAX } from '../core/props';
import { ResourceRequirements } from '../core/resources';
import { Volume, VolumeMount } from '../core/volume';

/**
 * Options shared by the model servers this library runs as its own Deployment and Service
 * (TritonModel, OpenAIModel).
 */
export interface ModelServerOptions extends PodOptions {
  /**
   * The name of the Deployment, the Service and the `app.kubernetes.io/instance` pod label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Compute resources of the server container. Required, with cpu and memory limits (policy ASYA-RES-001),
   * or `allowNoLimits: true` to opt out explicitly: model servers get no invented defaults.
   */
  readonly resources: ResourceRequirements;
  /**
   * The server image, pinned by tag or digest.
   * @default - the server's pinned default image
   */
  readonly image?: string;
  /**
   * Accept an untagged or `:latest` image.
   * @default false
   */
  readonly allowUnpinnedImage?: boolean;
  /**
   * Always, IfNotPresent or Never.
   * @default - Kubernetes' default (IfNotPresent for pinned tags)
   */
  readonly imagePullPolicy?: string;
  /**
   * Extra environment variables of the server container. Reference secrets with `EnvValue.fromSecret`.
   * @default - none
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Mounts of the server container (of volumes declared in `volumes`).
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];
  /**
   * Replicas of the Deployment when nothing scales it (a queue-driven scaler takes over when bound).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Size of the memory-backed `/dev/shm` (NCCL and PyTorch workers need more than the runtime's 64Mi).
   * It counts against the container's memory limit.
   * @default "2Gi"
   */
  readonly sharedMemorySize?: string;
  /**
   * How long the server may take to load the model before the startup probe gives up.
   * @default Duration.minutes(20)
   */
  readonly startupTimeout?: Duration;
  /**
   * Extra labels on the Deployment and the Service.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The labels selecting a model server's pods. */
export function serverSelector(name: string): { [key: string]: string } {
  return { 'app.kubernetes.io/name': 'model-server', 'app.kubernetes.io/instance': name };
}

/** Checks the replica count of a server Deployment. */
export function checkReplicas(scope: IConstruct, replicas: number | undefined): number {
  const r = replicas ?? 1;
  check(Number.isInteger(r) && r >= 0, scope, 'replicas', replicas, 'must be a whole number of at least 0');
  return r;
}

/** Pod labels of the user that would break the Deployment selector. */
export function checkPodLabels(scope: IConstruct, podLabels: { [key: string]: string } | undefined, selector: { [key: string]: string }): void {
  for (const [k, v] of Object.entries(podLabels ?? {})) {
    if (k in selector) {
      check(v === selector[k], scope, `podLabels["${k}"]`, v, `must be "${selector[k]}" or unset: the Deployment and Service select the pods by it`);
    }
  }
}

/** The startup probe's failure threshold for a timeout at a 10 s period. */
export function startupFailureThreshold(scope: IConstruct, timeout: Duration | undefined): number {
  const seconds = durationSeconds(scope, 'startupTimeout', timeout, Duration.minutes(20));
  check(Number.isInteger(seconds) && seconds >= 10 && seconds <= INT32_MAX, scope, 'startupTimeout', `${seconds}s`,
    'must be a whole number of seconds of at least 10 (and within int32)');
  return Math.ceil(seconds / 10);
}

// Internal shapes of the value classes' rendering (not exported by the package).

/**
 * What a model server needs to render a source.
 */
export interface SourceContext {
  /** The server is Ollama (it pulls models itself and keeps its store writable). */
  readonly ollama: boolean;
  /** The server's id, for errors. */
  readonly serverId: string;
  /** Resources of the init container that copies an OCI model. */
  readonly loaderResources: ResourceRequirements;
}

/**
 * A source rendered for a server: the model argument, the default served name and what it adds to the pod.
 */
export interface SourceLayout {
  /** The server's model argument (`--model`, `--model-id`), or the Ollama store on a claim. */
  readonly modelArg: string;
  /** The served model name when the user sets none. */
  readonly defaultServedName: string;
  /** The Hugging Face revision. */
  readonly revision?: string;
  /** The model an Ollama init container pulls (undefined: the model is already on a claim). */
  readonly pull?: string;
  /** The weights are on a PersistentVolumeClaim. */
  readonly onClaim: boolean;
  /** The server downloads the weights from the Hugging Face Hub (a token applies). */
  readonly fromHub?: boolean;
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
  readonly initContainers: NamedContainer[];
}
