import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { ReceiptAdvanceRow } from '../store/db/receiptStore';
import { roomRole } from '#schema/access';
import type { Store } from '../store/db/store';
import { messageCount } from '#schema/docs/bucket';
import { bucketDoc, parseDocName, roomHeadDoc } from '#schema/docs/names';
import {
  aggregateOf,
  comparePositions,
  MAX_POSITION_PART,
  parseReceiptAdvance,
  mergeReceiptAggregate,
  parseReceiptKey,
  readReceiptAggregate,
  RECEIPTS,
  receiptStepsSchema,
  sameReceiptAggregate,
  writeReceiptAggregate,
  type MemberPositions,
  type Position,
} from '#schema/docs/receipts';
import { headBucket, readMembers, readMeta, ROOM_HEAD } from '#schema/docs/roomHead';
import type { RoomId, RoomRef, UserId } from '#schema/ids';
import type { SyncContext } from './context';
import type { ChainedExtension } from './extensionChain';

/** A member added to a group, with where the room stood then (null: work it out at the flush). */
interface Join {
  roomId: RoomId;
  userId: UserId;
  to: Position | null;
  at: number;
}

/**
 * Receipts (design §5b): devices report how far they have received and read a room as
 * stateless messages on the room head's connection; this extension keeps the furthest
 * report per member and kind, writes them to SQL in one transaction per flush (every
 * `flushMs`), folds each touched room's members' positions into the head's server-only
 * `meta.receipts` aggregate, and writes that only when it moved. So a member receives
 * at most one receipt update per room per flush, whatever the group's size, and the
 * per-member detail stays in SQL for "Message info" (`GET /api/rooms/:roomId/receipts`).
 *
 * Members added to a group count from where the room stood when they joined (a
 * `joined` advance), so adding someone does not turn old messages back to grey;
 * members who left drop out of the aggregate. The earlier form, `delivered:`/`read:`
 * keys that members wrote into the head, is folded in when a head loads and whenever
 * an older app still writes one.
 */
