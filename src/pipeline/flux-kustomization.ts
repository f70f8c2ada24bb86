import { ApiObject, App, Chart, Lazy, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { AsyncPipeline } from './async-pipeline';
import { check } from '../core/errors';
import { objectName } from '../core/names';
import { runtimeOwnedFields } from '../core/ownership';
import { listProp, namespaceProp } from '../core/props';

/**
 * The kind of Flux source that holds the committed YAML.
 */
export enum FluxSourceKind {
  /** A `source.toolkit.fluxcd.io` GitRepository (the usual case). */
  GIT_REPOSITORY = 'GitRepository',
  /** An OCIRepository (manifests pushed as an OCI artifact with `flux push artifact`). */
  OCI_REPOSITORY = 'OCIRepository',
  /** An S3-compatible Bucket. */
  BUCKET = 'Bucket',
}

/**
 * Props of a FluxKustomization.
 */
export interface FluxKustomizationProps {
  /** The pipeline whose committed YAML the Kustomization applies. */
  readonly pipeline: AsyncPipeline;
  /** The name of the Flux source (e.g. the GitRepository) holding the synthesized YAML. */
  readonly sourceName: string;
  /**
   * The kind of that source.
   * @default FluxSourceKind.GIT_REPOSITORY
   */
  readonly sourceKind?: FluxSourceKind;
  /**
   * Namespace of the source.
   * @default - the Kustomization's namespace (fluxNamespace)
   */
  readonly sourceNamespace?: string;
  /**
   * Directory in the source with this pipeline's YAML and nothing else: Flux applies every manifest under
   * it (kustomize-controller generates a kustomization.yaml from all of them). With the app's
   * `yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE` every chart has its own folder.
   * @default - "./dist/<chart id>" (requires FOLDER_PER_CHART_FILE_PER_RESOURCE)
   */
  readonly path?: string;
  /**
   * The Kustomization's name.
   * @default - the pipeline name
   */
  readonly name?: string;
  /**
   * Namespace Flux runs in (Kustomizations live there).
   * @default "flux-system"
   */
  readonly fluxNamespace?: string;
  /**
   * How often Flux reconciles (a Go duration such as `10m` or `1h`).
   * @default "10m"
   */
  readonly interval?: string;
  /**
   * How soon Flux retries a failed reconciliation. A ScaledObject is not Ready until its actor's queue
   * exists, so a first reconciliation with `wait` may fail and converge on the retry.
   * @default "2m"
   */
  readonly retryInterval?: string;
  /**
   * Timeout of the apply and of the health checks.
   * @default "5m"
   */
  readonly timeout?: string;
  /**
   * Delete objects removed from the source. Namespaces and Secrets the library only references are never
   * in the source, so they are never pruned.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Wait until every applied object is healthy before reporting Ready (kstatus).
   * @default false
   */
  readonly wait?: boolean;
  /**
   * Kustomizations that must be Ready first (e.g. the one applying the crew and the namespaces).
   * @default - none
   */
  readonly dependsOn?: FluxKustomization[];
  /**
   * ServiceAccount to impersonate when applying (Flux multi-tenancy lockdown).
   * @default - the kustomize-controller's own
   */
  readonly serviceAccountName?: string;
}

const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * A Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) that applies one pipeline's committed YAML with
 * server-side apply, the Flux counterpart of `ArgoCdApplication`. Flux applies Namespaces and CRDs before
 * everything else, so no sync waves are needed; fields that a controller owns at run time (the replicas
 * of KEDA's scale targets, ...) are left out of the YAML by the library, and are also listed in
 * `spec.ignore` for exactly those objects, so drift detection never fights KEDA or Kueue.
 *
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export class FluxKustomization extends Construct {
  /** The Kustomization object. */
  public readonly resource: ApiObject;
  /** The Kustomization's name. */
  public readonly name: string;
  /** The Kustomization's namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: FluxKustomizationProps) {
    super(scope, id);
    check(!!props && AsyncPipeline.isAsyncPipeline(props.pipeline), this, 'pipeline', props?.pipeline, 'must be an AsyncPipeline');
    check(typeof props.sourceName === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.sourceName) && props.sourceName.length <= 253, this,
      'sourceName', props.sourceName, 'must be the name of a Flux source object (a DNS-1123 subdomain)');
    const sourceKind = props.sourceKind ?? FluxSourceKind.GIT_REPOSITORY;
    check(Object.values(FluxSourceKind).includes(sourceKind), this, 'sourceKind', sourceKind, `must be one of ${Object.values(FluxSourceKind).join(', ')}`);
    for (const [field, value] of [['interval', props.interval], ['retryInterval', props.retryInterval], ['timeout', props.timeout]] as const) {
      if (value === undefined) continue;
      check(typeof value === 'string' && DURATION.test(value), this, field, value, 'must be a Go duration such as 30s, 10m or 1h (kustomize-controller CRD pattern)');
    }
    for (const [field, value] of [['prune', props.prune], ['wait', props.wait]] as const) {
      check(value === undefined || typeof value === 'boolean', this, field, value, 'must be true or false');
    }
    const pipeline = props.pipeline;
    const path = props.path ?? `./dist/${pipeline.node.id}`;
    check(typeof path === 'string' && !path.startsWith('/') && !path.split('/').includes('..'), this, 'path', props.path, 'must be a relative path inside the source');
    this.name = objectName(this, props.name ?? pipeline.pipelineName);
    this.namespace = props.fluxNamespace ?? 'flux-system';
    if (props.path === undefined) {
      const outputType = App.of(pipeline).yamlOutputType;
      check(outputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, this, 'path', undefined,
        `cannot default to ${path}: the app writes one file per chart into one folder (yamlOutputType ${YamlOutputType[outputType]}), and Flux applies every manifest under path. ` +
        'Create the App with yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, or set path to a folder holding only this pipeline\'s YAML');
    }
    namespaceProp(this, 'sourceNamespace', props.sourceNamespace);
    namespaceProp(this, 'fluxNamespace', props.fluxNamespace);
    check(props.serviceAccountName === undefined || (typeof props.serviceAccountName === 'string' && props.serviceAccountName.length <= 253
      && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.serviceAccountName)), this, 'serviceAccountName', props.serviceAccountName,
    'must be the name of a ServiceAccount (a DNS-1123 subdomain)');
    const dependsOn = listProp(this, 'dependsOn', props.dependsOn);
    dependsOn.forEach((d, i) => check(d instanceof FluxKustomization, this, `dependsOn[${i}]`, d, 'must be a FluxKustomization'));

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: this.name, namespace: this.namespace, labels: { 'asya.sh/pipeline': pipeline.pipelineName } },
      spec: {
        interval: props.interval ?? '10m',
        retryInterval: props.retryInterval ?? '2m',
        timeout: props.timeout ?? '5m',
        sourceRef: { kind: sourceKind, name: props.sourceName, ...(props.sourceNamespace ? { namespace: props.sourceNamespace } : {}) },
        path,
        prune: props.prune ?? true,
        wait: props.wait ?? false,
        ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
        ...(dependsOn.length ? { dependsOn: dependsOn.map((d) => this.dependencyRef(d)) } : {}),
        ignore: Lazy.any({ produce: () => this.ignoreRules(pipeline) }),
      },
    });
  }

  /** A `dependsOn` entry: the name, and the namespace when it is not this Kustomization's. */
  private dependencyRef(d: FluxKustomization): any {
    return { name: d.name, ...(d.namespace !== this.namespace ? { namespace: d.namespace } : {}) };
  }

  /**
   * One drift-ignore rule per run-time owned object of the pipeline's chart (fluxcd/kustomize-controller
   * `internal/controller/kustomization_controller.go` DriftIgnoreRules @ v1.9.4).
   */
  private ignoreRules(pipeline: AsyncPipeline): any[] | undefined {
    const rules = runtimeOwnedFields(pipeline)
      .filter((c) => Chart.of(c.object) === pipeline)
      .map((c) => {
        const [group, version] = c.object.apiVersion.includes('/') ? c.object.apiVersion.split('/') : ['', c.object.apiVersion];
        const namespace = c.object.metadata.namespace ?? pipeline.namespace;
        return {
          paths: [...c.jsonPointers],
          target: { group, version, kind: c.object.kind, name: c.object.name, ...(namespace ? { namespace } : {}) },
        };
      });
    return rules.length ? rules : undefined;
  }
}
