import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newMessageId, type UserId } from '../ids';
import { messagesToPurge, onMessagesRemoved, purgedCopy, purgeMessage } from './bucketPurge';
import { appendMessage, BUCKET, deleteForEveryone, editMessage, readMessages, readShownMessages } from './bucket';
import type { Message } from './message';

const ALICE = '00000000-0000-4000-8000-00000000a11c' as UserId;
const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;

function message(text: string, extra: Partial<Message> = {}): Message {
  return { id: newMessageId(), authorId: ALICE, createdAt: 1_700_000_000_000, text, ...extra };
}

const holds = (doc: Y.Doc, text: string) => Buffer.from(Y.encodeStateAsUpdate(doc)).includes(Buffer.from(text));
const ids = (doc: Y.Doc) => readMessages(doc).map((m) => m.id);
const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));

describe('purgedCopy', () => {
  it('keeps only id, author and time of a message deleted for everyone', () => {
    const m = message('secret', { replyTo: newMessageId(), mentions: [BOB], attachment: { fileId: 'f', name: 'a.png', mime: 'image/png', size: 1 } });
    expect(purgedCopy(m, { deleted: true })).toEqual({ id: m.id, authorId: ALICE, createdAt: m.createdAt, text: '', deleted: true });
  });

  it('keeps an edited message with only its latest text; deletion wins over an edit', () => {
    const m = message('first', { mentions: [BOB] });
    expect(purgedCopy(m, { deleted: false, editedText: 'second' })).toEqual({ ...m, text: 'second' });
    expect(purgedCopy(m, { deleted: true, editedText: 'second' })).toMatchObject({ text: '', deleted: true });
  });

  it('has nothing to purge in a purged copy, an unchanged message or a system line', () => {
    const m = message('same');
    expect(purgedCopy({ ...m, text: '', deleted: true }, { deleted: true })).toBeNull();
    expect(purgedCopy(m, { deleted: false, editedText: 'same' })).toBeNull();
    expect(purgedCopy(m, { deleted: false })).toBeNull();
    expect(purgedCopy({ ...m, event: { type: 'created', name: 'Trip' } }, { deleted: true })).toBeNull();
  });
});

describe('purgeMessage', () => {
  it('replaces a message inside a multi-message item in place: every index stays, the text leaves the encoded state', () => {
    const server = new Y.Doc();
    const messages = [message('one'), message('two secret'), message('three')];
    server.getArray(BUCKET.messages).push(messages);
    const replica = new Y.Doc();
    sync(server, replica);
    const before = ids(server);

    deleteForEveryone(server, messages[1]!.id, ALICE, 1);
    expect(holds(server, 'two secret')).toBe(true);
    expect(purgeMessage(server, messages[1]!.id)).toBe(true);
    expect(holds(server, 'two secret')).toBe(false);
    expect(ids(server)).toEqual(before);
    expect(readShownMessages(server).map((m) => m.deleted)).toEqual([false, true, false]);

    sync(server, replica);
    expect(ids(replica)).toEqual(before);
    expect(holds(replica, 'two secret')).toBe(false);
    // Purging again changes nothing.
    expect(purgeMessage(server, messages[1]!.id)).toBe(false);
  });

  it('keeps the next append after the copy when the last message is purged', () => {
    const server = new Y.Doc();
    const last = message('last words');
    appendMessage(server, message('first'));
    appendMessage(server, last);
    const replica = new Y.Doc();
    sync(server, replica);
    editMessage(server, last.id, 'better words', 1);
    purgeMessage(server, last.id);
    sync(server, replica);
    const next = message('next');
    appendMessage(replica, next);
    sync(replica, server);
    for (const doc of [server, replica]) {
      expect(ids(doc)).toEqual([ids(doc)[0], last.id, next.id]);
      expect(readMessages(doc)[1]!.text).toBe('better words');
      expect(holds(doc, 'last words')).toBe(false);
    }
  });

  it('keeps a reply written by someone who had not seen the purge after the copy, whatever the client ids', () => {
    for (const serverClient of [1, 2 ** 31]) {
      const server = new Y.Doc();
      server.clientID = serverClient;
      const doomed = message('doomed');
      appendMessage(server, message('first'));
      appendMessage(server, doomed);
      const offline = new Y.Doc();
      offline.clientID = 1000;
      sync(server, offline);
      deleteForEveryone(server, doomed.id, ALICE, 1);
      purgeMessage(server, doomed.id);
      const reply = { ...message('reply'), authorId: BOB };
      appendMessage(offline, reply);
      sync(offline, server);
      sync(server, offline);
      for (const doc of [server, offline]) expect(ids(doc).slice(1)).toEqual([doomed.id, reply.id]);
    }
  });
});

