import * as Y from 'yjs';

type Struct = Y.Item | Y.GC | Y.Skip;

/** One client's structs of the update, and how many of them the replay has taken. */
interface ClientRefs {
  i: number;
  refs: readonly Struct[];
}

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
function waitsFor(item: Y.Item, clocks: Clocks): Y.ID | null {
  const { origin, rightOrigin } = item;
  const parent = item.parent as unknown;
  if (origin && origin.client !== item.id.client && origin.clock >= clocks.of(origin.client)) return origin;
  if (rightOrigin && rightOrigin.client !== item.id.client && rightOrigin.clock >= clocks.of(rightOrigin.client)) return rightOrigin;
  if (parent instanceof Y.ID && parent.client !== item.id.client && parent.clock >= clocks.of(parent.client)) return parent;
  return null;
}

/** A reference to the item's own client that the store does not hold yet (Yjs looks those up unchecked). */
function unresolvedOwnReference(item: Y.Item, clocks: Clocks): Y.ID | null {
  const parent = item.parent as unknown;
  for (const id of [item.origin, item.rightOrigin, parent instanceof Y.ID ? parent : null]) {
    if (id && id.client === item.id.client && id.clock >= clocks.of(id.client)) return id;
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
  const refs = new Map<number, ClientRefs>();
  for (const [client, structs] of clientStructs) refs.set(client, { i: 0, refs: structs });
  const ids = [...refs.keys()].sort((a, b) => a - b);
  const clocks = new Clocks(docState);
  let target = nextTarget(ids, refs);
  if (!target) return { ok: true };
  const stack: Struct[] = [];
  let head = target.refs[target.i++]!;
  for (;;) {
    if (!(head instanceof Y.Skip)) {
      const client = head.id.client;
      const offset = clocks.of(client) - head.id.clock;
      if (offset < 0) return { ok: false, waitsFor: Y.createID(client, clocks.of(client)), reason: 'gap' };
      const missing = head instanceof Y.Item ? waitsFor(head, clocks) : null;
      // Yjs resolves the origins of every struct, even one whose clocks it already has and then skips.
      const unresolved = !missing && head instanceof Y.Item ? unresolvedOwnReference(head, clocks) : null;
      if (unresolved) return { ok: false, waitsFor: unresolved, reason: 'throws' };
      if (missing) {
        stack.push(head);
        const source = refs.get(missing.client);
        if (!source || source.i === source.refs.length) return { ok: false, waitsFor: missing, reason: 'dependency' };
        head = source.refs[source.i++]!;
        continue;
      }
      if (offset === 0 || offset < head.length) clocks.integrated.set(client, head.id.clock + head.length);
    }
    if (stack.length > 0) head = stack.pop()!;
    else if (target && target.i < target.refs.length) head = target.refs[target.i++]!;
    else {
      target = nextTarget(ids, refs);
      if (!target) return { ok: true };
      head = target.refs[target.i++]!;
    }
  }
}

/**
 * The clocks Yjs would hold at this point of the replay: those the update's structs
 * reached, else the doc's. An object, not closures made per call: the server runs as
 * TypeScript through tsx, whose compiler names each function made at run time with a
 * property definition of its own, which was half of this replay's time.
 */
class Clocks {
  readonly integrated = new Map<number, number>();

  constructor(private readonly docState: (client: number) => number) {}

  of(client: number): number {
    return this.integrated.get(client) ?? this.docState(client);
  }
}

/** The client Yjs integrates next (the highest id with structs left), dropping those done. */
function nextTarget(ids: number[], refs: ReadonlyMap<number, ClientRefs>): ClientRefs | null {
  while (ids.length > 0) {
    const target = refs.get(ids[ids.length - 1]!)!;
    if (target.i < target.refs.length) return target;
    ids.pop();
  }
  return null;
}
