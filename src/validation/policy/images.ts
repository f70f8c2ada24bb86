import { PodTemplates } from './pod-templates';
import { jsonPath, PolicyContext, PolicyFinding, PolicyLevel, PolicyRule } from './rule';

/** Why an image reference is not pinned, or undefined when it is (a tag other than `latest`, or a digest). */
export function unpinnedReason(image: string): string | undefined {
  if (image.includes('@')) return undefined; // digest
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'has no tag (it means :latest)';
  if (lastSegment.slice(colon + 1) === 'latest') return 'uses the :latest tag';
  return undefined;
}

/**
 * ASYA-IMG-001: every image is pinned (a tag other than `latest`, or a digest).
 *
 * Why: `:latest` (or no tag) resolves to whatever was pushed last: two nodes can run different code, and a
 * rollback restores nothing. It also makes `imagePullPolicy` default to Always.
 * Fix: pin a version tag (`ghcr.io/acme/tools:1.4.2`) or a digest (`...@sha256:...`).
 */
export class PinnedImageRule extends PolicyRule {
  public constructor() {
    super({
      id: 'ASYA-IMG-001',
      level: PolicyLevel.ERROR,
      description: 'Every image (containers, init containers, AsyncActor sidecar, TrainJob trainer) is pinned to a tag other than latest, or a digest',
      fix: 'Pin a version tag (ghcr.io/acme/tools:1.4.2) or a digest (ghcr.io/acme/tools@sha256:...).',
    });
  }

  public check(manifest: any, _context: PolicyContext): PolicyFinding[] {
    const images: Array<[string, unknown, string]> = [];
    for (const pod of PodTemplates.of(manifest)) {
      for (const c of pod.containers) images.push([jsonPath(c.path, 'image'), c.container?.image, `container "${c.name}"`]);
    }
    if (manifest?.kind === 'AsyncActor') images.push(['.spec.sidecar.image', manifest.spec?.sidecar?.image, 'sidecar']);
    if (manifest?.kind === 'TrainJob') images.push(['.spec.trainer.image', manifest.spec?.trainer?.image, 'trainer']);
    const out: PolicyFinding[] = [];
    for (const [path, image, what] of images) {
      if (typeof image !== 'string') continue;
      const reason = unpinnedReason(image);
      if (reason) {
        out.push(this.finding(manifest, path, `${what} image ${JSON.stringify(image)} ${reason}: pin a version tag or a digest`));
      }
    }
    return out;
  }
}
