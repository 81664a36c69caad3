import { appendMessage } from '../../../schema/docs/bucket';
import type { Message } from '../../../schema/docs/message';
import { bucketDoc, roomHeadDoc } from '../../../schema/docs/names';
import { headBucket } from '../../../schema/docs/roomHead';
import { newMessageId, type RoomId, type UserId } from '../../../schema/ids';
import type { ReplicaManager } from '../sync/replicaManager';
import type { PendingMessages } from './pendingMessages';

/** How long forwarding waits for a chat's head from the server before using the local copy. */
const HEAD_SYNC_WAIT_MS = 3_000;

/**
 * Sends each of `texts`, in order, as a new message marked forwarded to each chat in `to`, as if written
 * there: appended to the bucket the chat's local head names (an older one if this
 * device is behind, which readers accept), pending until the server stores it. Works
 * offline like any message; the replicas stay open until they have synced.
 */
export async function forwardMessages(replicas: ReplicaManager, pending: PendingMessages, me: UserId, texts: readonly string[], to: readonly RoomId[]): Promise<void> {
  for (const roomId of to) {
    const headName = roomHeadDoc(roomId);
    const replica = replicas.open(headName);
    let head: number;
    try {
      await replica.whenLoaded;
      // A head this device has never synced would name bucket 0 and put the message at the top
      // of a long history: online, wait (briefly) for the server's copy first.
      if (replicas.status() === 'connected') await Promise.race([replica.whenSynced, new Promise((resolve) => setTimeout(resolve, HEAD_SYNC_WAIT_MS))]);
      head = headBucket(replica.doc);
    } finally {
      replicas.release(headName);
    }
    const bucket = bucketDoc(roomId, head);
    // One change per chat: the messages arrive together and in order.
    const now = Date.now();
    const messages: Message[] = texts.map((text, i) => ({ id: newMessageId(), authorId: me, createdAt: now + i, text, forwarded: true }));
    for (const message of messages) pending.add(bucket, message);
    await replicas.change(bucket, (doc) => {
      for (const message of messages) appendMessage(doc, message);
    });
  }
}
