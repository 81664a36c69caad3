import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyLoggedServerWrite, isLoggedServerWrite } from './serverWrites';

/** A replica that takes only the updates the writes returned, as a log replayed on load would. */
function replica() {
  const doc = new Y.Doc();
  return {
    take: (update: Uint8Array | null) => update && Y.applyUpdate(doc, update),
    entries: () => doc.getMap('m').toJSON(),
  };
}

describe('applyLoggedServerWrite', () => {
  it('returns the update of the change, applied as a logged server write, and null when it changed nothing', () => {
    const doc = new Y.Doc();
    const log = replica();
    const origins: unknown[] = [];
    doc.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));
    log.take(applyLoggedServerWrite(doc, (d) => d.getMap('m').set('a', 1)));
    expect(log.entries()).toEqual({ a: 1 });
    expect(origins.every(isLoggedServerWrite)).toBe(true);
    expect(applyLoggedServerWrite(doc, () => {})).toBeNull();
    // The next write's update is its own: with the first, the whole doc.
    const second = applyLoggedServerWrite(doc, (d) => d.getMap('m').set('b', 2));
    log.take(second);
    expect(log.entries()).toEqual({ a: 1, b: 2 });
    expect(second!.byteLength).toBeLessThan(Y.encodeStateAsUpdate(doc).byteLength);
  });

  it('gives a write made inside another one’s change to the outer one, whole, so nothing goes unlogged', () => {
    const doc = new Y.Doc();
    const log = replica();
    let inner: Uint8Array | null = new Uint8Array();
    log.take(
      applyLoggedServerWrite(doc, (d) => {
        d.getMap('m').set('a', 1);
        inner = applyLoggedServerWrite(d, (again) => again.getMap('m').set('b', 2));
      }),
    );
    expect(inner).toBeNull();
    expect(log.entries()).toEqual({ a: 1, b: 2 });
    // A change made outside any server write is not one; the next write returns its own update again.
    const outside: Uint8Array[] = [];
    doc.once('update', (update: Uint8Array) => outside.push(update));
    doc.getMap('m').set('c', 3);
    log.take(outside[0]!);
    log.take(applyLoggedServerWrite(doc, (d) => d.getMap('m').set('d', 4)));
    expect(log.entries()).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });
});
