import { isTransactionOrigin, type Extension } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Store } from '../../../schema/db/store';
import { isLoggedServerWrite } from './context';

/**
 * Whether applying `update` would change nothing: it has no deletions and every struct
 * is one the doc already holds — a client syncing with nothing new, or the same
 * message forwarded by a second tab. Costs O(update). Updates with deletions are
 * always logged (telling whether they are new would cost lookups per range).
 */
function addsNothing(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  if (ds.clients.size > 0) return false;
  return structs.every((struct) => struct.id.clock + struct.length <= Y.getState(doc.store, struct.id.client));
}

/** Snapshot + rows → one garbage-collected update: loading a doc and re-encoding drops deleted content. */
export function mergeForSnapshot(snapshot: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.mergeUpdates(snapshot ? [snapshot, ...updates] : updates));
  const merged = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return merged;
}

/**
 * Design §5: every accepted client update is appended to the log in `beforeSync`,
 * which Hocuspocus awaits before it applies, broadcasts or acknowledges the update —
 * so the provider's "synced" means "durable". It runs after the guard (lower
 * priority), so a refused update is never logged. Server-side writes (chat index,
 * head rollover) are appended by `Store.writeDoc` (see projections.ts); any other
 * server-side change is appended from `onChange`; updates relayed by Redis are logged by
 * the node that received them. A doc loads as its snapshot plus later rows, and is
 * compacted once enough rows gather.
 */
export function persistenceExtension(deps: { store: Store; compactAfterUpdates: number }): Extension {
  const serverWrites = new Map<string, Promise<void>>();

  return {
    extensionName: 'persistence',
    priority: 100,

    async onLoadDocument({ documentName, document }) {
      const { snapshot, updates } = await deps.store.loadDoc(documentName);
      const parts = snapshot ? [snapshot, ...updates] : updates;
      if (parts.length > 0) Y.applyUpdate(document, Y.mergeUpdates(parts));
    },

    async beforeSync({ type, payload, connection, document, documentName }) {
      // 0 is sync step 1 (a state vector); 1 and 2 carry updates. Read-only connections' updates are dropped.
      if ((type !== 1 && type !== 2) || connection.readOnly) return;
      // Only what the doc lacks: clocks it holds change nothing live (Yjs skips them), but
      // a re-sent clock with other content would compete with the original when the log
      // is merged on load, and could win.
      const novel = Y.diffUpdate(payload, Y.encodeStateVector(document));
      if (addsNothing(document, novel)) return;
      await deps.store.appendUpdate(documentName, novel);
    },

    async onChange({ transactionOrigin, update, documentName }) {
      if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source !== 'local') return;
      if (isLoggedServerWrite(transactionOrigin)) return;
      const previous = serverWrites.get(documentName) ?? Promise.resolve();
      const next = previous.then(() => deps.store.appendUpdate(documentName, update));
      serverWrites.set(documentName, next);
      try {
        await next;
      } finally {
        if (serverWrites.get(documentName) === next) serverWrites.delete(documentName);
      }
    },

    async onStoreDocument({ documentName }) {
      await serverWrites.get(documentName);
      if ((await deps.store.countUpdates(documentName)) >= deps.compactAfterUpdates) {
        await deps.store.compact(documentName, mergeForSnapshot);
      }
    },
  };
}
