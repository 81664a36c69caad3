import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UserId } from '../ids';
import {
  advanceReceipt,
  aggregateOf,
  aggregateStatus,
  deliveryStatus,
  encodeReceiptAdvance,
  parseReceiptAdvance,
  reachedAt,
  readReceiptAggregate,
  readReceipts,
  RECEIPT_STEPS,
  statusOf,
  writeReceiptAggregate,
} from './receipts';

const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;
const CAROL = '00000000-0000-4000-8000-0000000000ca' as UserId;
const at = (bucket: number, index: number) => ({ bucket, index });

describe('receipts', () => {
  it('moves forward only, and reading counts as receiving', () => {
    const doc = new Y.Doc();
    expect(advanceReceipt(doc, BOB, 'delivered', at(0, 5), 100)).toBe(true);
    expect(advanceReceipt(doc, BOB, 'delivered', at(0, 3), 200)).toBe(false);
    expect(advanceReceipt(doc, BOB, 'read', at(1, 0), 300)).toBe(true);
    // Read past bucket 0, so a delivered report for bucket 0 adds nothing.
    expect(advanceReceipt(doc, BOB, 'delivered', at(0, 9), 400)).toBe(false);
    const receipts = readReceipts(doc);
    expect(deliveryStatus(receipts, [BOB], at(0, 5))).toBe('read');
    expect(deliveryStatus(receipts, [BOB], at(1, 1))).toBe('sent');
  });

  it('is read in a group only when every recipient has read it', () => {
    const doc = new Y.Doc();
    advanceReceipt(doc, BOB, 'read', at(0, 2), 100);
    advanceReceipt(doc, CAROL, 'delivered', at(0, 2), 100);
    expect(deliveryStatus(readReceipts(doc), [BOB, CAROL], at(0, 2))).toBe('delivered');
    expect(deliveryStatus(readReceipts(doc), [BOB, CAROL], at(0, 3))).toBe('sent');
    advanceReceipt(doc, CAROL, 'read', at(0, 7), 150);
    expect(deliveryStatus(readReceipts(doc), [BOB, CAROL], at(0, 2))).toBe('read');
  });

  it('tells when a message was first covered, remembering a bounded number of steps', () => {
    const doc = new Y.Doc();
    advanceReceipt(doc, BOB, 'delivered', at(0, 1), 100);
    advanceReceipt(doc, BOB, 'delivered', at(0, 4), 200);
    advanceReceipt(doc, BOB, 'read', at(0, 4), 500);
    const bob = readReceipts(doc).get(BOB);
    expect(reachedAt(bob, 'delivered', at(0, 3))).toBe(200);
    expect(reachedAt(bob, 'read', at(0, 3))).toBe(500);
    expect(reachedAt(bob, 'read', at(0, 5))).toBeNull();
    for (let i = 5; i < 5 + RECEIPT_STEPS * 2; i++) advanceReceipt(doc, BOB, 'read', at(0, i), 1000 + i);
    expect(readReceipts(doc).get(BOB)!.read).toHaveLength(RECEIPT_STEPS);
  });

  it('folds members into the earliest position everyone reached; reading counts as receiving; anyone with nothing holds it back', () => {
    expect(
      aggregateOf([
        { delivered: at(0, 5), read: at(0, 2) },
        { delivered: null, read: at(0, 7) },
      ]),
    ).toEqual({ delivered: at(0, 5), read: at(0, 2) });
    expect(
      aggregateOf([
        { delivered: at(1, 0), read: null },
        { delivered: at(0, 3), read: at(0, 3) },
      ]),
    ).toEqual({ delivered: at(0, 3), read: null });
    expect(
      aggregateOf([
        { delivered: at(0, 1), read: at(0, 1) },
        { delivered: null, read: null },
      ]),
    ).toEqual({ delivered: null, read: null });
  });

  it('gives the ticks from the aggregate, "sent" with no recipients, and from the earlier keys while a room has no aggregate', () => {
    const aggregate = { delivered: at(0, 5), read: at(0, 2) };
    expect(aggregateStatus(aggregate, [BOB], at(0, 2))).toBe('read');
    expect(aggregateStatus(aggregate, [BOB], at(0, 3))).toBe('delivered');
    expect(aggregateStatus(aggregate, [BOB], at(0, 6))).toBe('sent');
    expect(aggregateStatus(aggregate, [], at(0, 1))).toBe('sent');
    const doc = new Y.Doc();
    advanceReceipt(doc, BOB, 'read', at(0, 4), 100);
    expect(statusOf(readReceiptAggregate(doc), readReceipts(doc), [BOB], at(0, 4))).toBe('read');
    writeReceiptAggregate(doc, { delivered: at(0, 3), read: null });
    expect(statusOf(readReceiptAggregate(doc), readReceipts(doc), [BOB], at(0, 4))).toBe('sent');
  });

  it('writes the aggregate only when it moved forward', () => {
    const doc = new Y.Doc();
    let updates = 0;
    doc.on('update', () => updates++);
    expect(writeReceiptAggregate(doc, { delivered: at(0, 1), read: null })).toBe(true);
    expect(writeReceiptAggregate(doc, { delivered: at(0, 1), read: null })).toBe(false);
    expect(writeReceiptAggregate(doc, { delivered: at(0, 1), read: at(0, 1) })).toBe(true);
    // Never back: a fold from older positions (another server's, a member just added) leaves it.
    expect(writeReceiptAggregate(doc, { delivered: at(0, 0), read: null })).toBe(false);
    expect(updates).toBe(2);
    expect(readReceiptAggregate(doc)).toEqual({ delivered: at(0, 1), read: at(0, 1) });
  });

  it('parses what a device reports, and nothing else', () => {
    expect(parseReceiptAdvance(encodeReceiptAdvance('read', at(2, 7)))).toEqual({ type: 'receipt', kind: 'read', to: at(2, 7) });
    for (const bad of [
      '',
      'null',
      '{"type":"receipt","kind":"seen","to":{"bucket":0,"index":0}}',
      '{"type":"receipt","kind":"read","to":{"bucket":0,"index":1.5}}',
      '{"type":"receipt","kind":"read","to":{"bucket":0,"index":0},"at":1}',
      '{"type":"receipt","kind":"read","to":{"bucket":1e12,"index":0}}',
    ]) {
      expect(parseReceiptAdvance(bad)).toBeNull();
    }
  });
});
