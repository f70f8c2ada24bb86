/**
 * Queue naming of Asya v0.1.x, in one place: the operator creates `asya-<actor>` on the transport
 * (not namespaced), and on RabbitMQ a dead-letter queue `asya-<actor>-dlq`. Upstream plans
 * `asya-<namespace>-<actor>`; when we target that version, only this file changes.
 */
export class QueueNaming {
  /** The prefix of every actor queue. */
  public static readonly PREFIX = 'asya-';

  /** The queue an actor consumes. */
  public static queueName(actorName: string): string {
    return `${QueueNaming.PREFIX}${actorName}`;
  }

  /** The RabbitMQ dead-letter queue of an actor. */
  public static deadLetterQueueName(actorName: string): string {
    return `${QueueNaming.PREFIX}${actorName}-dlq`;
  }

  private constructor() {}
}
