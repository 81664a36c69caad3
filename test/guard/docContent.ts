import * as Y from 'yjs';

/**
 * Everything a doc holds, root by root, whatever type each root was read as (or none:
 * a root only an attacker wrote is a bare type on the server). Map entries and list
 * items are read from the type's internals, so nothing a client could write hides.
 */
export function contentOf(doc: Y.Doc): Record<string, { keys: Record<string, unknown>; list: unknown[] }> {
  const out: Record<string, { keys: Record<string, unknown>; list: unknown[] }> = {};
  for (const name of [...doc.share.keys()].sort()) {
    const type = doc.share.get(name)!;
    const keys: Record<string, unknown> = {};
    for (const key of [...type._map.keys()].sort()) {
      const item = type._map.get(key)!;
      if (!item.deleted) keys[key] = item.content.getContent().at(-1);
    }
    const list: unknown[] = [];
    for (let item = type._start; item !== null; item = item.right) {
      if (!item.deleted && item.countable) list.push(...item.content.getContent());
    }
    if (Object.keys(keys).length > 0 || list.length > 0) out[name] = { keys, list };
  }
  return out;
}

/** The exact state of a doc (structs and delete set): equal bytes, nothing changed. */
export function stateOf(doc: Y.Doc): Buffer {
  return Buffer.from(Y.encodeStateAsUpdate(doc));
}
