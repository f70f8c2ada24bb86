import { ApiObject, App, IResolver, Lazy, ResolutionContext } from 'cdk8s';
import { parseImage } from './image';

/**
 * Props of an ImagePolicy.
 */
export interface ImagePolicyProps {
  /**
   * Registry rewrites for an air-gapped mirror: source registry -> mirror prefix, e.g.
   * `{ 'docker.io': 'registry.corp/dockerhub', 'ghcr.io': 'registry.corp/ghcr' }`. Images without a
   * registry are Docker Hub (`docker.io`, official images under `library/`).
   * @default - no rewrite
   */
  readonly registryMirrors?: { [registry: string]: string };
  /**
   * Digests to pin, by the image reference as the library emits it (before mirroring), e.g.
   * `{ 'python:3.12.7-slim-bookworm': 'sha256:...' }`. Produce them with `crane digest` or `skopeo inspect`.
   * @default - none
   */
  readonly digests?: { [image: string]: string };
  /**
   * Fail synth, listing every image that is not pinned by digest.
   * @default false
   */
  readonly requireDigests?: boolean;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Images in one place: every image (containers, init containers, the Asya sidecar) and every `oci://`
 * model URI the app emits is rewritten at synth to the registry mirror, pinned by digest where a digest
 * is known, and, with `requireDigests`, synth fails listing the images still not pinned.
 *
 * Apply it once per app: `ImagePolicy.apply(app, { registryMirrors: {...}, requireDigests: true })`.
 * It works as a cdk8s resolver, so it covers objects created before and after it is applied.
 */
export class ImagePolicy implements IResolver {
  /**
   * Applies a policy to every object of an app (and checks `requireDigests` at synth).
   */
  public static apply(app: App, props: ImagePolicyProps): ImagePolicy {
    const policy = new ImagePolicy(props);
    app.resolvers.unshift(policy);
    app.node.addValidation({ validate: () => policy.validate(app) });
    return policy;
  }

  private readonly mirrors: Array<[string, string]>;
  private readonly digests: { [image: string]: string };
  private readonly unpinnedImages = new Set<string>();
  private checked?: { readonly objects: number; readonly errors: string[] };

  constructor(private readonly props: ImagePolicyProps) {
    this.mirrors = Object.entries(props.registryMirrors ?? {}).map(([from, to]) => [from, to.replace(/\/+$/, '')]);
    this.digests = { ...(props.digests ?? {}) };
    for (const [image, digest] of Object.entries(this.digests)) {
      if (!DIGEST.test(digest)) throw new Error(`ImagePolicy: digests["${image}"] ("${digest}") must be sha256:<64 hex digits>`);
    }
    for (const [from, to] of this.mirrors) {
      if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(to)) throw new Error(`ImagePolicy: registryMirrors["${from}"] ("${to}") must be a registry host with an optional path`);
    }
  }

  /**
   * The image reference this policy turns `image` into.
   */
  public rewrite(image: string): string {
    const parts = parseImage(image);
    if (!parts) return image;
    let ref = image;
    const registry = parts.registry ?? 'docker.io';
    const mirror = this.mirrors.find(([from]) => from === registry);
    if (mirror) {
      const repository = !parts.registry && !parts.repository.includes('/') ? `library/${parts.repository}` : parts.repository;
      ref = `${mirror[1]}/${repository}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
    }
    const digest = this.digests[image];
    if (digest && !parts.digest) ref = `${ref}@${digest}`;
    return ref;
  }

  /**
   * The cdk8s resolver hook: rewrites `image` values and `oci://` storage URIs.
   */
  public resolve(context: ResolutionContext): void {
    const key = context.key[context.key.length - 1];
    const value = context.value;
    if (typeof value !== 'string') return;
    if (key === 'image') {
      const out = this.rewrite(value);
      if (!out.includes('@sha256:')) this.unpinnedImages.add(out);
      if (out !== value) context.replaceValue(out);
    } else if (key === 'storageUri' && value.startsWith('oci://')) {
      const out = `oci://${this.rewrite(value.substring('oci://'.length))}`;
      if (!out.includes('@sha256:')) this.unpinnedImages.add(out);
      if (out !== value) context.replaceValue(out);
    }
  }

  /** Images seen at synth that are not pinned by digest, sorted. */
  public get unpinned(): string[] {
    return [...this.unpinnedImages].sort();
  }

  /**
   * requireDigests: scans the objects' props (not their rendering: cdk8s validates the app once per
   * chart, and rendering every chart in each pass would cost O(charts^2)), once per app state.
   */
  private validate(app: App): string[] {
    if (!this.props.requireDigests) return [];
    const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    if (this.checked && this.checked.objects === objects.length) return this.checked.errors;
    const found = new Set<string>();
    for (const o of objects) this.collect((o as any).props, undefined, found, 0);
    const list = [...found].sort();
    const errors = list.length === 0 ? [] :
      [`ImagePolicy: requireDigests is set and ${list.length} image(s) are not pinned by digest (add them to digests):\n  ${list.join('\n  ')}`];
    this.checked = { objects: objects.length, errors };
    return errors;
  }

  /** Collects the unpinned images (as rewritten) under `image` keys of a props tree (Lazy values produced). */
  private collect(value: any, key: string | undefined, found: Set<string>, depth: number): void {
    if (depth > 64 || value === null || value === undefined) return;
    if (value instanceof Lazy) return this.collect(value.produce(), key, found, depth + 1);
    if (typeof value === 'string') {
      if (key === 'image') {
        const out = this.rewrite(value);
        if (!out.includes('@sha256:')) found.add(out);
      } else if (key === 'storageUri' && value.startsWith('oci://')) {
        // A KServe modelcar: kubelet pulls it like any image (kserve/kserve pkg/utils/storage.go @ v0.20.0).
        const out = `oci://${this.rewrite(value.substring('oci://'.length))}`;
        if (!out.includes('@sha256:')) found.add(out);
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) this.collect(v, key, found, depth + 1);
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.collect(v, k, found, depth + 1);
    }
  }
}
