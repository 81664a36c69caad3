import { createMemo, createSignal, type Accessor } from 'solid-js';
import { deleteForEveryone, editMessage, readShownMessages, setReaction, type ShownMessage } from '#schema/docs/bucket';
import type { Attachment, LinkPreview, Message } from '#schema/docs/message';
import { bucketDoc, parseDocName, type DocName } from '#schema/docs/names';
import type { Position } from '#schema/docs/receipts';
import { headBucket } from '#schema/docs/roomHead';
import { newMessageId, type MessageId, type RoomId, type UserId } from '#schema/ids';
import { docList, docSignal } from '../sync/docBindings';
import type { Replica } from '../sync/replica';
import type { ReplicaManager } from '../sync/replicaManager';
import { sameNames, useReplicas } from '../sync/replicaScope';
import { serverNow } from '../time/serverClock';
import type { PendingMessages } from '../sync/outbox';

function bucketNumberOf(name: DocName): number {
  const ref = parseDocName(name);
  return ref?.kind === 'bucket' ? ref.bucket : 0;
}

const NOTHING_SHOWN: ShownMessage['reactions'] = new Map();

/** A message waiting in the outbox, shown as written: no edits, reactions or deletion can reach it before it is appended. */
function asShown(message: Message): ShownMessage {
  return { ...message, edited: false, deleted: false, reactions: NOTHING_SHOWN };
}

/** Buckets opened with a chat: the head and the one before, so a just-rolled-over head still shows recent history. */
const RECENT_BUCKETS = 2;

interface OpenBucket {
  replica: Replica;
  number: number;
  messages: ShownMessage[];
}

/**
 * A room's messages across its buckets, oldest first: the newest buckets are opened
 * with the chat and older ones by {@link loadOlder} (scrolling to the top). New
 * messages go to the head bucket, wherever the server has moved it.
 */
export function useRoomMessages(
  replicas: ReplicaManager,
  pending: PendingMessages,
  roomId: RoomId,
  head: Replica,
  me: UserId,
  /** For someone who left the group or was removed: the bucket of the line that ended it, the newest they may read (the head is refused them). */
  formerThrough: Accessor<number | null> = () => null,
) {
  // A memo, so that the head doc's other changes (receipts, members) do not re-run what depends on the number.
  const ownHead = createMemo(docSignal(head.doc, headBucket));
  const headNumber = createMemo(() => formerThrough() ?? ownHead());
  const [requestedOldest, setRequestedOldest] = createSignal<number | null>(null);
  // Until the head's local copy is in, its bucket number is unknown: open nothing yet.
  const oldest: Accessor<number | null> = () => {
    if (!head.loaded()) return null;
    return requestedOldest() ?? Math.max(0, headNumber() - (RECENT_BUCKETS - 1));
  };
  const names = createMemo(
    () => {
      const from = oldest();
      if (from === null) return [];
      const out = [];
      for (let n = from; n <= headNumber(); n++) out.push(bucketDoc(roomId, n));
      return out;
    },
    [],
    { equals: sameNames },
  );
  const buckets = useReplicas(replicas, names, (replica): OpenBucket => ({ replica, number: bucketNumberOf(replica.name), messages: docList(replica.doc, readShownMessages, 'id') }));
  // Messages still in the outbox (written while their bucket was not in sync) show after the bucket's own, with their clock.
  const messages = createMemo(() =>
    buckets().flatMap((b) => {
      const queued = pending.queuedIn(b.replica.name);
      if (queued.length === 0) return b.messages;
      const present = new Set(b.messages.map((m) => m.id));
      return [...b.messages, ...queued.filter((m) => !present.has(m.id)).map(asShown)];
    }),
  );
  /** Where each open message sits (receipts count in positions), rebuilt once per change. */
  const positions = createMemo(() => {
    const out = new Map<MessageId, Position>();
    for (const bucket of buckets()) bucket.messages.forEach((m, index) => out.set(m.id, { bucket: bucket.number, index }));
    return out;
  });

  /**
   * Whether older buckets may be asked for. The head opens with the chat, from a local
   * copy that may be days old: online, its bucket number is trusted only after the
   * handshake, or a stale number would pin the view far back in history. Offline the
   * local copy is all there is.
   */
  const mayLoadOlder = () => head.synced() || formerThrough() !== null || replicas.status() === 'offline' || replicas.sessionEnded();

  /** Opens the bucket before the oldest open one; not while that one is still empty (loading), so requests never run ahead of arrivals. */
  function loadOlder(): boolean {
    const from = oldest();
    if (!mayLoadOlder() || from === null || from === 0 || !buckets()[0]?.messages.length) return false;
    setRequestedOldest(from - 1);
    return true;
  }

  /** Appends `text` as a message to the head bucket; false when there is nothing to send or nowhere to send it yet. */
  function send(text: string, replyTo?: MessageId, mentions: UserId[] = [], attachment?: Attachment, preview?: LinkPreview): boolean {
    const body = text.trim();
    const bucket = buckets().at(-1);
    // A file needs no text: the caption is optional.
    if ((!body && !attachment) || !bucket) return false;
    const id = newMessageId();
    // Marked before the append, so that an acknowledgement can never arrive before the mark.
    const message: Message = {
      id,
      authorId: me,
      createdAt: serverNow(),
      text: body,
      ...(replyTo ? { replyTo } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
      ...(attachment ? { attachment } : {}),
      // The guard accepts a preview only for a link the text holds.
      ...(preview && body.includes(preview.url) ? { preview } : {}),
    };
    // Appended only while the bucket is in sync, so it lands at the true end; else the outbox keeps it until it is.
    pending.send(bucket.replica.name, bucket.replica.doc, message, () => bucket.replica.inSync());
    return true;
  }

  /**
   * Runs `write` on the bucket that holds the message: overlays live beside the message
   * they change, whichever bucket is the head now. False when that bucket is not open.
   */
  function onBucketOf(id: MessageId, write: (doc: Replica['doc']) => void): boolean {
    const bucket = buckets().find((b) => b.messages.some((m) => m.id === id));
    if (!bucket) return false;
    write(bucket.replica.doc);
    return true;
  }

  /**
   * Opens every bucket from `n` up to the head, to show a message found in older
   * history (a search result); open buckets stay open.
   */
  function openFrom(n: number): void {
    const from = oldest();
    if (from === null || n >= from) return;
    setRequestedOldest(Math.max(0, n));
  }

  return {
    messages,
    positionOf: (id: MessageId) => positions().get(id),
    send,
    edit: (id: MessageId, text: string) => {
      const body = text.trim();
      return body !== '' && onBucketOf(id, (doc) => editMessage(doc, id, body, Date.now()));
    },
    deleteForEveryone: (id: MessageId) => onBucketOf(id, (doc) => deleteForEveryone(doc, id, me, Date.now())),
    /** Sets one's reaction, or removes it with `null`. */
    react: (id: MessageId, emoji: string | null) => onBucketOf(id, (doc) => setReaction(doc, id, me, emoji)),
    loadOlder,
    openFrom,
    hasOlder: () => (oldest() ?? 0) > 0,
    /** Changes when loading older buckets becomes possible, so a view not yet full asks again. */
    mayLoadOlder,
    ready: () => buckets().length > 0,
  };
}
