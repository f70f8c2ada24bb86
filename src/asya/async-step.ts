import { IConstruct } from 'constructs';
import { Transport } from './transport';

/**
 * Something a route can name: an actor consuming its own queue. AsyncActor, AsyncModel and JobLauncher
 * implement it; pipelines know steps only through it.
 */
export interface IAsyncStep extends IConstruct {
  /** The actor name (also the queue suffix and the `asya.sh/asya` pod label value). */
  readonly actorName: string;
  /** The namespace the actor runs in. */
  readonly namespace: string;
  /** The transport the actor consumes from. */
  readonly transport: Transport;
  /** The queue the actor consumes. */
  readonly queueName: string;
  /** True when the handler runs in envelope mode and may rewrite the route at run time. */
  readonly rewritesRoute: boolean;
}
