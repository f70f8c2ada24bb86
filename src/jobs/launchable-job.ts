import { IConstruct } from 'constructs';

/**
 * A batch job that a launcher can create, one per message: what the future JobLauncher actor needs to
 * submit it and to grant itself least-privilege RBAC on exactly that resource
 * (`apiGroup` + `plural`, verbs create/get/delete in `namespace`).
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
