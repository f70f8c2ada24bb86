import { IConstruct } from 'constructs';

/**
 * A batch job that a launcher can create, one per message: what the JobLauncher actor needs to submit it
 * and to grant itself least-privilege RBAC on exactly that resource (`apiGroup` + `plural`, verbs
 * create/get in `namespace`).
 *
 * Implemented by VolcanoTrainingJob, KueueJob, PyTorchTrainingJob and TrainJob.
 */
export interface ILaunchableJob extends IConstruct {
  /** The manifest's `apiVersion`, e.g. `batch.volcano.sh/v1alpha1`. */
  readonly apiVersion: string;
  /** The manifest's `kind`, e.g. `Job`, `PyTorchJob`, `TrainJob`. */
  readonly kind: string;
  /** The API group of the resource (`batch`, `batch.volcano.sh`, `kubeflow.org`, `trainer.kubeflow.org`). */
  readonly apiGroup: string;
  /** The REST resource plural, for RBAC rules (`jobs`, `pytorchjobs`, `trainjobs`). */
  readonly plural: string;
  /** The object name (`metadata.name`). */
  readonly jobName: string;
  /**
   * The longest `metadata.name` this job may have so that the names the controllers derive from it
   * (pods, Services, child Jobs) stay valid, given its tasks, replica counts and runtime. A launcher that
   * renames the job per message checks its launched name against it.
   */
  readonly maxNameLength: number;
  /**
   * The namespace the job is created in.
   * @default - the chart has no namespace: the launcher's namespace
   */
  readonly namespace?: string;

  /**
   * The synthesized manifest of the job as a plain object (with every patch applied), ready to be
   * submitted to the API server, e.g. after renaming it per message.
   */
  toManifest(): any;
}

/**
 * The characters a JobLauncher adds to a job name: the handler launches `<base[:52]>-<10 hex digits>`
 * (`handlers/job_launcher.py` `_render`).
 */
export const LAUNCHED_NAME_SUFFIX_LENGTH = 11;

/** The length of the name a JobLauncher gives a launched copy of a job named `base`. */
export function launchedNameLength(base: string): number {
  return Math.min(base.length, 63 - LAUNCHED_NAME_SUFFIX_LENGTH) + LAUNCHED_NAME_SUFFIX_LENGTH;
}

const CAPTURED = new WeakMap<IConstruct, string>();

/** Records that a JobLauncher (by construct path) captured the job's manifest. */
export function markCaptured(job: IConstruct, launcherPath: string): void {
  CAPTURED.set(job, launcherPath);
}

/** The path of the JobLauncher that captured the job, if any. */
export function capturedBy(job: IConstruct): string | undefined {
  return CAPTURED.get(job);
}
