import { IConstruct } from 'constructs';

/**
 * Per-app registries of constructs of one kind, filled at construction, so whole-app checks read a list
 * instead of walking the construct tree (cdk8s validates the whole app once per chart: a tree walk in a
 * validation costs O(objects x charts)).
 */
export class ConstructRegistry<T extends IConstruct> {
  private readonly byRoot = new WeakMap<IConstruct, T[]>();

  /** Records a construct under its app (the root of its tree). */
  public add(c: T): void {
    const root = c.node.root;
    const list = this.byRoot.get(root);
    if (list) list.push(c);
    else this.byRoot.set(root, [c]);
  }

  /** The constructs recorded under the app of `scope`, in creation order. */
  public of(scope: IConstruct): T[] {
    return this.byRoot.get(scope.node.root) ?? [];
  }
}
