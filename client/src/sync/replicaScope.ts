import { createMemo, mapArray, onCleanup, type Accessor } from 'solid-js';
import type { DocName } from '#schema/docs/names';
import type { Replica } from './replica';
import type { ReplicaManager } from './replicaManager';

/** Opens `name` for as long as the current reactive owner lives. */
export function useReplica(manager: ReplicaManager, name: DocName): Replica {
  const replica = manager.open(name);
  onCleanup(() => manager.release(name));
  return replica;
}

/**
 * Keeps open exactly the docs `names()` lists, for as long as the current owner lives,
 * and maps each open replica through `bind` (run once per doc, in a reactive scope
 * of its own that ends when the doc leaves the list, so bindings made there stop too).
 */
export function useReplicas<T>(manager: ReplicaManager, names: Accessor<readonly DocName[]>, bind: (replica: Replica) => T): Accessor<T[]> {
  // mapArray is lazy; the memo runs it now and whenever the names change, needed or not.
  return createMemo(mapArray(names, (name) => bind(useReplica(manager, name))));
}

/** Equality for a memo of doc names: the same names in the same order, so an unchanged list does not re-run `useReplicas`. */
export function sameNames(a: readonly DocName[], b: readonly DocName[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
