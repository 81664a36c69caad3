import * as Y from 'yjs';
import { z } from 'zod';
import type { RoomRef, UserId } from '../ids';

/**
 * Receipts live in the room head's `receipts` map (design §3): `delivered:<userId>`
 * and `read:<userId>`, each the recent advances of how far that user's devices have
 * received or read the room. A key ending in a user id is written by that user only
 * (`schema/access.ts`), so nobody can mark a message read for someone else; the two
 * kinds have keys of their own so that a device reporting "received" never overwrites
 * another device's "read".
 */
export const RECEIPTS = 'receipts';

/** Where a message sits in its room: its bucket, and its index among that bucket's messages. */
export const positionSchema = z.object({ bucket: z.number().int().nonnegative(), index: z.number().int().nonnegative() }).strict();
export type Position = z.infer<typeof positionSchema>;

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
export type ReceiptStep = z.infer<typeof stepSchema>;

/** The value of one receipt key: its advances, oldest first. */
export const receiptStepsSchema = z.array(stepSchema).min(1).max(RECEIPT_STEPS);

export const RECEIPT_KINDS = ['delivered', 'read'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

/** One user's receipts: "their device has every message up to here" and "they have seen every message up to here". */
export interface Receipt {
  delivered: ReceiptStep[];
  read: ReceiptStep[];
}

export function receiptKey(kind: ReceiptKind, userId: UserId): string {
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
export function reachOf(receipt: Receipt | undefined, kind: ReceiptKind): Position | null {
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
 * Writer: moves `userId`'s receipt forward to `to` (never back). Reading implies
 * receiving, so a read step does not need a delivered one. Returns whether it changed.
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
