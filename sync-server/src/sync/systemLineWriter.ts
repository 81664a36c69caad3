import type * as Y from 'yjs';
import { appendMessage, indexOfMessage, messageCount } from '#schema/docs/bucket';
import type { Message, SystemEvent } from '#schema/docs/message';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import type { Position } from '#schema/docs/receipts';
import { advanceHead, headBucket, onHeadChanged } from '#schema/docs/roomHead';
import { systemEventsOf } from '#schema/docs/systemLines';
import { newMessageId, type MessageId, type RoomId, type RoomRef, type UserId } from '#schema/ids';
import type { ServerWrites } from '../store/serverWrites';
import { actorOf } from './origins';

/**
 * System lines ("Alice added Bob"): what each client change to a room's head means,
 * collected with the member who sent it until the room's membership projection turns
 * it into lines, appended to the room's head bucket by the server with that member as
 * their author. A DM's head changes only mean something for its disappearing setting.
 */
export class SystemLineWriter {
  /** Group changes seen from clients that the room's next projection turns into system lines. */
  private readonly pending = new Map<RoomId, { actor: UserId; events: SystemEvent[] }[]>();

  constructor(private readonly writes: ServerWrites) {}

  /**
   * Collects what each client change to a room's head means, with the member who sent
   * it, for the projection that the same change queues (`onChange` runs after the doc's
   * observers, so the lines are here by the time that projection runs).
   */
  watchHead(doc: Y.Doc, room: RoomRef): void {
    onHeadChanged(doc, (change, origin) => {
      const actor = actorOf(origin);
      if (!actor) return;
      const events = systemEventsOf(change, actor, room.kind);
      if (events.length > 0) this.note(room.id, actor, events);
    });
  }

  /** Events the server itself made happen (a join through an invite link), for the room's next projection. */
  note(roomId: RoomId, actor: UserId, events: SystemEvent[]): void {
    const pending = this.pending.get(roomId) ?? [];
    pending.push({ actor, events });
    this.pending.set(roomId, pending);
  }

  /** The lines waiting for the room, as messages made `now`, taken out of the waiting set. */
  take(roomId: RoomId, now: number): Message[] {
    const pending = this.pending.get(roomId) ?? [];
    this.pending.delete(roomId);
    return pending.flatMap(({ actor, events }) => events.map((event): Message => ({ id: newMessageId(), authorId: actor, createdAt: now, text: '', event })));
  }

  /** Appends system lines to the room's head bucket (or `into` that one); returns that bucket's number, its size after, and where each line sits. */
  async append(roomId: RoomId, lines: readonly Message[], into?: number): Promise<{ bucket: number; count: number; positions: Map<MessageId, Position> }> {
    const bucket = into ?? (await this.writes.read(roomHeadDoc(roomId), headBucket));
    let count = 0;
    const positions = new Map<MessageId, Position>();
    await this.writes.write(bucketDoc(roomId, bucket), (doc) => {
      for (const line of lines) appendMessage(doc, line);
      count = messageCount(doc);
      for (const line of lines) positions.set(line.id, { bucket, index: Math.max(0, indexOfMessage(doc, line.id)) });
    });
    return { bucket, count, positions };
  }
}

/** Moves the room's head to the next bucket once `bucket` holds `count` ≥ the bucket size, or at once when `force`d. */
export async function rollOver(writes: ServerWrites, bucketSize: number, room: RoomRef, bucket: number, count: number, force = false): Promise<void> {
  if (count < bucketSize && !force) return;
  await writes.write(roomHeadDoc(room.id), (head) => {
    if (headBucket(head) <= bucket) advanceHead(head, bucket + 1);
  });
}
