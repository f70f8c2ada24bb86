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
    return new ModelSource('huggingFace', modelId, revision);
  }

  /**
   * Weights on a PersistentVolumeClaim, mounted read-only at `/models` (read-write for Ollama, which
   * keeps its model store there).
   * @param claimName the PVC's name
   * @param path the model's directory inside the claim, without a leading slash ("" for the root)
   */
  public static persistentVolumeClaim(claimName: string, path?: string): ModelSource {
    return new ModelSource('persistentVolumeClaim', claimName, path ?? '');
  }

  /**
   * Weights inside an OCI image (pinned), copied into `/models` by an init container before the server starts.
   * @param image the image, pinned by tag or digest
   * @param path the weights' directory inside the image
   */
  public static ociImage(image: string, path?: string): ModelSource {
    return new ModelSource('ociImage', image, path ?? '/models');
  }

  /**
   * A model of the Ollama library, e.g. `llama3.2:1b`, pulled at pod start by an init container.
   * Only valid with `OpenAIServer.OLLAMA`.
   */
  public static ollama(model: string): ModelSource {
    return new ModelSource('ollama', model, undefined);
  }

  private constructor(
    /** huggingFace, persistentVolumeClaim, ociImage or ollama. */
    public readonly kind: string,
    /** The model id, claim name, image or Ollama model. */
    public readonly reference: string,
    /** The revision (huggingFace) or the path (persistentVolumeClaim, ociImage). */
    public readonly detail?: string,
  ) {}
}
