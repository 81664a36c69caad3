import type * as Y from 'yjs';
import { z } from 'zod';
import type { RoomRef, UserId } from '../ids';
import { parseStateless } from '../api/stateless';

/**
 * Receipts (design §5b): a device reports how far it has received or read a room to the
 * server ({@link ReceiptAdvance}, a stateless message on the room head's connection);
 * the server keeps every member's positions in SQL and writes one aggregate per room
 * into the head's `meta.receipts` ({@link ReceiptAggregate}), which is all the ticks
 * need. "Message info" asks the server for the per-member detail when it opens.
 *
 * The `receipts` map below is the earlier form, kept readable: `delivered:<userId>` and
 * `read:<userId>`, each the recent advances of one member, written by that member into
 * the head. The server folds such keys into its positions (rooms from before, and
 * devices still running an older app), and the client reads them while a room has no
 * aggregate yet.
 */
export const RECEIPTS = 'receipts';

/** Where a message sits in its room: its bucket, and its index among that bucket's messages. */
export const positionSchema = z.object({ bucket: z.number().int().nonnegative(), index: z.number().int().nonnegative() }).strict();
export type Position = z.infer<typeof positionSchema>;

/**
 * Largest bucket number and index a receipt may name: far past any room's history, and
 * small enough that every position fits a SQL integer column without surprises.
 */
export const MAX_POSITION_PART = 2 ** 31 - 1;

/** A position as it arrives from a device, bounded. */
const reportedPositionSchema = z.object({ bucket: z.number().int().nonnegative().max(MAX_POSITION_PART), index: z.number().int().nonnegative().max(MAX_POSITION_PART) }).strict();

/** Negative when `a` comes before `b`. */
export function comparePositions(a: Position, b: Position): number {
  return a.bucket - b.bucket || a.index - b.index;
}

/**
 * How many advances a receipt remembers. The last one is where the user is now; the
 * earlier ones tell roughly when a given message was delivered or read ("message info").
 */
export const RECEIPT_STEPS = 24;

const stepSchema = z.object({ to: positionSchema, at: z.number().int().nonnegative() }).strict();
type ReceiptStep = z.infer<typeof stepSchema>;

/** The value of one receipt key: its advances, oldest first. */
export const receiptStepsSchema = z.array(stepSchema).min(1).max(RECEIPT_STEPS);

const RECEIPT_KINDS = ['delivered', 'read'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

/** One user's receipts: "their device has every message up to here" and "they have seen every message up to here". */
export interface Receipt {
  delivered: ReceiptStep[];
  read: ReceiptStep[];
}

function receiptKey(kind: ReceiptKind, userId: UserId): string {
  return `${kind}:${userId}`;
}

/** The kind and user of a receipt key, unchecked beyond its form (the guard checks the id). */
export function parseReceiptKey(key: string): { kind: ReceiptKind; userId: string } | null {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  return (RECEIPT_KINDS as readonly string[]).includes(kind) ? { kind: kind as ReceiptKind, userId: key.slice(colon + 1) } : null;
}

function receiptsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(RECEIPTS);
}

/** Every member's receipts; malformed entries are skipped. */
export function readReceipts(doc: Y.Doc): Map<UserId, Receipt> {
  const out = new Map<UserId, Receipt>();
  receiptsMap(doc).forEach((value, key) => {
    const parsedKey = parseReceiptKey(key);
    const steps = receiptStepsSchema.safeParse(value);
    if (!parsedKey || !steps.success) return;
    const userId = parsedKey.userId as UserId;
    const receipt = out.get(userId) ?? { delivered: [], read: [] };
    receipt[parsedKey.kind] = steps.data;
    out.set(userId, receipt);
  });
  return out;
}

/** How far a receipt goes for `kind`; having read a message implies having received it. */
function reachOf(receipt: Receipt | undefined, kind: ReceiptKind): Position | null {
  if (!receipt) return null;
  const read = receipt.read.at(-1)?.to ?? null;
  if (kind === 'read') return read;
  const delivered = receipt.delivered.at(-1)?.to ?? null;
  if (!read || !delivered) return read ?? delivered;
  return comparePositions(read, delivered) > 0 ? read : delivered;
}

