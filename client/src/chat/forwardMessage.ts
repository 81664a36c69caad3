import { appendMessage } from '../../../schema/docs/bucket';
import type { Attachment, Message } from '../../../schema/docs/message';
import { bucketDoc, roomHeadDoc } from '../../../schema/docs/names';
import { headBucket } from '../../../schema/docs/roomHead';
import { newMessageId, type RoomId, type UserId } from '../../../schema/ids';
import { ApiError, apiRequest } from '../api/apiRequest';
import type { ReplicaManager } from '../sync/replicaManager';
import type { PendingMessages } from '../sync/outbox';

/** How long forwarding waits for a chat's head from the server before using the local copy. */
const HEAD_SYNC_WAIT_MS = 3_000;

/**
 * The server's copy of a file for another chat (`POST /api/files/:id/forward`): the
 * same stored bytes under a new id that the target chat's guard accepts from `me`.
 */
function forwardFile(attachment: Attachment, roomId: RoomId): Promise<Attachment> {
  return apiRequest<{ attachment: Attachment }>('POST', `/files/${encodeURIComponent(attachment.fileId)}/forward`, { roomId }).then((r) => r.attachment);
}

/**
 * Sends `text` (and the message's file, if any) as a new message, marked forwarded, to
 * each chat in `to`, as if written there: appended to the bucket the chat's local head
 * names (an older one if this device is behind, which readers accept), pending until
 * the server stores it. Text alone works offline like any message; a file needs the
 * server to make its copy for each chat first (nothing is uploaded again). Resolves to
 * what to tell the person when a file could not be forwarded, or null.
 */
export async function forwardMessage(
  replicas: ReplicaManager,
  pending: PendingMessages,
  me: UserId,
  content: { text: string; attachment?: Attachment },
  to: readonly RoomId[],
): Promise<string | null> {
  let problem: string | null = null;
  for (const roomId of to) {
    let attachment: Attachment | undefined;
    if (content.attachment) {
      try {
        const copy = await forwardFile(content.attachment, roomId);
        // A voice note's length is the sender's measure, carried by the message, not the server's record.
        attachment = content.attachment.duration !== undefined ? { ...copy, duration: content.attachment.duration } : copy;
      } catch (error) {
        problem = error instanceof ApiError ? `The file could not be forwarded: ${error.message}` : 'The file could not be forwarded.';
        continue;
      }
    }
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
    const message: Message = { id: newMessageId(), authorId: me, createdAt: Date.now(), text: content.text, forwarded: true, ...(attachment ? { attachment } : {}) };
    pending.add(bucket, message);
    await replicas.change(bucket, (doc) => appendMessage(doc, message));
  }
  return problem;
}
