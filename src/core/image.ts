import { IConstruct } from 'constructs';
import { check } from './errors';

/** `[registry/]repository[:tag][@sha256:digest]` */
const IMAGE = /^(?:([a-zA-Z0-9.-]+(?::[0-9]+)?)\/)?([a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** The parts of an image reference. */
export interface ImageParts {
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses an image reference, or returns undefined when it is not one. */
export function parseImage(ref: string): ImageParts | undefined {
  const m = IMAGE.exec(ref);
  if (!m) return undefined;
  // A first segment without a dot, colon or "localhost" is a Docker Hub path, not a registry.
  let registry: string | undefined = m[1];
  let repository = m[2];
  if (registry && !/[.:]/.test(registry) && registry !== 'localhost') {
    repository = `${registry.toLowerCase()}/${repository}`;
    registry = undefined;
  }
  return { registry, repository, tag: m[3], digest: m[4] };
}

/**
 * Checks an image reference: it must parse, and unless `allowUnpinned` it must carry a tag other than
 * `latest` or a digest (an unpinned image changes under a running pipeline).
 */
export function checkImage(scope: IConstruct | string, field: string, image: string, allowUnpinned?: boolean): void {
  const parts = typeof image === 'string' ? parseImage(image) : undefined;
  check(parts !== undefined, scope, field, image, 'is not a valid image reference ([registry/]repository[:tag][@sha256:digest])');
  if (allowUnpinned) return;
  check(!!(parts!.tag || parts!.digest), scope, field, image,
    'has no tag or digest: pin a version (e.g. repo:1.2.3 or repo@sha256:...) or set allowUnpinnedImage');
  check(parts!.tag !== 'latest' || !!parts!.digest, scope, field, image,
    'uses the tag "latest": pin a version (e.g. repo:1.2.3 or repo@sha256:...) or set allowUnpinnedImage');
}
