import { IConstruct } from 'constructs';
import { SourceContext, SourceLayout } from './server-workload';
import { EnvValue } from '../core/env';
import { check } from '../core/errors';
import { checkImage } from '../core/image';
import { checkHuggingFaceId } from '../core/vocabulary';
import { Volume } from '../core/volume';

type Render = (scope: IConstruct, ctx: SourceContext) => SourceLayout;

const NOTHING = { volumes: [], mounts: [], initContainers: [] };
/** Where the `model-loader` init container mounts the emptyDir it copies an OCI model into. */
const LOADER_TARGET = '/mnt/model-out';

/**
 * Where a model server finds its weights. Use the static factories.
 *
 * - `huggingFace`: the server downloads the model at start (into an emptyDir cache, so every new pod
 *   downloads again; mount a PVC with `persistentVolumeClaim` for fast scale-from-zero).
 * - `persistentVolumeClaim`: weights already on a volume, mounted at `/models`.
 * - `ociImage`: weights packaged in an image ("modelcar"), copied by an init container into an emptyDir
 *   at `/models`. The image needs `sh` and `cp` and the copy needs disk room for the weights. Kubernetes
 *   image volumes would avoid the copy but need Kubernetes 1.31+, beyond this library's 1.28 schemas.
 * - `ollama`: a model of the Ollama library, pulled by an init container (Ollama servers only).
 */
export class ModelSource {
  /**
   * A Hugging Face Hub model, e.g. `Qwen/Qwen2.5-0.5B-Instruct`. Gated models need a token
   * (`huggingFaceToken`). With Ollama it is pulled as `hf.co/<id>` and must be a GGUF repository.
   * @param modelId `org/model`
   * @param revision a branch, tag or commit of the repository
   */
  public static huggingFace(modelId: string, revision?: string): ModelSource {
    return new ModelSource('huggingFace', modelId, revision, (scope, ctx) => {
      checkHuggingFaceId(scope, 'model', modelId);
      check(!ctx.ollama || revision === undefined, scope, 'model', revision, 'revision is not supported by Ollama (use a tag in the hf.co/... reference)');
      const pull = ctx.ollama ? `hf.co/${modelId}` : undefined;
      return { ...NOTHING, modelArg: modelId, defaultServedName: pull ?? modelId, revision, pull, onClaim: false, fromHub: true };
    });
  }

  /**
   * Weights on a PersistentVolumeClaim, mounted read-only at `/models` (read-write for Ollama, which
   * keeps its model store there).
   * @param claimName the PVC's name
   * @param path the model's directory inside the claim, without a leading slash ("" for the root)
   */
  public static persistentVolumeClaim(claimName: string, path?: string): ModelSource {
    return new ModelSource('persistentVolumeClaim', claimName, path ?? '', (scope, ctx) => {
      const p = (path ?? '').replace(/^\/+|\/+$/g, '');
      check(!p.split('/').includes('..'), scope, 'model', path ?? '', 'must be a path inside the claim (no "..")');
      return {
        modelArg: p ? `/models/${p}` : '/models',
        defaultServedName: p ? p.split('/').pop()! : claimName,
        onClaim: true,
        volumes: [Volume.persistentVolumeClaim('model', claimName, ctx.ollama ? undefined : true)],
        mounts: [{ volume: 'model', mountPath: '/models', readOnly: !ctx.ollama }],
        initContainers: [],
      };
    });
  }

  /**
   * Weights inside an OCI image (pinned), copied by an init container (`model-loader`, which mounts the
   * emptyDir at `/mnt/model-out`) before the server starts; the server mounts the emptyDir at `/models`.
   * @param image the image, pinned by tag or digest
   * @param path the weights' directory inside the image (not `/mnt/model-out` or under it)
   */
  public static ociImage(image: string, path?: string): ModelSource {
    const from = path ?? '/models';
    return new ModelSource('ociImage', image, from, (scope, ctx) => {
      check(!ctx.ollama, scope, 'model', image, 'cannot be an OCI image with Ollama: use ModelSource.ollama or a PVC holding an Ollama model store');
      checkImage(scope, 'model (ociImage)', image);
      check(from.startsWith('/'), scope, 'model (ociImage path)', from, 'must be an absolute path inside the image');
      const inTarget = from.replace(/\/+$/, '') === LOADER_TARGET || from.startsWith(`${LOADER_TARGET}/`);
      check(!inTarget, scope, 'model (ociImage path)', from,
        `must not be ${LOADER_TARGET} or under it: the init container mounts the emptyDir it copies into there, which would hide the image's files`);
      return {
        modelArg: '/models',
        defaultServedName: image.split('@')[0].split('/').pop()!.split(':')[0],
        onClaim: false,
        volumes: [Volume.emptyDir('model')],
        mounts: [{ volume: 'model', mountPath: '/models', readOnly: true }],
        initContainers: [{
          name: 'model-loader',
          image,
          // The emptyDir is mounted outside the image's model path: mounted at /models it would hide the
          // image's /models and copy nothing.
          command: ['sh', '-c', `cp -R "$MODEL_SOURCE_PATH"/. ${LOADER_TARGET}/`],
          env: { MODEL_SOURCE_PATH: EnvValue.fromValue(from) },
          volumeMounts: [{ volume: 'model', mountPath: LOADER_TARGET }],
          resources: ctx.loaderResources,
        }],
      };
    });
  }

  /**
   * A model of the Ollama library, e.g. `llama3.2:1b`, pulled at pod start by an init container.
   * Only valid with `OpenAIServer.OLLAMA`.
   */
  public static ollama(model: string): ModelSource {
    return new ModelSource('ollama', model, undefined, (scope, ctx) => {
      check(ctx.ollama, scope, 'model', model, `is an Ollama model: it needs server OpenAIServer.OLLAMA, not ${ctx.serverId}`);
      check(/^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/.test(model), scope, 'model', model, 'must be an Ollama model name such as llama3.2:1b');
      return { ...NOTHING, modelArg: model, defaultServedName: model, pull: model, onClaim: false };
    });
  }

  private constructor(
    /**
     * huggingFace, persistentVolumeClaim, ociImage or ollama.
     * @deprecated informational only: servers render a source with its own internal method, never by kind
     */
    public readonly kind: string,
    /** The model id, claim name, image or Ollama model. */
    public readonly reference: string,
    /** The revision (huggingFace) or the path (persistentVolumeClaim, ociImage). */
    public readonly detail: string | undefined,
    private readonly render: Render,
  ) {}

  /**
   * The source as a server loads it: model argument, default name, volumes, mounts, init containers.
   * @internal
   */
  public _render(scope: IConstruct, ctx: SourceContext): SourceLayout {
    return this.render(scope, ctx);
  }
}