describe('purgeMessage of an edited message deleted for everyone', () => {
  it('drops its edit too, also one written after the deletion', () => {
    const doc = new Y.Doc();
    const m = message('original');
    appendMessage(doc, m);
    editMessage(doc, m.id, 'edited words', 1);
    purgeMessage(doc, m.id);
    deleteForEveryone(doc, m.id, ALICE, 2);
    expect(messagesToPurge(doc)).toEqual([m.id]);
    expect(purgeMessage(doc, m.id)).toBe(true);
    expect(doc.getMap(BUCKET.edits).has(m.id)).toBe(false);
    expect(holds(doc, 'edited words')).toBe(false);
    expect(holds(doc, 'original')).toBe(false);
    expect(readShownMessages(doc)[0]).toMatchObject({ text: '', deleted: true, edited: false });

    editMessage(doc, m.id, 'written after', 3);
    expect(messagesToPurge(doc)).toEqual([m.id]);
    purgeMessage(doc, m.id);
    expect(holds(doc, 'written after')).toBe(false);
    expect(messagesToPurge(doc)).toEqual([]);
  });
});

describe('messagesToPurge', () => {
  it('lists the messages whose stored content an overlay hides, and nothing once purged', () => {
    const doc = new Y.Doc();
    const [a, b, c] = [message('a'), message('b'), message('c')];
    for (const m of [a, b, c]) appendMessage(doc, m);
    deleteForEveryone(doc, a.id, ALICE, 1);
    editMessage(doc, b.id, 'b2', 1);
    editMessage(doc, c.id, 'c', 1);
    expect(messagesToPurge(doc).sort()).toEqual([a.id, b.id].sort());
    doc.transact(() => messagesToPurge(doc).forEach((id) => purgeMessage(doc, id)));
    expect(messagesToPurge(doc)).toEqual([]);
  });
});

describe('onMessagesRemoved', () => {
  it('fires for a purge received or loaded over the original, not for a compacted state', () => {
    const server = new Y.Doc();
    const m = message('secret');
    const rows: Uint8Array[] = [];
    server.on('update', (u: Uint8Array) => rows.push(u));
    appendMessage(server, m);
    const replica = new Y.Doc();
    sync(server, replica);
    let fired = 0;
    onMessagesRemoved(replica, () => fired++);
    deleteForEveryone(server, m.id, ALICE, 1);
    purgeMessage(server, m.id);
    sync(server, replica);
    expect(fired).toBe(1);

    // A replica loading the old rows and the purge in one go (its stored copy was never rewritten).
    const loading = new Y.Doc();
    let onLoad = 0;
    onMessagesRemoved(loading, () => onLoad++);
    loading.transact(() => rows.forEach((row) => Y.applyUpdate(loading, row)));
    expect(onLoad).toBe(1);

    // A replica loading the rewritten state: nothing left to forget.
    const compacted = new Y.Doc();
    let onCompacted = 0;
    onMessagesRemoved(compacted, () => onCompacted++);
    Y.applyUpdate(compacted, Y.encodeStateAsUpdate(replica));
    expect(onCompacted).toBe(0);
    expect(holds(compacted, 'secret')).toBe(false);
  });
});
