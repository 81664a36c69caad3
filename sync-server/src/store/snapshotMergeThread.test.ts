import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeForSnapshot } from './rows';
import { SnapshotMergeThread } from './snapshotMergeThread';

/** A doc's updates one by one: words typed into a text, then the first ones deleted again. */
function typedThenDeleted(): { updates: Uint8Array[]; text: string } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('t');
  for (let i = 0; i < 50; i++) text.insert(text.length, `word${i} `);
  text.delete(0, 60);
  return { updates, text: text.toString() };
}

describe('snapshot merges on their own thread', () => {
  const thread = new SnapshotMergeThread();
  afterAll(() => thread.close());

  it('merges a snapshot and its rows into the update the main thread would make, deleted text dropped', async () => {
    const { updates, text } = typedThenDeleted();
    const snapshot = mergeForSnapshot(null, updates.slice(0, 20));
    const merged = await thread.merge(snapshot, updates.slice(20));
    expect(merged).toEqual(mergeForSnapshot(snapshot, updates.slice(20)));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, merged);
    expect(doc.getText('t').toString()).toBe(text);
    // Garbage-collected: smaller than the rows it replaces, which still carry the deleted words.
    expect(merged.byteLength).toBeLessThan(updates.reduce((sum, u) => sum + u.byteLength, 0));
  });

  it('refuses a merge of bytes that are no update, and merges the next one', async () => {
    await expect(thread.merge(null, [new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1])])).rejects.toThrow();
    const { updates, text } = typedThenDeleted();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await thread.merge(null, updates));
    expect(doc.getText('t').toString()).toBe(text);
  });
});
