import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UserId } from '../ids';
import { advanceReceipt, deliveryStatus, reachedAt, readReceipts, RECEIPT_STEPS } from './receipts';

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
});
