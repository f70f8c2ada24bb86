/**
 * Pinned default images of the Asya v0.1.x release this library targets (tags carry no "v").
 */
export class AsyaImages {
  /** The sidecar the operator injects into every actor pod. */
  public static readonly SIDECAR = 'ghcr.io/deliveryhero/asya-sidecar:0.1.1';
  /** The crew image running the happy-end and error-end handlers. */
  public static readonly CREW = 'ghcr.io/deliveryhero/asya-crew:0.1.1';

  private constructor() {}
}
