/**
 * The SQLite store's hot statements, prepared once per database. Drizzle's query
 * builder renders its SQL and better-sqlite3 compiles it again on every call; on the
 * message path (a group commit's appends, a server write's log read, a projection's
 * flush, a guard's role check) that was about a tenth of the server's CPU under load
 * (`npm run bench:load -- --cpu-prof`). Later came the count of a doc's rows that every
 * store of a doc makes and the read of a room's members (with their names) that every
 * chat-index projection makes (together about a fiftieth of the main thread's busy time), and a
 * flush of receipt reports (`sqliteReceipts.ts`), whose multi-row statements were built
 * and compiled anew for every flush. A prepared statement runs on the one connection,
 * so inside a transaction it is part of that transaction.
 */
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { docSnapshots, docUpdates, projectionMarks, projectionWatermarks, receiptPositions, receiptSteps, roomMembers, users } from './db/sqlite';
import type { RoomId, UserId } from '#schema/ids';
import type { MemberCard, UserRow } from './db/store';
import type { PositionRow, StepRow } from './receiptRows';
import type { LogRow } from './rows';

const p = {
  docName: sql.placeholder('docName'),
  afterId: sql.placeholder('afterId'),
  update: sql.placeholder('update'),
  roomId: sql.placeholder('roomId'),
  userId: sql.placeholder('userId'),
  bucket: sql.placeholder('bucket'),
  length: sql.placeholder('length'),
  messages: sql.placeholder('messages'),
  ids: sql.placeholder('ids'),
  deliveredBucket: sql.placeholder('deliveredBucket'),
  deliveredIndex: sql.placeholder('deliveredIndex'),
  readBucket: sql.placeholder('readBucket'),
  readIndex: sql.placeholder('readIndex'),
  index: sql.placeholder('index'),
  kind: sql.placeholder('kind'),
  at: sql.placeholder('at'),
};