/** When the receipt first covered `position` for `kind` (null: not yet). */
export function reachedAt(receipt: Receipt | undefined, kind: ReceiptKind, position: Position): number | null {
  if (!receipt) return null;
  const steps = kind === 'read' ? receipt.read : [...receipt.delivered, ...receipt.read].sort((a, b) => a.at - b.at);
  return steps.find((step) => comparePositions(step.to, position) >= 0)?.at ?? null;
}

/**
 * Writer of the earlier form: moves `userId`'s receipt key forward to `to` (never back).
 * Reading implies receiving, so a read step does not need a delivered one. Returns
 * whether it changed. The app now reports receipts to the server instead; this stays
 * for the rooms and apps that still carry such keys.
 */
export function advanceReceipt(doc: Y.Doc, userId: UserId, kind: ReceiptKind, to: Position, at: number): boolean {
  const current = readReceipts(doc).get(userId);
  const reach = reachOf(current, kind);
  if (reach && comparePositions(reach, to) >= 0) return false;
  // A copy: Yjs keeps the very object it is given, and the caller's may change later (a reactive store's, say).
  const steps = [...(current?.[kind] ?? []), { to: { bucket: to.bucket, index: to.index }, at }].slice(-RECEIPT_STEPS);
  receiptsMap(doc).set(receiptKey(kind, userId), steps);
  return true;
}

/** Where a message stands with its recipients, as the ticks under one's own message show it. */
export type DeliveryStatus = 'sent' | 'delivered' | 'read';

/**
 * The status of a message at `position` with these recipients (everyone who should get
 * it but its author): read when all have read it, delivered when all have it.
 */
export function deliveryStatus(receipts: Map<UserId, Receipt>, recipients: readonly UserId[], position: Position): DeliveryStatus {
  if (recipients.length === 0) return 'sent';
  const all = (kind: ReceiptKind) =>
    recipients.every((id) => {
      const reach = reachOf(receipts.get(id), kind);
      return reach !== null && comparePositions(reach, position) >= 0;
    });
  if (all('read')) return 'read';
  return all('delivered') ? 'delivered' : 'sent';
}

/**
 * Everyone who should get a message but its author: for a DM, the other person; for a
 * group, the members who were in it when the message was sent.
 */
export function recipientsOf(room: RoomRef, members: ReadonlyMap<UserId, { addedAt: number }>, message: { authorId: UserId; createdAt: number }): UserId[] {
  if (room.kind === 'dm') return room.members.filter((id) => id !== message.authorId);
  return [...members].filter(([id, member]) => id !== message.authorId && member.addedAt <= message.createdAt).map(([id]) => id);
}

/** The later of two positions (either may be missing). */
export function laterOf(a: Position | null, b: Position | null): Position | null {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) >= 0 ? a : b;
}

/**
 * What a device sends the server (a stateless message on the room head's connection):
 * this user has received (`delivered`) or seen (`read`) the room up to `to`. Devices send
 * it at most every few hundred ms per room; the server keeps only advances.
 */
const receiptAdvanceSchema = z.object({ type: z.literal('receipt'), kind: z.enum(RECEIPT_KINDS), to: reportedPositionSchema }).strict();
export type ReceiptAdvance = z.infer<typeof receiptAdvanceSchema>;

/** The stateless payload for an advance. */
export function encodeReceiptAdvance(kind: ReceiptKind, to: Position): string {
  return JSON.stringify({ type: 'receipt', kind, to: { bucket: to.bucket, index: to.index } } satisfies ReceiptAdvance);
}

/** Parses a stateless payload; null for anything that is not a well-formed advance. */
export function parseReceiptAdvance(payload: string): ReceiptAdvance | null {
  return parseStateless(receiptAdvanceSchema, payload);
}

/**
 * The room's receipts as everyone reads them, written by the server only into the
 * head's `meta.receipts`: every current member has received (`delivered`) and seen
 * (`read`) the room up to these positions (null: not everyone yet). A member counts
 * from the point they joined, so adding someone does not turn old messages grey;
 * members who left drop out. It never moves back ({@link mergeReceiptAggregate}).
 */