export class Receipts {
  /** The furthest report per member and kind since the last flush. */
  private readonly reported = new Map<string, ReceiptAdvanceRow>();
  /** Steps read from the earlier receipt keys, oldest first, so "Message info" keeps their times. */
  private imported: ReceiptAdvanceRow[] = [];
  private joins: Join[] = [];
  /** Rooms whose aggregate may have moved. */
  private readonly dirty = new Set<RoomId>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly deps: {
      store: Store;
      instance: () => Hocuspocus;
      /** Server-side writes of the aggregates, logged and broadcast like any change (`ServerWrites.writeDerived`). */
      writeDerived: (changes: readonly { docName: string; change: (doc: Y.Doc) => void }[]) => Promise<void>;
      flushMs: number;
      /** Whether the room shows read receipts (`schema/privacy.ts`); while not, its aggregate's `read` stays where it was. */
      readReceiptsShown?: (room: RoomRef) => Promise<boolean>;
      log: (error: unknown, what: string) => void;
    },
  ) {}

  extension(): ChainedExtension {
    return {
      extensionName: 'receipts',
      afterLoadDocument: async ({ documentName, document }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind !== 'roomHead') return;
        this.watchHead(document, ref.room);
        // Members may have come or gone, and receipts moved, while the head was not loaded here.
        this.touch(ref.room.id);
      },
      onStateless: ({ connection, documentName, document, payload }) => {
        try {
          this.onReport(connection.context as SyncContext | undefined, documentName, document, payload);
        } catch (error) {
          // Nothing a client sends may throw past its handler.
          this.deps.log(error, 'receipt report');
        }
      },
    };
  }

  /** Writes everything reported so far (and the aggregates it moves); resolves when done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.running.then(() => this.flushNow());
    return this.running;
  }

  /** Flushes what is pending and stops taking reports. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private onReport(context: SyncContext | undefined, documentName: string, head: Y.Doc, payload: string): void {
    const ref = parseDocName(documentName);
    const userId = context?.user?.id;
    if (ref?.kind !== 'roomHead' || !userId) return;
    const advance = parseReceiptAdvance(payload);
    if (!advance) return;
    const room = ref.room;
    if (!isMember(room, head, userId)) return;
    // A position past the room's head bucket names no message yet.
    if (advance.to.bucket > headBucket(head)) return;
    const key = `${room.id}\n${userId}\n${advance.kind}`;
    const earlier = this.reported.get(key);
    if (earlier && comparePositions(earlier.to, advance.to) >= 0) return;
    this.reported.set(key, { roomId: room.id, userId, kind: advance.kind, to: advance.to, at: Date.now() });
    this.touch(room.id);
  }

  private watchHead(head: Y.Doc, room: RoomRef): void {
    const receipts = head.getMap<unknown>(RECEIPTS);
    const importKey = (key: string) => {
      const parsed = parseReceiptKey(key);
      const steps = receiptStepsSchema.safeParse(receipts.get(key));
      if (!parsed || !steps.success || !isMember(room, head, parsed.userId as UserId)) return;
      for (const step of steps.data) {
        this.imported.push({ roomId: room.id, userId: parsed.userId as UserId, kind: parsed.kind, to: step.to, at: step.at });
      }
      this.touch(room.id);
    };
    receipts.forEach((_value, key) => importKey(key));
    receipts.observe((event) => event.keysChanged.forEach((key) => receipts.has(key) && importKey(key)));
    if (room.kind !== 'group') return;
    const members = head.getMap<unknown>(ROOM_HEAD.members);
    const meta = head.getMap<unknown>(ROOM_HEAD.meta);
    members.observe((event) => {
      // The founders of a group (added in the change that creates it) have no earlier messages to count.
      const founding = [...event.transaction.changed].some(([type, keys]) => (type as unknown) === meta && keys.has('kind'));
      for (const [key, change] of event.changes.keys) {
        if (founding) continue;
        if (change.action === 'add') this.joins.push({ roomId: room.id, userId: key as UserId, to: this.roomPosition(room.id, head), at: Date.now() });
      }
      this.touch(room.id);
    });
  }

  /**
   * Where the room stands now: its newest message, if its head bucket is loaded here
   * (it is while anyone has the chat open); else null, and the flush takes the
   * furthest position any member reported, which can only be earlier, so a new member
   * is at worst waited for on a message they did not need to get.
   */
  private roomPosition(roomId: RoomId, head: Y.Doc): Position | null {
    const bucket = headBucket(head);
    const doc = this.deps.instance().documents.get(bucketDoc(roomId, bucket));
    if (!doc) return null;
    const count = messageCount(doc);
    if (count > 0) return { bucket, index: count - 1 };
    return bucket > 0 ? { bucket: bucket - 1, index: MAX_POSITION_PART } : null;
  }

  private touch(roomId: RoomId): void {
    this.dirty.add(roomId);
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.running.then(() => this.flushNow());
    }, this.deps.flushMs);
  }

  private async flushNow(): Promise<void> {
    const reported = [...this.reported.values()];
    const imported = this.imported;
    const joins = this.joins;
    const rooms = [...this.dirty];
    this.reported.clear();
    this.imported = [];
    this.joins = [];
    this.dirty.clear();
    if (rooms.length === 0) return;
    try {
      const joined = await this.resolveJoins(joins);
      await this.deps.store.receipts.advance([...imported, ...joined, ...reported]);
    } catch (error) {
      // Not acknowledged to anyone: keep them for the next flush.
      this.deps.log(error, 'saving receipts');
      for (const row of reported) this.reported.set(`${row.roomId}\n${row.userId}\n${row.kind}`, row);
      this.imported.unshift(...imported);
      this.joins.unshift(...joins);
      for (const room of rooms) this.touch(room);
      return;
    }
    try {
      await this.writeAggregates(rooms);
    } catch (error) {
      this.deps.log(error, 'writing receipt aggregates');
      for (const room of rooms) this.touch(room);
    }
  }

  private async resolveJoins(joins: readonly Join[]): Promise<ReceiptAdvanceRow[]> {
    if (joins.length === 0) return [];
    const unknown = [...new Set(joins.filter((j) => !j.to).map((j) => j.roomId))];
    const stored = await this.deps.store.receipts.positions(unknown);
    const out: ReceiptAdvanceRow[] = [];
    for (const join of joins) {
      const to = join.to ?? furthest(stored.get(join.roomId));
      if (to) out.push({ roomId: join.roomId, userId: join.userId, kind: 'joined', to, at: join.at });
    }
    return out;
  }

  private async writeAggregates(rooms: readonly RoomId[]): Promise<void> {
    const positions = await this.deps.store.receipts.positions(rooms);
    const writes: { docName: string; change: (doc: Y.Doc) => void }[] = [];
    for (const roomId of rooms) {
      const name = roomHeadDoc(roomId);
      // Nobody has the head open here: it is folded again when it next loads.
      const head = this.deps.instance().documents.get(name);
      const ref = parseDocName(name);
      if (!head || ref?.kind !== 'roomHead' || !readMeta(head)) continue;
      const members = membersOf(ref.room, head);
      if (members.length === 0) continue;
      const stored = positions.get(roomId);
      const folded = aggregateOf(members.map((id) => stored?.get(id) ?? { delivered: null, read: null }));
      // Read receipts off in a DM: delivered moves on, read does not (the merge keeps the stored one).
      const aggregate = (await this.deps.readReceiptsShown?.(ref.room)) === false ? { ...folded, read: null } : folded;
      const current = readReceiptAggregate(head);
      if (!current && !aggregate.delivered && !aggregate.read) continue;
      if (sameReceiptAggregate(current, mergeReceiptAggregate(current, aggregate))) continue;
      // Merged again inside the write, against the stored head (another node may have moved it meanwhile).
      writes.push({ docName: name, change: (doc) => writeReceiptAggregate(doc, aggregate) });
    }
    // Derived from the stored positions, and folded again when a head loads: the flush's
    // heads in one commit that does not wait for the disk.
    await this.deps.writeDerived(writes);
  }
}

/** O(1), not a read of every member: it runs for every report, and groups can be large. */
function isMember(room: RoomRef, head: Y.Doc, userId: UserId): boolean {
  return roomRole(room, userId, head) !== null;
}

function membersOf(room: RoomRef, head: Y.Doc): UserId[] {
  return room.kind === 'dm' ? [...room.members] : [...readMembers(head).keys()];
}

/** The furthest position any member has reached, or null. */
function furthest(members: ReadonlyMap<UserId, MemberPositions> | undefined): Position | null {
  let out: Position | null = null;
  for (const p of members?.values() ?? []) {
    for (const to of [p.delivered, p.read]) if (to && (!out || comparePositions(to, out) > 0)) out = to;
  }
  return out;
}