export function prepareStatements(db: BetterSQLite3Database) {
  const snapshot = db.select({ snapshot: docSnapshots.snapshot }).from(docSnapshots).where(eq(docSnapshots.docName, p.docName)).prepare();
  // From the start, always the snapshot (one written before covers_id existed holds 0).
  const snapshotPast = db
    .select({ snapshot: docSnapshots.snapshot })
    .from(docSnapshots)
    .where(and(eq(docSnapshots.docName, p.docName), gt(docSnapshots.coversId, p.afterId)))
    .prepare();
  const rowsAfter = db
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(and(eq(docUpdates.docName, p.docName), gt(docUpdates.id, p.afterId)))
    .orderBy(asc(docUpdates.id))
    .prepare();
  const coversId = db.select({ coversId: docSnapshots.coversId }).from(docSnapshots).where(eq(docSnapshots.docName, p.docName)).prepare();
  const append = db.insert(docUpdates).values({ docName: p.docName, update: p.update }).returning({ id: docUpdates.id }).prepare();
  const mark = db.insert(projectionMarks).values({ roomId: p.roomId, bucket: p.bucket }).onConflictDoNothing().prepare();
  const clearMark = db
    .delete(projectionMarks)
    .where(and(eq(projectionMarks.roomId, p.roomId), eq(projectionMarks.bucket, p.bucket)))
    .prepare();
  const watermark = db
    .insert(projectionWatermarks)
    .values({ roomId: p.roomId, bucket: p.bucket, length: p.length, messages: p.messages })
    .onConflictDoUpdate({ target: [projectionWatermarks.roomId, projectionWatermarks.bucket], set: { length: sql`excluded.length`, messages: sql`excluded.messages` } })
    .prepare();
  const watermarks = db.select().from(projectionWatermarks).where(eq(projectionWatermarks.roomId, p.roomId)).orderBy(asc(projectionWatermarks.bucket)).prepare();
  const members = db.select({ userId: roomMembers.userId, role: roomMembers.role }).from(roomMembers).where(eq(roomMembers.roomId, p.roomId)).orderBy(asc(roomMembers.userId)).prepare();
  const role = db
    .select({ role: roomMembers.role })
    .from(roomMembers)
    .where(and(eq(roomMembers.roomId, p.roomId), eq(roomMembers.userId, p.userId)))
    .prepare();
  const updateCount = db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, p.docName)).prepare();
  // Any number of ids through one statement: they travel as one JSON array.
  const idsGiven = sql`${users.id} in (select value from json_each(${p.ids}))`;
  const usersByIds = db.select().from(users).where(idsGiven).prepare();
  const card = { id: users.id, displayName: users.displayName, pushPreview: users.pushPreview };
  const cardsByIds = db.select(card).from(users).where(idsGiven).prepare();
  const memberCards = db
    .select({ userId: roomMembers.userId, card })
    .from(roomMembers)
    .leftJoin(users, eq(users.id, roomMembers.userId))
    .where(eq(roomMembers.roomId, p.roomId))
    .orderBy(asc(roomMembers.userId))
    .prepare();
  const position = db
    .select()
    .from(receiptPositions)
    .where(and(eq(receiptPositions.roomId, p.roomId), eq(receiptPositions.userId, p.userId)))
    .prepare();
  const setPosition = db
    .insert(receiptPositions)
    .values({ roomId: p.roomId, userId: p.userId, deliveredBucket: p.deliveredBucket, deliveredIndex: p.deliveredIndex, readBucket: p.readBucket, readIndex: p.readIndex })
    .onConflictDoUpdate({
      target: [receiptPositions.roomId, receiptPositions.userId],
      set: { deliveredBucket: sql`excluded.delivered_bucket`, deliveredIndex: sql`excluded.delivered_index`, readBucket: sql`excluded.read_bucket`, readIndex: sql`excluded.read_index` },
    })
    .prepare();
  const addStep = db.insert(receiptSteps).values({ roomId: p.roomId, userId: p.userId, kind: p.kind, bucket: p.bucket, index: p.index, at: p.at }).onConflictDoNothing().prepare();

  return {
    /** A doc's snapshot and log rows after `afterId`, in append order; call inside a transaction so both reads agree. */
    readLog(docName: string, afterId = 0): { snapshot: Buffer | null; rows: LogRow[] } {
      const snap = afterId === 0 ? snapshot.get({ docName }) : snapshotPast.get({ docName, afterId });
      return { snapshot: snap?.snapshot ?? null, rows: rowsAfter.all({ docName, afterId }) };
    },
    coversId: (docName: string): number => coversId.get({ docName })?.coversId ?? 0,
    append: (docName: string, update: Buffer): number => append.get({ docName, update })!.id,
    mark: (roomId: RoomId, bucket: number) => mark.run({ roomId, bucket }),
    clearMark: (roomId: RoomId, bucket: number) => clearMark.run({ roomId, bucket }),
    setWatermark: (w: { roomId: RoomId; bucket: number; length: number; messages: number }) => watermark.run(w),
    watermarks: (roomId: RoomId) => watermarks.all({ roomId }),
    members: (roomId: RoomId) => members.all({ roomId }),
    role: (roomId: RoomId, userId: UserId) => role.get({ roomId, userId })?.role ?? null,
    /** How many log rows a doc has (its snapshot aside): a store of the doc compacts past a limit. */
    updateCount: (docName: string): number => updateCount.get({ docName })?.n ?? 0,
    users: (ids: readonly UserId[]): UserRow[] => usersByIds.all({ ids: JSON.stringify(ids) }),
    /** Every chat-index projection reads its members' names and push settings. */
    cards: (ids: readonly UserId[]): MemberCard[] => cardsByIds.all({ ids: JSON.stringify(ids) }),
    memberCards: (roomId: RoomId) => memberCards.all({ roomId }),
    /** A member's receipt positions in a room, for a flush of receipt reports (`sqliteReceipts.ts`). */
    receiptPosition: (roomId: RoomId, userId: UserId): PositionRow | undefined => position.get({ roomId, userId }),
    setReceiptPosition: (row: PositionRow) => setPosition.run(row),
    addReceiptStep: (row: StepRow) => addStep.run(row),
  };
}

export type SqliteStatements = ReturnType<typeof prepareStatements>;
