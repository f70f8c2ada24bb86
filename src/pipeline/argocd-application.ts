import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncPipeline } from './async-pipeline';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { ignoreDifferencesEntry, runtimeOwnedFields } from '../core/ownership';
import { boolProp, durationSeconds, namespaceProp, objectProp, stringProp } from '../core/props';

/**
 * How Argo CD retries a failed sync (`spec.syncPolicy.retry`).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
 */
export interface ArgoCdRetryOptions {
  /**
   * Most retries of a failed sync; 0 disables retrying.
   * @default 5
   */
  readonly limit?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(5)
   */
  readonly backoffDuration?: Duration;
  /**
   * Factor the wait grows by after each retry.
   * @default 2
   */
  readonly backoffFactor?: number;
  /**
   * Longest wait between retries.
   * @default Duration.minutes(3)
   */
  readonly maxBackoffDuration?: Duration;
}

/**
 * Props of an ArgoCdApplication.
 */
export interface ArgoCdApplicationProps {
  /** The pipeline whose committed YAML the Application syncs. */
  readonly pipeline: AsyncPipeline;
  /** The Git repository holding the synthesized YAML. */
  readonly repoUrl: string;
  /**
   * Directory of the committed YAML in the repository (where `cdk8s synth` wrote it).
   * @default "dist"
   */
  readonly path?: string;
  /**
   * Branch, tag or commit.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * The Application's name.
   * @default - the pipeline name
   */
  readonly name?: string;
  /**
   * Namespace Argo CD runs in (Applications live there).
   * @default "argocd"
   */
  readonly argoNamespace?: string;
  /**
   * Argo CD project.
   * @default "default"
   */
  readonly project?: string;
  /**
   * Destination cluster API server.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * Sync automatically, pruning removed objects and undoing drift.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Retry a failed sync. Auto-sync does not retry a commit it failed on by itself
   * (argoproj/argo-cd docs/user-guide/auto_sync.md @ v3.5.1), and a sync can fail for a while on a fresh
   * cluster for reasons that resolve themselves (a ScaledObject degraded until the operator has created
   * its queue, a Volcano child queue applied while its parent is not yet Open).
   * @default - 5 retries, 5 s backoff doubling up to 3 min
   */
  readonly retry?: ArgoCdRetryOptions;
  /**
   * Add Argo CD's `resources-finalizer.argocd.argoproj.io`: deleting the Application then deletes the
   * objects it synced (cascading delete). Objects annotated `Delete=false` (AsyaNamespace) stay.
   * @default false (deleting the Application leaves the objects running)
   */
  readonly resourcesFinalizer?: boolean;
  /**
   * Add the `SkipDryRunOnMissingResource=true` sync option: custom resources whose CRD is not installed
   * yet (e.g. operators installed by another Application of the same sync) are applied without a dry run
   * instead of failing it.
   * @default false
   */
  readonly skipDryRunOnMissingResource?: boolean;
  /**
   * Which files of `path` the Application syncs (`spec.source.directory.include`, a glob). cdk8s names a
   * chart's file `<chart id>.k8s.yaml`, or `<NNNN>-<chart id>.k8s.yaml` when charts depend on each other
   * (`chart.addDependency`), and uses another extension when the app sets `outputFileExtension`: set it
   * then.
   * @default "<pipeline chart id>.k8s.yaml"
   */
  readonly include?: string;
}

/**
 * An Argo CD Application (argoproj.io/v1alpha1) that syncs one pipeline's committed YAML file.
 *
 * - Sync uses server-side apply (the big CRDs such as KServe's and KubeRay's exceed the client-side
 *   last-applied annotation limit) and `RespectIgnoreDifferences`.
 * - Run-time ownership: fields a controller owns once the objects run are not written by the library
 *   (a KEDA-scaled model's `spec.replicas`) and are ignored on exactly those objects of the synced file:
 *   one `ignoreDifferences` entry per object (group, kind, name, namespace), derived from the declarations
 *   of the constructs that create the owners (a model's ScaledObject), never from a list of kinds.
 * - A failed sync is retried (see `retry`); enable `argoSyncWaves` on the pipeline to order
 *   infrastructure, models, actors, then the models' ScaledObjects.
 *
 * Argo CD has no health check for AsyncActor: it counts as Healthy once applied, so a later wave does not
 * wait for the operator. A resource customization in `argocd-cm` fixes that, e.g. a health.lua for
 * `asya.sh/AsyncActor` returning Healthy when the conditions `TransportReady` and `WorkloadReady` are
 * True (deliveryhero/asya src/asya-operator/internal/controller/asya_controller.go:213-301 @ v0.1.1),
 * Degraded when one is False with a reason other than `PodsNotHealthy`, else Progressing.
 *
 * Jobs synced by a waved Application (a Volcano or Kueue job, a TrainJob) hold the sync until they end
 * (Argo CD's Job health is Progressing while it runs, argoproj/argo-cd gitops-engine/pkg/health/
 * health_job.go:35-71 @ v3.5.1): keep run-once jobs out of synced pipelines (launch them with a
 * JobLauncher) or give them the last sync wave.
 */
