import type { Extension } from '@hocuspocus/server';

/**
 * Keeps a document from being unloaded under someone who is opening it.
 *
 * Hocuspocus (4.7) unloads a document by checking that nobody is connected, running
 * `beforeUnloadDocument`, checking again, then dropping the document and destroying it.
 * An opener (a client's doc connection, or the server's direct connection for a server
 * write) looks the document up and attaches to it a few microtasks later. When the last
 * check falls between the two, the opener attaches to the dropped copy: a client is
 * synced from it and then hears nothing, a server write through it reaches nobody, and
 * when that connection closes, Hocuspocus unloads by name, dropping the copy everyone
 * else is on. In a full test run it showed as a new group's first message that one
 * member never received (until a reload).
 *
 * Waiting one macrotask here lets every opener already past its look-up attach before
 * the last check, which then keeps the document; anyone who looks it up after the
 * check gets a fresh copy. The Redis extension waits the same way (`disconnectDelay`),
 * so only a single node was exposed. `test/int/docUnloadRace.int.test.ts` opens a
 * document at every point of an unload.
 */
export function docUnloadsExtension(): Extension {
  return {
    extensionName: 'docUnloads',
    async beforeUnloadDocument() {
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
