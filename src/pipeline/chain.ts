import { IAsyncStep } from '../asya/async-step';

/**
 * A fluent way to write a route: `Chain.start(a).next(b).next(c)` is the step list `[a, b, c]`.
 */
export class Chain {
  /** Starts a chain with its first step. */
  public static start(step: IAsyncStep): Chain {
    return new Chain([step]);
  }

  private constructor(private readonly list: IAsyncStep[]) {}

  /** A new chain with one more step at the end (chains are immutable). */
  public next(step: IAsyncStep): Chain {
    return new Chain([...this.list, step]);
  }

  /** The steps, in order. */
  public get steps(): IAsyncStep[] {
    return [...this.list];
  }
}
