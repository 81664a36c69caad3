import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { inboxDoc } from '#schema/docs/names';
import { LogPositions } from '../../sync-server/src/store/logPositions';
import { ServerWrites } from '../../sync-server/src/store/serverWrites';
import { message, startDm } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/**
 * Bob is in a chat but does not have his chat index open (he is on another node, or
 * offline): only the projections of Alice's messages open it, on the server. Alice sends
 * a message, the index is stored (Hocuspocus' debounce after its last change), and she
 * sends another. Returns how often the server loaded Bob's index from the store, and
 * whether it was still loaded once stored.
 */
async function loadsOfAnIndexOnlyTheServerOpens(server: TestServer): Promise<{ loads: number; loadedAfterStore: boolean }> {
  const { alice, bob, room, aBucket } = await startDm(server);
  const name = inboxDoc(bob.id);
  let loads = 0;
  const loadDoc = server.store.loadDoc.bind(server.store);
  server.store.loadDoc = (docName) => {
    if (docName === name) loads++;
    return loadDoc(docName);
  };
  const count = () => {
    const inbox = server.hocuspocus.documents.get(name);
    return inbox ? (readChatEntry(inbox, room)?.count ?? 0) : 0;
  };
  appendMessage(aBucket.doc, message(alice.id, 'one'));
  await waitFor(() => count() === 1, { what: 'the first message in Bob’s chat index' });
  await waitFor(() => !server.hocuspocus.debouncer.isDebounced(`onStoreDocument-${name}`) && !server.hocuspocus.debouncer.isCurrentlyExecuting(`onStoreDocument-${name}`), {
    what: 'Bob’s chat index to be stored',
    timeoutMs: 10_000,
  });
  // Hocuspocus unloads a doc nobody holds once it is stored, a macrotask later.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const loadedAfterStore = server.hocuspocus.documents.has(name);
  appendMessage(aBucket.doc, message(alice.id, 'two'));
  await waitFor(() => count() === 2, { what: 'the second message in Bob’s chat index' });
  return { loads, loadedAfterStore };
}

/** Counts the server's direct connections to `docName` from now on. */
function countDirectOpens(server: TestServer, docName: string): () => number {
  let opens = 0;
  const open = server.hocuspocus.openDirectConnection.bind(server.hocuspocus);
  server.hocuspocus.openDirectConnection = (name, context) => {
    if (name === docName) opens++;
    return open(name, context);
  };
  return () => opens;
}

describe('documents the server itself opens', () => {
  it('keeps a chat index that only projections open loaded after it is stored, so the next projection does not load it again, and lets it go after the hold', async () => {
    const server = await startServer({ env: { JECO_SERVER_DOC_HOLD_MS: '4000' } });
    const { loads, loadedAfterStore } = await loadsOfAnIndexOnlyTheServerOpens(server);
    expect(loadedAfterStore).toBe(true);
    // Loaded by the first projection only.
    expect(loads).toBe(1);
    const name = [...server.hocuspocus.documents.keys()].find((n) => n.startsWith('inbox/'));
    expect(name).toBeDefined();
    // Let go 4 s after the server last opened it, then stored and unloaded as any doc nobody holds.
    await waitFor(() => !server.hocuspocus.documents.has(name!), { what: 'the chat index to be unloaded after the hold', timeoutMs: 15_000 });
  });

  it('without the hold, loads that chat index again for the projection after each store', async () => {
    const server = await startServer({ env: { JECO_SERVER_DOC_HOLD_MS: '0' } });
    const { loads, loadedAfterStore } = await loadsOfAnIndexOnlyTheServerOpens(server);
    expect(loadedAfterStore).toBe(false);
    expect(loads).toBe(2);
  });

  it('lends a held chat index to each projection instead of opening a connection apiece', async () => {
    const server = await startServer({ env: { JECO_SERVER_DOC_HOLD_MS: '4000' } });
    const { alice, bob, room, aBucket } = await startDm(server);
    const name = inboxDoc(bob.id);
    const opens = countDirectOpens(server, name);
    const count = () => {
      const inbox = server.hocuspocus.documents.get(name);
      return inbox ? (readChatEntry(inbox, room)?.count ?? 0) : 0;
    };
    for (const [i, text] of ['one', 'two', 'three'].entries()) {
      appendMessage(aBucket.doc, message(alice.id, text));
      await waitFor(() => count() === i + 1, { what: `message ${i + 1} in Bob’s chat index` });
    }
    // Three projections wrote it: one connection, the hold's.
    expect(opens()).toBe(1);
    expect(server.hocuspocus.documents.get(name)?.getConnectionsCount()).toBe(1);
  });

  it('keeps a doc lent to an open loaded past the end of its hold, and lets it go once that open is done', async () => {
    // The server's own writes hold nothing: only this test's do.
    const server = await startServer({ env: { JECO_SERVER_DOC_HOLD_MS: '0' } });
    const { bob } = await startDm(server);
    const name = inboxDoc(bob.id);
    // The server's own projections may open the doc meanwhile: only these writes' connections are counted.
    let opened = 0;
    const opens = () => opened;
    const instance = Object.create(server.hocuspocus, {
      openDirectConnection: {
        value: (docName: string, context: object) => {
          opened++;
          return server.hocuspocus.openDirectConnection(docName, context);
        },
      },
    }) as typeof server.hocuspocus;
    const writes = new ServerWrites({ store: server.store, positions: new LogPositions(), instance: () => instance, holdMs: 100 });
    const [first, second, third] = await Promise.all([writes.open(name), writes.open(name), writes.open(name)]);
    expect(opens()).toBe(1);
    expect(second!.document).toBe(first!.document);
    expect(third!.document).toBe(first!.document);
    await second!.disconnect();
    await third!.disconnect();
    await third!.disconnect();
    // The hold ended 100 ms after the last open; the first open still uses the doc.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const document = server.hocuspocus.documents.get(name);
    expect(document).toBe(first!.document);
    expect(document?.getConnectionsCount()).toBe(1);
    // An open now starts a hold of its own.
    const fourth = await writes.open(name);
    expect(opens()).toBe(2);
    expect(fourth.document).toBe(document);
    await first!.disconnect();
    await fourth.disconnect();
    await waitFor(() => !server.hocuspocus.documents.has(name), { what: 'the chat index to be unloaded once nobody uses it', timeoutMs: 15_000 });
  });
});
