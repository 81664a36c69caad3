/**
 * The receipt store contract: the SQLite and Postgres stores both run these numbered
 * rules (`sync-server/src/store/receiptStore*.test.ts`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoomId, UserId } from '#schema/ids';
import type { ReceiptAdvanceRow } from './receiptStore';
import type { Store } from './store';

const user = () => crypto.randomUUID() as UserId;
const room = () => `g.${crypto.randomUUID()}` as RoomId;
const at = (bucket: number, index: number) => ({ bucket, index });

/** Registers the contract; `open` hands back a store over an empty database before every test. */
export function runReceiptStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`receipt store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const step = (roomId: RoomId, userId: UserId, kind: ReceiptAdvanceRow['kind'], to: { bucket: number; index: number }, time: number): ReceiptAdvanceRow => ({
      roomId,
      userId,
      kind,
      to,
      at: time,
    });

    it('R1. positions move forward only, within a batch and across batches', async () => {
      const r = room();
      const [ann, ben] = [user(), user()];
      await store.receipts.advance([step(r, ann, 'delivered', at(0, 5), 100), step(r, ann, 'delivered', at(0, 3), 110), step(r, ben, 'read', at(1, 2), 120)]);
      await store.receipts.advance([step(r, ann, 'delivered', at(0, 4), 130), step(r, ben, 'read', at(0, 9), 140)]);
      const positions = (await store.receipts.positions([r])).get(r)!;
      expect(positions.get(ann)).toEqual({ delivered: at(0, 5), read: null });
      expect(positions.get(ben)).toEqual({ delivered: null, read: at(1, 2) });
    });

    it('R2. positions are kept per room, and a room with none is absent', async () => {
      const [r1, r2, r3] = [room(), room(), room()];
      const ann = user();
      await store.receipts.advance([step(r1, ann, 'read', at(0, 1), 100), step(r2, ann, 'read', at(3, 0), 100)]);
      const all = await store.receipts.positions([r1, r2, r3]);
      expect(all.get(r1)?.get(ann)?.read).toEqual(at(0, 1));
      expect(all.get(r2)?.get(ann)?.read).toEqual(at(3, 0));
      expect(all.has(r3)).toBe(false);
    });

    it('R3. reachedAt gives each member the first time a delivered or read step covered the position', async () => {
      const r = room();
      const [ann, ben, cy] = [user(), user(), user()];
      await store.receipts.advance([step(r, ann, 'delivered', at(0, 2), 100), step(r, ben, 'delivered', at(0, 1), 100)]);
      await store.receipts.advance([step(r, ann, 'read', at(0, 4), 200), step(r, ben, 'read', at(0, 3), 250)]);
      await store.receipts.advance([step(r, ann, 'read', at(1, 0), 300), step(r, cy, 'delivered', at(0, 0), 300)]);
      const info = await store.receipts.reachedAt(r, at(0, 2));
      const byUser = new Map(info.map((m) => [m.userId, m]));
      expect(byUser.get(ann)).toEqual({ userId: ann, deliveredAt: 100, readAt: 200 });
      // Ben's first step past (0, 2) was a read, which also says he had it.
      expect(byUser.get(ben)).toEqual({ userId: ben, deliveredAt: 250, readAt: 250 });
      expect(byUser.has(cy)).toBe(false);
      expect(await store.receipts.reachedAt(r, at(2, 0))).toEqual([]);
    });

    it('R4. joining raises both positions without logging a step, and never lowers them', async () => {
      const r = room();
      const [ann, ben] = [user(), user()];
      await store.receipts.advance([step(r, ann, 'read', at(0, 9), 100)]);
      await store.receipts.advance([step(r, ann, 'joined', at(0, 5), 200), step(r, ben, 'joined', at(0, 5), 200)]);
      const positions = (await store.receipts.positions([r])).get(r)!;
      expect(positions.get(ann)).toEqual({ delivered: at(0, 5), read: at(0, 9) });
      expect(positions.get(ben)).toEqual({ delivered: at(0, 5), read: at(0, 5) });
      expect((await store.receipts.reachedAt(r, at(0, 0))).map((m) => m.userId)).toEqual([ann]);
    });

    it('R5. concurrent batches on one room keep the furthest position of each member', async () => {
      const r = room();
      const people = Array.from({ length: 20 }, user);
      await Promise.all(people.flatMap((p, i) => [store.receipts.advance([step(r, p, 'read', at(0, i), 100)]), store.receipts.advance([step(r, p, 'read', at(0, i + 1), 101)])]));
      const positions = (await store.receipts.positions([r])).get(r)!;
      people.forEach((p, i) => expect(positions.get(p)?.read).toEqual(at(0, i + 1)));
    });

    it('R7. reachedAt finds the first step at or past a position across buckets in a long history', async () => {
      const r = room();
      const ann = user();
      for (let bucket = 0; bucket < 3; bucket++) {
        await store.receipts.advance(Array.from({ length: 40 }, (_, i) => step(r, ann, 'read', at(bucket, i), 1_000 * bucket + i)));
      }
      expect(await store.receipts.reachedAt(r, at(1, 17))).toEqual([{ userId: ann, deliveredAt: 1_017, readAt: 1_017 }]);
      // Past the end of bucket 0: the first step of bucket 1.
      expect(await store.receipts.reachedAt(r, at(0, 99))).toEqual([{ userId: ann, deliveredAt: 1_000, readAt: 1_000 }]);
    });

    it('R6. an empty batch is a no-op', async () => {
      await store.receipts.advance([]);
      expect((await store.receipts.positions([room()])).size).toBe(0);
    });
  });
}