const receiptAggregateSchema = z.object({ delivered: positionSchema.nullable(), read: positionSchema.nullable() }).strict();
export type ReceiptAggregate = z.infer<typeof receiptAggregateSchema>;

/** The key of the aggregate in the head's `meta` map. */
export const RECEIPT_AGGREGATE_KEY = 'receipts';

/** The room's aggregate, or null when the server has not written one (or it is malformed). */
export function readReceiptAggregate(doc: Y.Doc): ReceiptAggregate | null {
  const parsed = receiptAggregateSchema.safeParse(doc.getMap('meta').get(RECEIPT_AGGREGATE_KEY));
  return parsed.success ? parsed.data : null;
}

/**
 * The aggregate to store: each kind never moves back. What everyone had reached stays
 * reached: someone who joins later is not a recipient of the earlier messages, and of
 * two servers folding at once, the one that read older positions must not undo the
 * other's fold.
 */
export function mergeReceiptAggregate(current: ReceiptAggregate | null, next: ReceiptAggregate): ReceiptAggregate {
  return { delivered: laterOf(current?.delivered ?? null, next.delivered), read: laterOf(current?.read ?? null, next.read) };
}

/** Whether storing `next` over `current` changes nothing. */
export function sameReceiptAggregate(current: ReceiptAggregate | null, next: ReceiptAggregate): boolean {
  return current !== null && samePosition(current.delivered, next.delivered) && samePosition(current.read, next.read);
}

/** Server: merges `aggregate` into the stored one ({@link mergeReceiptAggregate}); returns whether that changed it. */
export function writeReceiptAggregate(doc: Y.Doc, aggregate: ReceiptAggregate): boolean {
  const current = readReceiptAggregate(doc);
  const next = mergeReceiptAggregate(current, aggregate);
  if (sameReceiptAggregate(current, next)) return false;
  doc.getMap('meta').set(RECEIPT_AGGREGATE_KEY, {
    delivered: next.delivered && { bucket: next.delivered.bucket, index: next.delivered.index },
    read: next.read && { bucket: next.read.bucket, index: next.read.index },
  });
  return true;
}

function samePosition(a: Position | null, b: Position | null): boolean {
  return a === null || b === null ? a === b : comparePositions(a, b) === 0;
}

/** One member's positions as the server keeps them; `read` implies `delivered`. */
export interface MemberPositions {
  delivered: Position | null;
  read: Position | null;
}

/**
 * Folds members' positions into the aggregate: the earliest position every member has
 * reached. A member with no position yet holds the aggregate back (null).
 */
export function aggregateOf(members: readonly MemberPositions[]): ReceiptAggregate {
  const lowest = (kind: ReceiptKind): Position | null => {
    let low: Position | null = null;
    for (const member of members) {
      const reach = kind === 'read' ? member.read : laterOf(member.delivered, member.read);
      if (!reach) return null;
      if (!low || comparePositions(reach, low) < 0) low = reach;
    }
    return low;
  };
  return { delivered: lowest('delivered'), read: lowest('read') };
}

/**
 * The status of a message at `position`, from the room's aggregate: what the ticks
 * show. With no recipients (a group of one) a message stays "sent".
 */
export function aggregateStatus(aggregate: ReceiptAggregate, recipients: readonly UserId[], position: Position): DeliveryStatus {
  if (recipients.length === 0) return 'sent';
  if (aggregate.read && comparePositions(aggregate.read, position) >= 0) return 'read';
  if (aggregate.delivered && comparePositions(aggregate.delivered, position) >= 0) return 'delivered';
  return 'sent';
}

/**
 * The ticks of a message: from the server's aggregate, or, in a room that has none yet
 * (written before aggregates existed, not yet seen by the server since), from the
 * members' own receipt keys.
 */
export function statusOf(aggregate: ReceiptAggregate | null, earlier: Map<UserId, Receipt>, recipients: readonly UserId[], position: Position): DeliveryStatus {
  return aggregate ? aggregateStatus(aggregate, recipients, position) : deliveryStatus(earlier, recipients, position);
}
