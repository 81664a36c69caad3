import { appendMessage } from '#schema/docs/bucket';
import type { Attachment, Message } from '#schema/docs/message';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket } from '#schema/docs/roomHead';
import { newMessageId, type RoomId, type UserId } from '#schema/ids';
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

/** What one forwarded message carries: its words and, if it had one, its file. */
export interface ForwardedContent {
  text: string;
  attachment?: Attachment;
}

/**
 * Sends each of `contents`, in order, as a new message marked forwarded to each chat in
 * `to`, as if written there: appended to the bucket the chat's local head names (an
 * older one if this device is behind, which readers accept), pending until the server
 * stores it, the chat's messages in one change so they arrive together and in order.
 * Text alone works offline like any message; a file needs the server to make its copy
 * for each chat first (nothing is uploaded again), and one it refuses is left out.
 * Resolves to what to tell the person when a file could not be forwarded, or null.
 */
export async function forwardMessages(replicas: ReplicaManager, pending: PendingMessages, me: UserId, contents: readonly ForwardedContent[], to: readonly RoomId[]): Promise<string | null> {
  let problem: string | null = null;
  for (const roomId of to) {
    const ready: ForwardedContent[] = [];
    for (const content of contents) {
      if (!content.attachment) {
        ready.push(content);
        continue;
      }
      try {
        const copy = await forwardFile(content.attachment, roomId);
        // A voice note's length is the sender's measure, carried by the message, not the server's record.
        ready.push({ text: content.text, attachment: content.attachment.duration !== undefined ? { ...copy, duration: content.attachment.duration } : copy });
      } catch (error) {
        problem = error instanceof ApiError ? `The file could not be forwarded: ${error.message}` : 'The file could not be forwarded.';
      }
    }
    if (ready.length === 0) continue;
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
    const now = Date.now();
    const messages: Message[] = ready.map((content, i) => ({
      id: newMessageId(),
      authorId: me,
      createdAt: now + i,
      text: content.text,
      forwarded: true,
      ...(content.attachment ? { attachment: content.attachment } : {}),
    }));
    for (const message of messages) pending.add(bucket, message);
    await replicas.change(bucket, (doc) => {
      for (const message of messages) appendMessage(doc, message);
    });
  }
  return problem;
}
