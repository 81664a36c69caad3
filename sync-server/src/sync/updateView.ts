import * as Y from 'yjs';

/** Where an item lands once applied: an entry of a root type, garbage, or somewhere the guard cannot allow or cannot tell yet. */
export type Location =
  | { kind: 'root'; root: string; key: string | null }
  /** Next to a garbage-collected struct: Yjs turns the item into garbage, so it writes nothing. */
  | { kind: 'gc' }
  /** Inside a nested shared type: no Jeco doc has any. */
  | { kind: 'nested' }
  /** Depends on a struct neither the doc nor the update has; Yjs would keep it pending, unchecked. */
  | { kind: 'missing' }
  | { kind: 'malformed' };

type Struct = Y.Item | Y.GC | Y.Skip;
type Found = { struct: Y.Item | Y.GC; inDoc: boolean } | null;

/** Thrown on a cycle or a self-reference no Yjs encoder produces; the guard reports it as malformed. */
export class MalformedUpdate extends Error {}

/**
 * A decoded update read against the doc it is about to be applied to. Lookups go to
 * the doc's struct store for clocks it has, and to the update's own structs (indexed
 * per client) beyond that — never to the whole doc, so the cost follows the update.
 */
export class UpdateView {
  private readonly byClient = new Map<number, Struct[]>();
  private readonly located = new Map<Y.Item, Location>();
  private readonly rootNames = new Map<Y.AbstractType<unknown>, string>();

  constructor(
    readonly doc: Y.Doc,
    readonly structs: readonly Struct[],
  ) {
    for (const struct of structs) {
      // Yjs would add an empty struct to its store, where its lookups assume every struct holds a clock.
      if (struct.length <= 0) throw new MalformedUpdate(`empty struct at ${struct.id.client}:${struct.id.clock}`);
      const list = this.byClient.get(struct.id.client);
      const last = list?.at(-1);
      // One run of clocks per client: Yjs reads a second section of a client as a replacement of the first.
      if (last && struct.id.clock !== last.id.clock + last.length) throw new MalformedUpdate(`clocks of ${struct.id.client} out of order`);
      if (list) list.push(struct);
      else this.byClient.set(struct.id.client, [struct]);
    }
  }

  /** The update's structs per client, in clock order. */
  get clients(): ReadonlyMap<number, readonly Struct[]> {
    return this.byClient;
  }

  /** The doc's next clock for `client`: everything below it is already applied. */
  state(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  /** The struct holding `id`, from the doc if it has that clock, else from the update. */
  find(id: Y.ID): Found {
    if (id.clock < this.state(id.client)) {
      const structs = this.doc.store.clients.get(id.client)!;
      return { struct: structs[Y.findIndexSS(structs, id.clock)]!, inDoc: true };
    }
    const list = this.byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const struct = list[mid]!;
      if (id.clock < struct.id.clock) hi = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) lo = mid + 1;
      else return struct instanceof Y.Skip ? null : { struct, inDoc: false };
    }
    return null;
  }

  /** Where an item already in the doc lives. */
  docLocation(item: Y.Item): Location {
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType)) return { kind: 'gc' };
    if (parent._item !== null) return { kind: 'nested' };
    let root = this.rootNames.get(parent);
    if (root === undefined) {
      root = Y.findRootTypeKey(parent);
      this.rootNames.set(parent, root);
    }
    return { kind: 'root', root, key: item.parentSub };
  }

  /**
   * Where an item of the update will land, the way Yjs decides it on integration: its
   * parent is named (a root key or a parent item) or copied from its left origin, else
   * its right origin; next to a GC struct it becomes garbage itself. Origins inside
   * the update are followed iteratively (chains can be thousands long).
   */
  locate(item: Y.Item): Location {
    const chain: Y.Item[] = [];
    const onChain = new Set<Y.Item>();
    let current = item;
    let location: Location;
    for (;;) {
      const known = this.located.get(current);
      if (known) {
        location = known;
        break;
      }
      if (onChain.has(current)) throw new MalformedUpdate('origin cycle');
      chain.push(current);
      onChain.add(current);
      const step = this.step(current);
      if (step instanceof Y.Item) current = step;
      else {
        location = step;
        break;
      }
    }
    for (const link of chain) this.located.set(link, location);
    return location;
  }

  private step(item: Y.Item): Location | Y.Item {
    const parent = item.parent as unknown;
    if (item.origin === null && item.rightOrigin === null) {
      if (typeof parent === 'string') return { kind: 'root', root: parent, key: item.parentSub };
      if (!(parent instanceof Y.ID)) return { kind: 'malformed' };
      const found = this.findDependency(item, parent);
      if (!found) return { kind: 'missing' };
      return found.struct instanceof Y.GC ? { kind: 'gc' } : { kind: 'nested' };
    }
    const left = item.origin ? this.findDependency(item, item.origin) : null;
    const right = item.rightOrigin ? this.findDependency(item, item.rightOrigin) : null;
    if ((item.origin && !left) || (item.rightOrigin && !right)) return { kind: 'missing' };
    if (left?.struct instanceof Y.GC || right?.struct instanceof Y.GC) return { kind: 'gc' };
    const neighbour = (left ?? right)!;
    const struct = neighbour.struct as Y.Item;
    return neighbour.inDoc ? this.docLocation(struct) : struct;
  }

  private findDependency(item: Y.Item, id: Y.ID): Found {
    // Yjs integrates a client's structs in clock order: a reference forward in the
    // same client never resolves, and a Yjs encoder never writes one.
    if (id.client === item.id.client && id.clock >= item.id.clock) throw new MalformedUpdate('forward reference');
    return this.find(id);
  }
}
