import * as Y from 'yjs';
import type { Location, UpdateView } from './updateView';

/**
 * What an update does, as the guard judges it: each new item as an entry it writes
 * (`set`, at the place Yjs will really put it), each deleted range as the entries it
 * removes. The rules (`updateGuard.ts`) then judge the entries, not the structs.
 */

/** What keeps an update from being read as entries at all. */
export type ChangeRefusal = { ok: false; rule: 'gc' | 'missing-dependency' | 'unknown-root' | 'malformed' | 'value-shape' | 'delete-foreign'; detail?: string };

const refuse = (rule: ChangeRefusal['rule'], detail?: string): ChangeRefusal => ({ ok: false, rule, detail });

export interface Change {
  /** `set`: a new item writes the entry; `remove`: the update deletes an item. */
  op: 'set' | 'remove';
  root: string;
  key: string | null;
  /** The item's values; null for deleted content (a tombstone carries none). */
  values: readonly unknown[] | null;
  /** A list item placed before an existing one rather than at the end. */
  insertsBefore: boolean;
  /** The left origin Yjs integrates a new item after (re-anchored for a partly known struct); null for none. */
  origin: Y.ID | null;
  /** A removal of an item the doc holds (rather than one of the update's own). */
  inDoc: boolean;
}

/**
 * The change a new item makes, from `offset` on (the part the doc lacks). Its parent is
 * where Yjs' `getMissing` puts it (named, or its left origin's, else its right
 * origin's). A struct the doc partly has is re-anchored by Yjs' `integrate`: its left
 * becomes the doc's item at `clock + offset - 1`, whatever the update encodes, and it
 * is linked into that item's list while keeping the parent it resolved; both must be
 * the same place, or Yjs would corrupt the doc.
 */
export function setChange(view: UpdateView, item: Y.Item, offset: number): Change | ChangeRefusal {
  const location = view.locate(item);
  if (location.kind !== 'root') return locationRefusal(location, item.id);
  let origin = item.origin;
  if (offset > 0) {
    origin = Y.createID(item.id.client, item.id.clock + offset - 1);
    const left = view.find(origin)!.struct;
    if (left instanceof Y.GC) return refuse('gc', `re-anchored at ${origin.client}:${origin.clock}`);
    const anchored = view.docLocation(left);
    if (anchored.kind !== 'root' || anchored.root !== location.root || anchored.key !== location.key) {
      return refuse('malformed', `re-anchored at ${origin.client}:${origin.clock} outside its parent`);
    }
  }
  const values = contentValues(item.content, offset);
  if (values === undefined) return refuse('value-shape', item.content.constructor.name);
  return { op: 'set', root: location.root, key: location.key, values, insertsBefore: item.rightOrigin !== null, origin, inDoc: false };
}

function locationRefusal(location: Exclude<Location, { kind: 'root' }>, id: Y.ID): ChangeRefusal {
  const at = `${id.client}:${id.clock}`;
  switch (location.kind) {
    case 'gc':
      return refuse('gc', at);
    case 'missing':
      return refuse('missing-dependency', at);
    case 'nested':
      return refuse('unknown-root', `nested type at ${at}`);
    case 'malformed':
      return refuse('malformed', at);
  }
}

/**
 * Jeco docs hold plain JSON values only (`ContentAny`); deleted content (a tombstone
 * an honest client sends after garbage-collecting an overwritten value) carries none.
 * Anything else — text, binary, embeds, nested types, subdocs — has no place here.
 */
function contentValues(content: Y.Item['content'], offset: number): readonly unknown[] | null | undefined {
  if (content instanceof Y.ContentAny) return content.getContent().slice(offset);
  if (content instanceof Y.ContentDeleted) return null;
  return undefined;
}

/**
 * The entries a deleted range removes: the doc's items in it that are not yet deleted
 * (re-deleting is a no-op, so an honest client's full delete set passes), then items of
 * the update itself in it. A range neither has would stay pending, unchecked.
 */
export function collectRemovals(view: UpdateView, client: number, clock: number, end: number, changes: Change[]): ChangeRefusal | null {
  const state = view.state(client);
  if (clock < state) {
    const structs = view.doc.store.clients.get(client)!;
    const stop = Math.min(end, state);
    for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < stop; i++) {
      const struct = structs[i]!;
      if (struct instanceof Y.GC || struct.deleted) continue;
      const location = view.docLocation(struct);
      if (location.kind !== 'root') return refuse('delete-foreign', `${client}:${struct.id.clock}`);
      changes.push(removal(location, struct, true));
    }
  }
  for (let from = Math.max(clock, state); from < end; ) {
    const found = view.find(Y.createID(client, from));
    if (!found) return refuse('missing-dependency', `delete ${client}:${from}`);
    const struct = found.struct;
    from = struct.id.clock + struct.length;
    if (struct instanceof Y.GC) continue;
    const location = view.locate(struct);
    if (location.kind !== 'root') return locationRefusal(location, struct.id);
    changes.push(removal(location, struct, false));
  }
  return null;
}

function removal(location: Extract<Location, { kind: 'root' }>, item: Y.Item, inDoc: boolean): Change {
  return { op: 'remove', root: location.root, key: location.key, values: contentValues(item.content, 0) ?? null, insertsBefore: false, origin: null, inDoc };
}
