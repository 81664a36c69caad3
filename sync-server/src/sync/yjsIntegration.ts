import * as Y from 'yjs';

type Struct = Y.Item | Y.GC | Y.Skip;

/** Whether Yjs integrates every struct of an update, or which id it waits for (leaving structs pending). */
export type IntegrationOutcome =
  | { ok: true }
  | { ok: false; waitsFor: Y.ID; reason: 'gap' | 'dependency' }
  /** A reference Yjs would look up in its store without checking it is there: it throws mid-transaction. */
  | { ok: false; waitsFor: Y.ID; reason: 'throws' };

/**
 * The id an item waits for before Yjs integrates it: Yjs' `Item.getMissing` checks, in
 * its order. References to the item's own client are not checked there (Yjs integrates
 * a client's structs in clock order), so the guard refuses forward ones as malformed.
 */
function waitsFor(item: Y.Item, stateOf: (client: number) => number): Y.ID | null {
  const { origin, rightOrigin } = item;
  const parent = item.parent as unknown;
  if (origin && origin.client !== item.id.client && origin.clock >= stateOf(origin.client)) return origin;
  if (rightOrigin && rightOrigin.client !== item.id.client && rightOrigin.clock >= stateOf(rightOrigin.client)) return rightOrigin;
  if (parent instanceof Y.ID && parent.client !== item.id.client && parent.clock >= stateOf(parent.client)) return parent;
  return null;
}

/** A reference to the item's own client that the store does not hold yet (Yjs looks those up unchecked). */
function unresolvedOwnReference(item: Y.Item, stateOf: (client: number) => number): Y.ID | null {
  const parent = item.parent as unknown;
  for (const id of [item.origin, item.rightOrigin, parent instanceof Y.ID ? parent : null]) {
    if (id && id.client === item.id.client && id.clock >= stateOf(id.client)) return id;
  }
  return null;
}

/**
 * Replays Yjs' `integrateStructs` (yjs/src/utils/encoding.js, 13.6) on the clocks only:
 * the same client order (highest id first), the same stack of structs waiting for
 * another client's, the same dead ends. Where Yjs would leave a struct pending (kept
 * in the doc's `pendingStructs`, applied only if a later update fills the hole, and
 * meanwhile neither checked nor visible), this says which id it waits for. An origin
 * chain that leads back into a client whose structs are already on the stack is such
 * a dead end even though every id is in the update: no Yjs encoder writes one. Costs
 * O(structs in the update).
 *
 * `clientStructs` are the update's structs per client in clock order (one section per
 * client: Yjs keeps only the last section of a client, so the caller refuses repeats).
 */
export function simulateIntegration(clientStructs: ReadonlyMap<number, readonly Struct[]>, docState: (client: number) => number): IntegrationOutcome {
  const refs = new Map<number, { i: number; refs: readonly Struct[] }>();
  for (const [client, structs] of clientStructs) refs.set(client, { i: 0, refs: structs });
  const ids = [...refs.keys()].sort((a, b) => a - b);
  const integrated = new Map<number, number>();
  const stateOf = (client: number) => integrated.get(client) ?? docState(client);
  const nextTarget = () => {
    while (ids.length > 0) {
      const target = refs.get(ids[ids.length - 1]!)!;
      if (target.i < target.refs.length) return target;
      ids.pop();
    }
    return null;
  };
  let target = nextTarget();
  if (!target) return { ok: true };
  const stack: Struct[] = [];
  let head = target.refs[target.i++]!;
  for (;;) {
    if (!(head instanceof Y.Skip)) {
      const client = head.id.client;
      const offset = stateOf(client) - head.id.clock;
      if (offset < 0) return { ok: false, waitsFor: Y.createID(client, stateOf(client)), reason: 'gap' };
      const missing = head instanceof Y.Item ? waitsFor(head, stateOf) : null;
      // Yjs resolves the origins of every struct, even one whose clocks it already has and then skips.
      const unresolved = !missing && head instanceof Y.Item ? unresolvedOwnReference(head, stateOf) : null;
      if (unresolved) return { ok: false, waitsFor: unresolved, reason: 'throws' };
      if (missing) {
        stack.push(head);
        const source = refs.get(missing.client);
        if (!source || source.i === source.refs.length) return { ok: false, waitsFor: missing, reason: 'dependency' };
        head = source.refs[source.i++]!;
        continue;
      }
      if (offset === 0 || offset < head.length) integrated.set(client, head.id.clock + head.length);
    }
    if (stack.length > 0) head = stack.pop()!;
    else if (target && target.i < target.refs.length) head = target.refs[target.i++]!;
    else {
      target = nextTarget();
      if (!target) return { ok: true };
      head = target.refs[target.i++]!;
    }
  }
}
