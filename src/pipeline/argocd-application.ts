import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncPipeline } from './async-pipeline';
import { check } from '../core/errors';
import { objectName } from '../core/names';

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
}

/**
 * An Argo CD Application (argoproj.io/v1alpha1) that syncs one pipeline's committed YAML file. Sync
 * uses server-side apply (the big CRDs such as KServe's and KubeRay's exceed the client-side
 * last-applied annotation limit) and ignores `spec.replicas` of the workloads KEDA scales; enable
 * `argoSyncWaves` on the pipeline to order infrastructure, models, then actors.
 */
export class ArgoCdApplication extends Construct {
  /** The Application object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    check(AsyncPipeline.isAsyncPipeline(props.pipeline), this, 'pipeline', props.pipeline, 'must be an AsyncPipeline');
    check(/^(https:\/\/|ssh:\/\/|git@)\S+$/.test(props.repoUrl ?? ''), this, 'repoUrl', props.repoUrl, 'must be an https://, ssh:// or git@ repository URL');
    const dir = (props.path ?? 'dist').replace(/\/+$/, '');
    check(!dir.startsWith('/') && !dir.split('/').includes('..'), this, 'path', props.path, 'must be a relative path inside the repository');
    const name = objectName(this, props.name ?? props.pipeline.pipelineName);
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: props.argoNamespace ?? 'argocd', labels: { 'asya.sh/pipeline': props.pipeline.pipelineName } },
      spec: {
        project: props.project ?? 'default',
        source: {
          repoURL: props.repoUrl,
          path: dir,
          targetRevision: props.targetRevision ?? 'main',
          directory: { include: `${props.pipeline.node.id}.k8s.yaml` },
        },
        destination: { server: props.destinationServer ?? 'https://kubernetes.default.svc', namespace: props.pipeline.pipelineNamespace },
        // KEDA owns the replicas of every queue-scaled workload: do not fight it on every sync.
        ignoreDifferences: [
          { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
          { group: 'kaito.sh', kind: 'InferenceSet', jsonPointers: ['/spec/replicas'] },
          { group: 'mlops.seldon.io', kind: 'Model', jsonPointers: ['/spec/replicas'] },
        ],
        syncPolicy: {
          ...((props.automated ?? true) ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
        },
      },
    });
  }
}
