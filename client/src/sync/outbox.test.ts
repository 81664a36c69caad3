import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import type { Message } from '#schema/docs/message';
import { bucketDoc, type DocName } from '#schema/docs/names';
import { newMessageId, type RoomId, type UserId } from '#schema/ids';
import { PendingMessages } from './outbox';

const ME = '00000000-0000-4000-8000-00000000a11c' as UserId;
const BUCKET = bucketDoc('dm.00000000-0000-4000-8000-00000000a11c.00000000-0000-4000-8000-000000000b0b' as RoomId, 0) as DocName;

/** The browser's localStorage, shared by every "tab" of a test (one origin). */
class MemoryStorage {
  constructor(private readonly items = new Map<string, string>()) {}
  /** What another tab's process still reads a moment after this one wrote (Chromium carries writes across asynchronously). */
  copy = () => new MemoryStorage(new Map(this.items));
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

function message(text: string, createdAt = 1_000): Message {
  return { id: newMessageId(), authorId: ME, createdAt, text };
}

/** Two tabs of one person, each with a message of its own written while the bucket was not in sync. */
function twoTabsWithQueued(texts: [string, string]) {
  const tabs = [new PendingMessages(ME), new PendingMessages(ME)] as const;
  const messages = [message(texts[0]), message(texts[1])] as const;
  tabs[0].queue(BUCKET, messages[0]);
  tabs[1].queue(BUCKET, messages[1]);
  return { tabs, messages };
}

describe('the outbox', () => {
  beforeEach(() => {
    Object.assign(globalThis, { localStorage: new MemoryStorage(), window: { addEventListener() {}, removeEventListener() {} } });
  });

  it('keeps a message written out of sync, shows it, and appends it once the bucket is in sync', async () => {
    const pending = new PendingMessages(ME);
    const doc = new Y.Doc();
    const m = message('written offline', 42);
    pending.queue(BUCKET, m);
    expect(pending.queuedIn(BUCKET)).toEqual([m]);
    expect(pending.has(m.id)).toBe(true);
    expect(pending.queuedDocs()).toEqual([BUCKET]);

    await pending.flush(BUCKET, doc, () => false);
    expect(readMessages(doc)).toEqual([]);

    await pending.flush(BUCKET, doc, () => true);
    // Its time is when it was written, not when it went out.
    expect(readMessages(doc)).toEqual([m]);
    expect(pending.queuedIn(BUCKET)).toEqual([]);
    // Still waiting for the server's acknowledgement, then settled.
    expect(pending.has(m.id)).toBe(true);
    pending.settle(BUCKET, doc);
    expect(pending.has(m.id)).toBe(false);
  });

  it('appends each message once when two tabs flush, and keeps the written order after what others said', async () => {
    const {
      tabs: [tabOne, tabTwo],
    } = twoTabsWithQueued(['one', 'two']);
    // Both tabs' replicas caught up with the server, which holds a message from Bob.
    const server = new Y.Doc();
    appendMessage(server, { ...message('from Bob'), authorId: '00000000-0000-4000-8000-000000000b0b' as UserId });
    const docOne = new Y.Doc();
    const docTwo = new Y.Doc();
    for (const doc of [docOne, docTwo]) Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    await tabOne.flush(BUCKET, docOne, () => true);
    await tabTwo.flush(BUCKET, docTwo, () => true);
    expect(readMessages(docOne).map((m) => m.text)).toEqual(['from Bob', 'one', 'two']);
    expect(readMessages(docTwo).map((m) => m.text)).toEqual(['from Bob']);
    // The second tab then receives the first tab's append: no message twice.
    Y.applyUpdate(docTwo, Y.encodeStateAsUpdate(docOne));
    expect(readMessages(docTwo).map((m) => m.text)).toEqual(['from Bob', 'one', 'two']);
  });

  it('appends each message once when the second tab to flush still reads the outbox as it was before the first tab flushed', async () => {
    const {
      tabs: [tabOne, tabTwo],
      messages: [first, second],
    } = twoTabsWithQueued(['written in tab one', 'written in tab two']);
    const shared = globalThis.localStorage as unknown as MemoryStorage;
    const stale = shared.copy();
    const docOne = new Y.Doc();
    const docTwo = new Y.Doc();
    await tabOne.flush(BUCKET, docOne, () => true);
    expect(readMessages(docOne).map((m) => m.text)).toEqual(['written in tab one', 'written in tab two']);
    // Tab two takes the lock next, but its process has not yet seen tab one's write, nor
    // has its replica received tab one's appends.
    Object.assign(globalThis, { localStorage: stale });
    expect(tabTwo.stillQueued(BUCKET)).toBe(true);
    await tabTwo.flush(BUCKET, docTwo, () => true);
    expect(readMessages(docTwo)).toEqual([]);
    Y.applyUpdate(docTwo, Y.encodeStateAsUpdate(docOne));
    expect(readMessages(docTwo).map((m) => m.text)).toEqual(['written in tab one', 'written in tab two']);
    // Both still wait for the server (tab two's replica now holds them), then settle.
    expect([tabTwo.has(first.id), tabTwo.has(second.id)]).toEqual([true, true]);
    tabTwo.settle(BUCKET, docTwo);
    expect(tabTwo.count()).toBe(0);
  });

  it('settles a message whose acknowledgement arrives before the flush is done', async () => {
    const pending = new PendingMessages(ME);
    const doc = new Y.Doc();
    const m = message('written offline');
    pending.queue(BUCKET, m);
    // The server acknowledges the append as soon as the update leaves, before the marks are committed.
    doc.on('update', () => queueMicrotask(() => pending.settle(BUCKET, doc)));
    await pending.flush(BUCKET, doc, () => true);
    expect(readMessages(doc)).toEqual([m]);
    expect(pending.has(m.id)).toBe(false);
  });

  it('appends nothing and keeps the outbox when the replica falls out of sync before the append', async () => {
    const pending = new PendingMessages(ME);
    const doc = new Y.Doc();
    const m = message('written offline');
    pending.queue(BUCKET, m);
    // In sync when the flush starts, out of sync by the time it may append.
    let asked = 0;
    await pending.flush(BUCKET, doc, () => ++asked <= 1);
    expect(readMessages(doc)).toEqual([]);
    expect(pending.queuedIn(BUCKET)).toEqual([m]);
    await pending.flush(BUCKET, doc, () => true);
    expect(readMessages(doc)).toEqual([m]);
  });

  it('sends a message written just after the bucket caught up behind the ones still waiting, in the order written', async () => {
    const pending = new PendingMessages(ME);
    const doc = new Y.Doc();
    let inSync = false;
    const [first, second] = [message('written while out of sync'), message('written just after it caught up')];
    pending.send(BUCKET, doc, first, () => inSync);
    // The replica says it is in sync; the flush that follows has not run yet.
    inSync = true;
    pending.send(BUCKET, doc, second, () => inSync);
    expect(readMessages(doc)).toEqual([]);
    await pending.flush(BUCKET, doc, () => inSync);
    expect(readMessages(doc).map((m) => m.text)).toEqual([first.text, second.text]);
    // With the outbox empty, the next one goes straight in.
    const third = message('written later');
    pending.send(BUCKET, doc, third, () => inSync);
    expect(readMessages(doc).map((m) => m.text)).toEqual([first.text, second.text, third.text]);
    expect(pending.queuedIn(BUCKET)).toEqual([]);
  });

  it('survives a reload: a new instance finds the queued message', () => {
    const m = message('before the reload');
    new PendingMessages(ME).queue(BUCKET, m);
    const reloaded = new PendingMessages(ME);
    expect(reloaded.queuedIn(BUCKET)).toEqual([m]);
    expect(reloaded.count()).toBe(1);
  });
});
