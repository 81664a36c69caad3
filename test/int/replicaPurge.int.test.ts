import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LocalMessageIndex } from '../../client/src/search/localMessageIndex';
import { searchMessages } from '../../client/src/search/searchMessages';
import { localDbName, Replica } from '../../client/src/sync/replica';
import { TabChannel } from '../../client/src/sync/tabChannel';
import { SESSION_COOKIE } from '#schema/api/auth';
import { appendMessage, deleteForEveryone, DELETED_MESSAGE_TEXT, editMessage, readShownMessages } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, type DocName } from '#schema/docs/names';
import type { TestUser } from '../helpers/api';
import { message, startDm } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const secret = (what: string) => `${what}-${randomBytes(8).toString('hex')}`;

/** Every row y-indexeddb keeps for a replica, read straight from IndexedDB. */
function storedRows(userId: string, name: DocName): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(localDbName(userId, name));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('updates', 'readonly').objectStore('updates').getAll();
      request.onsuccess = () => {
        db.close();
        resolve(request.result as Uint8Array[]);
      };
      request.onerror = () => reject(request.error);
    };
  });
}

const holds = (rows: readonly Uint8Array[], text: string) => rows.some((row) => Buffer.from(row).includes(Buffer.from(text, 'utf8')));

/**
 * The browser app's own replica (`client/src/sync/replica.ts`: Y.Doc + y-indexeddb +
 * provider on a shared socket), here over fake-indexeddb, signed in by the session
 * cookie as in a browser.
 */
function device(wsUrl: string, user: TestUser) {
  class CookieWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie: `${SESSION_COOKIE}=${user.token}` } });
      this.on('error', () => {});
    }
  }
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: CookieWebSocket as never, delay: 50, minDelay: 20, maxDelay: 500 });
  const tabs = new TabChannel(user.id);
  const replicas: Replica[] = [];
  // As the replica manager does: a purged bucket has the user's inbox rewritten too.
  const events = { refused: () => {}, unsent: () => {}, flushed: () => {}, caughtUp: () => {}, purged: () => replicas.find((r) => r.name === inboxDoc(user.id))?.forgetOldContent() };
  return {
    open(name: DocName): Replica {
      const replica = new Replica(name, user.id, { socket, tabs, events, carriesUnsent: false });
      replicas.push(replica);
      return replica;
    },
    async close() {
      await Promise.all(replicas.map((r) => r.destroy()));
      tabs.close();
      socket.destroy();
    },
  };
}

describe("a device's replica after a purge", async () => {
  const server = await startServer();
  afterAll(() => server.close());

  it('holds no trace in IndexedDB of a message deleted for everyone or of an edited text, open or opened later', async () => {
    const { alice, bob, room, aBucket } = await startDm(server);
    const name = bucketDoc(room, 0);
    const phone = device(server.wsUrl, bob);
    const deleted = message(alice.id, secret('my pin is'));
    const edited = message(alice.id, secret('see you at noon'));
    const latest = secret('see you at one');
    const kept = message(alice.id, 'bring snacks');

    const open = phone.open(name);
    const inbox = phone.open(inboxDoc(bob.id));
    await Promise.all([open.whenSynced, inbox.whenSynced]);
    appendMessage(aBucket.doc, deleted);
    await waitFor(async () => holds(await storedRows(bob.id, inboxDoc(bob.id)), deleted.text), { what: "the chat list's preview to be stored" });
    appendMessage(aBucket.doc, edited);
    appendMessage(aBucket.doc, kept);
    await waitFor(async () => holds(await storedRows(bob.id, name), deleted.text) && holds(await storedRows(bob.id, name), edited.text), {
      what: 'the messages to be stored on the device',
    });
    const index = new LocalMessageIndex(bob.id);
    await index.refresh();
    expect(searchMessages(deleted.text, index.all()).total).toBe(1);

    // While the chat is open.
    deleteForEveryone(aBucket.doc, deleted.id, alice.id, Date.now());
    await waitFor(async () => !holds(await storedRows(bob.id, name), deleted.text), { what: 'the deleted text to leave IndexedDB' });
    // Newer messages had overwritten its preview in the chat list, but the inbox's rows held it.
    await waitFor(async () => !holds(await storedRows(bob.id, inboxDoc(bob.id)), deleted.text), { what: 'the old preview to leave IndexedDB' });
    // The chat list previewed it (as the last message, before the next ones came) only while it was the last one.
    await waitFor(() => readChats(inbox.doc)[0]?.lastMessage?.id === kept.id, { what: "Bob's chat list" });
    expect(readShownMessages(open.doc).map((m) => [m.id, m.deleted])).toEqual([
      [deleted.id, true],
      [edited.id, false],
      [kept.id, false],
    ]);
    await open.destroy();

    // The chat list's preview: a last message deleted for everyone leaves the inbox's rows too.
    const last = message(alice.id, secret('last words'));
    appendMessage(aBucket.doc, last);
    await waitFor(async () => holds(await storedRows(bob.id, inboxDoc(bob.id)), last.text), { what: 'the preview to be stored on the device' });
    deleteForEveryone(aBucket.doc, last.id, alice.id, Date.now());
    await waitFor(() => readChats(inbox.doc)[0]?.lastMessage?.preview === DELETED_MESSAGE_TEXT, { what: 'the preview to show the deletion' });
    await waitFor(async () => !holds(await storedRows(bob.id, inboxDoc(bob.id)), last.text), { what: 'the preview to leave IndexedDB' });

    // While it is closed: the purge arrives when the chat is next opened.
    editMessage(aBucket.doc, edited.id, latest, Date.now());
    await waitFor(async () => (await server.store.loadDoc(name)).snapshot !== null && !holds((await server.store.loadDoc(name)).updates, edited.text), {
      what: 'the server to purge the edit',
    });
    expect(holds(await storedRows(bob.id, name), edited.text)).toBe(true);
    const reopened = phone.open(name);
    await reopened.whenSynced;
    await waitFor(async () => !holds(await storedRows(bob.id, name), edited.text), { what: 'the edited text to leave IndexedDB' });
    const rows = await storedRows(bob.id, name);
    expect(holds(rows, latest)).toBe(true);
    expect(holds(rows, kept.text)).toBe(true);
    expect(readShownMessages(reopened.doc).find((m) => m.id === edited.id)).toMatchObject({ text: latest, editedText: latest, edited: true });

    // Search reads IndexedDB again and keeps nothing of either text in memory.
    await index.refresh();
    const indexed = JSON.stringify(index.all());
    expect(indexed).not.toContain(deleted.text);
    expect(indexed).not.toContain(edited.text);
    expect(searchMessages(latest, index.all()).total).toBe(1);
    await phone.close();
  });
});