export class ArgoCdApplication extends Construct {
  /** The Application object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    check(!!props && AsyncPipeline.isAsyncPipeline(props.pipeline), this, 'pipeline', props?.pipeline, 'must be an AsyncPipeline');
    stringProp(this, 'path', props.path);
    stringProp(this, 'targetRevision', props.targetRevision);
    stringProp(this, 'project', props.project);
    stringProp(this, 'destinationServer', props.destinationServer);
    namespaceProp(this, 'argoNamespace', props.argoNamespace);
    for (const f of ['automated', 'resourcesFinalizer', 'skipDryRunOnMissingResource'] as const) boolProp(this, f, props[f]);
    check(typeof props.repoUrl === 'string' && /^(https:\/\/|ssh:\/\/|git@)\S+$/.test(props.repoUrl), this, 'repoUrl', props.repoUrl, 'must be an https://, ssh:// or git@ repository URL');
    const dir = (props.path ?? 'dist').replace(/\/+$/, '');
    check(!dir.startsWith('/') && !dir.split('/').includes('..'), this, 'path', props.path, 'must be a relative path inside the repository');
    const include = props.include ?? `${props.pipeline.node.id}.k8s.yaml`;
    check(typeof include === 'string' && include.length > 0 && !include.includes('/'), this, 'include', props.include,
      'must be a file name or glob inside path (no "/")');
    const name = objectName(this, props.name ?? props.pipeline.pipelineName);
    const pipeline = props.pipeline;
    const syncOptions = ['ServerSideApply=true', 'RespectIgnoreDifferences=true',
      ...(props.skipDryRunOnMissingResource ? ['SkipDryRunOnMissingResource=true'] : [])];
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        namespace: props.argoNamespace ?? 'argocd',
        labels: { 'asya.sh/pipeline': pipeline.pipelineName },
        ...(props.resourcesFinalizer ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
      },
      spec: {
        project: props.project ?? 'default',
        source: {
          repoURL: props.repoUrl,
          path: dir,
          targetRevision: props.targetRevision ?? 'main',
          directory: { include },
        },
        destination: { server: props.destinationServer ?? 'https://kubernetes.default.svc', namespace: pipeline.pipelineNamespace },
        // Fields controllers own at run time, on exactly the objects of the synced file that have them.
        ignoreDifferences: Lazy.any({
          produce: () => {
            const entries = runtimeOwnedFields(this).filter((c) => Chart.of(c.object) === pipeline).map(ignoreDifferencesEntry);
            return entries.length ? entries : undefined;
          },
        }),
        syncPolicy: {
          ...((props.automated ?? true) ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions,
          ...this.renderRetry(props.retry),
        },
      },
    });
  }

  private renderRetry(given: ArgoCdRetryOptions | undefined): any {
    const r = objectProp(this, 'retry', given);
    const limit = r.limit ?? 5;
    check(Number.isInteger(limit) && limit >= 0, this, 'retry.limit', r.limit, 'must be a whole number of at least 0 (0 disables retries)');
    if (limit === 0) return {};
    const backoff = durationSeconds(this, 'retry.backoffDuration', r.backoffDuration, Duration.seconds(5));
    const max = durationSeconds(this, 'retry.maxBackoffDuration', r.maxBackoffDuration, Duration.minutes(3));
    const factor = r.backoffFactor ?? 2;
    check(backoff >= 1, this, 'retry.backoffDuration', `${backoff}s`, 'must be at least 1 second');
    check(max >= backoff, this, 'retry.maxBackoffDuration', `${max}s`, `must be at least retry.backoffDuration (${backoff}s)`);
    check(Number.isInteger(factor) && factor >= 1, this, 'retry.backoffFactor', r.backoffFactor, 'must be a whole number of at least 1');
    return { retry: { limit, backoff: { duration: `${backoff}s`, factor, maxDuration: `${max}s` } } };
  }
}
