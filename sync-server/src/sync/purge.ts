import { isTransactionOrigin, type Extension, type Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { Store } from '../store/db/store';
import { onMessageTextChanged } from '#schema/docs/bucket';
import { deletedAttachments, messagesToPurge, purgeMessage } from '#schema/docs/bucketPurge';
import { onPreviewRewritten } from '#schema/docs/inbox';
import { inboxDoc, parseDocName } from '#schema/docs/names';
import type { MessageId } from '#schema/ids';
import { SERVER_CONNECTION, writeLoadedDoc } from '../store/serverWrites';
import { mergeForSnapshot } from '../store/rows';
import { SerialQueue } from './serialQueue';

/**
 * Deleted must mean deleted. When a client's change deletes a message for everyone or
 * edits it, the server replaces the stored message object in place with a copy
 * holding only what the chat still shows (`purgeMessage`: a tombstone, or the latest
 * edit) — one server write, broadcast like any change, so every replica that syncs
 * drops the hidden text, and members added later never receive it. Then it compacts
 * the bucket at once: the log rows that carried the text fold into a snapshot
 * re-encoded from a garbage-collected doc, which keeps only the deleted item's length.
 * The chat list's preview of that message lives in members' inboxes: each member's
 * inbox is compacted after a purge (a preview overwritten by newer messages is still in
 * its log rows), and again whenever projections rewrite a preview of the same message.
 *
 * Only changes from a client connection of this node are purged here (with several
 * nodes, the one that received the change does it); a bucket also purges on load what
 * its overlays hide and was never purged (a crash between the client's change and the
 * purge, or history from before purging existed). Each purge re-checks the message
 * under the doc's store lock after catching up with the log, so two nodes never
 * replace the same message twice.
 */
export function purgeExtension(deps: {
  store: Store;
  instance: () => Hocuspocus;
  log: (error: unknown, what: string) => void;
  /** Files of messages deleted for everyone: no longer served (`files/fileLifecycle.ts`). */
  retireFiles?: (fileIds: readonly string[]) => Promise<void>;
}): Extension {
  const queue = new SerialQueue((error, key) => deps.log(error, `purge ${key}`));

  /** Message ids waiting for their doc's next purge: a burst of edits costs one purge and one compaction, not one each. */
  const waiting = new Map<string, Set<MessageId>>();
  /** Inboxes with a compaction queued and not started: asking again adds nothing. */
  const compactionQueued = new Set<string>();

  function schedule(documentName: string, id: MessageId): void {
    const ids = waiting.get(documentName);
    if (ids) {
      ids.add(id);
      return;
    }
    waiting.set(documentName, new Set([id]));
    void queue.run(documentName, async () => {
      const taken = [...(waiting.get(documentName) ?? [])];
      waiting.delete(documentName);
      await purge(documentName, taken);
    });
  }

  function scheduleCompaction(documentName: string): void {
    if (compactionQueued.has(documentName)) return;
    compactionQueued.add(documentName);
    void queue.run(documentName, async () => {
      compactionQueued.delete(documentName);
      await compact(documentName);
    });
  }

  /** Replaces `ids` in `doc` through the log (under the doc's store lock), then folds the log into a GC'd snapshot. */
  async function purgeIn(doc: Y.Doc, documentName: string, ids: readonly MessageId[]): Promise<void> {
    // Before the purge drops the attachment from the message: a crash in between leaves the
    // deletion to purge again on load, which finds the file again.
    const fileIds = deps.retireFiles ? deletedAttachments(doc, ids) : [];
    if (fileIds.length > 0) await deps.retireFiles!(fileIds).catch((error: unknown) => deps.log(error, `retiring files of ${documentName}`));
    let purged = 0;
    // The whole log is read under the lock: what another process logged is applied before deciding (neither logged nor purged again).
    await writeLoadedDoc(deps.store, documentName, doc, () => {
      for (const id of ids) if (purgeMessage(doc, id)) purged++;
    });
    if (purged === 0) return;
    // The rows that carried the text are still in the log: fold them into a GC'd snapshot now, not at the next debounced store.
    await deps.store.compact(documentName, mergeForSnapshot);
    void queue.run(`${documentName}#previews`, () => forgetPreviews(documentName));
  }

  /**
   * While it was a chat's latest message, its preview went into every member's chat
   * index; newer messages overwrote it, but the inbox's log rows still hold it. O(members)
   * compactions per purge: edits and deletions are rare next to messages.
   */
  async function forgetPreviews(documentName: string): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== 'bucket') return;
    const members = ref.room.kind === 'dm' ? ref.room.members : (await deps.store.getRoomMembers(ref.room.id)).map((m) => m.userId);
    for (const userId of members) scheduleCompaction(inboxDoc(userId));
  }

  async function compact(documentName: string): Promise<void> {
    // The change that called for this is applied in memory just before its row commits:
    // the store's compaction waits for that commit under the doc's write lock, so no
    // "anything to fold?" check may run before it (it could see the log still empty).
    await deps.store.compact(documentName, mergeForSnapshot);
  }

  async function purge(documentName: string, ids: readonly MessageId[]): Promise<void> {
    const connection = await deps.instance().openDirectConnection(documentName, SERVER_CONNECTION);
    try {
      await purgeIn(connection.document!, documentName, ids);
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  return {
    extensionName: 'purge',
    // After projections (50), whose bucket observers are then in place: they ignore the purge (not a client's change).
    priority: 40,

    async afterLoadDocument({ documentName, document }) {
      const kind = parseDocName(documentName)?.kind;
      if (kind === 'inbox') {
        // Projections rewrote a chat's preview for an edit or a deletion: the old words are in the inbox's log rows.
        onPreviewRewritten(document, (origin) => {
          if (isTransactionOrigin(origin) && origin.source === 'local') scheduleCompaction(documentName);
        });
        return;
      }
      if (kind !== 'bucket') return;
      onMessageTextChanged(document, (messageId, _shown, origin) => {
        if (isTransactionOrigin(origin) && origin.source === 'connection') schedule(documentName, messageId);
      });
      // Before anyone is served the doc (Hocuspocus awaits this hook), so the text is never sent out again.
      const pending = messagesToPurge(document);
      if (pending.length === 0) return;
      try {
        await purgeIn(document, documentName, pending);
      } catch (error) {
        // The doc is still served as stored; its next load tries again.
        deps.log(error, `purge ${documentName} on load`);
      }
    },

    async onDestroy() {
      await queue.idle();
    },
  };
}
