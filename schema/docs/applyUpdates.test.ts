import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { applyUpdates } from './applyUpdates';

/** A doc's history as the server logs it: one update per change, from two writers kept in sync. */
function history(): Uint8Array[] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const updates: Uint8Array[] = [];
  for (const doc of [a, b]) doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'sync' && updates.push(u));
  for (let i = 0; i < 50; i++) {
    const [writer, other] = i % 3 === 0 ? [b, a] : [a, b];
    writer.getArray<string>('messages').push([`message ${i}`]);
    if (i % 7 === 0) writer.getMap('state').set('pinned', i);
    if (i % 10 === 5) writer.getArray<string>('messages').delete(0, 1);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(writer, Y.encodeStateVector(other)), 'sync');
  }
  return updates;
}

describe('applyUpdates', () => {
  test('gives the state one merged update gives, deleted content garbage-collected alike', () => {
    const updates = history();
    const merged = new Y.Doc();
    Y.applyUpdate(merged, Y.mergeUpdates(updates));
    const folded = new Y.Doc();
    applyUpdates(folded, updates);
    expect(folded.getArray('messages').toJSON()).toEqual(merged.getArray('messages').toJSON());
    expect(folded.getMap('state').toJSON()).toEqual({ pinned: 49 });
    expect(Y.encodeStateAsUpdate(folded)).toEqual(Y.encodeStateAsUpdate(merged));
  });

  test('one transaction: observers and `update` listeners hear the whole fold once, with its origin', () => {
    const updates = history();
    const doc = new Y.Doc();
    const heard: unknown[] = [];
    let observed = 0;
    doc.on('update', (_u: Uint8Array, origin: unknown) => heard.push(origin));
    doc.getArray('messages').observe(() => observed++);
    applyUpdates(doc, updates, 'catch-up');
    expect(heard).toEqual(['catch-up']);
    expect(observed).toBe(1);
  });

  test('out of order: a row that arrives before what it builds on waits for it, as Yjs does', () => {
    const updates = history();
    const doc = new Y.Doc();
    applyUpdates(doc, [...updates].reverse());
    const expected = new Y.Doc();
    applyUpdates(expected, updates);
    expect(doc.getArray('messages').toJSON()).toEqual(expected.getArray('messages').toJSON());
  });
});
