import type * as Y from 'yjs';
import { reactionKeys } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import type { RoomId } from '#schema/ids';

/** The reactions waiting for their room's next message projection, per bucket. */
export class PendingReactions {
  /**
   * Reactions changed by clients since the room's last projection, per bucket (keys
   * `<messageId>:<userId>`). The change's own append already marked the bucket in the
   * store (design §5b: no write of its own); the next projection turns them into items
   * of the reacted-to authors' lists, in its per-inbox batch. After a crash the set is
   * gone, so a recovered bucket's reactions are all looked at again (`rescan`).
   */
  private readonly pending = new Map<RoomId, Map<number, Set<string>>>();
  /** Buckets (doc names) recovered after a crash: all their reactions are looked at again. */
  private readonly rescanning = new Set<string>();

  /** Reaction keys a client changed in a room's bucket. */
  note(roomId: RoomId, bucket: number, keys: readonly string[]): void {
    const byBucket = this.pending.get(roomId) ?? new Map<number, Set<string>>();
    const pending = byBucket.get(bucket) ?? new Set<string>();
    for (const key of keys) pending.add(key);
    byBucket.set(bucket, pending);
    this.pending.set(roomId, byBucket);
  }

  /** A bucket recovered after a crash: its next projection looks at every reaction in it. */
  rescan(docName: string): void {
    this.rescanning.add(docName);
  }

  /** The reaction keys waiting for these buckets (all of a recovered bucket's), taken out of the waiting set. */
  take(roomId: RoomId, docs: ReadonlyMap<number, Y.Doc>): Map<number, Set<string>> {
    const byBucket = this.pending.get(roomId);
    const out = new Map<number, Set<string>>();
    for (const [b, doc] of docs) {
      const keys = byBucket?.get(b) ?? new Set<string>();
      byBucket?.delete(b);
      if (this.rescanning.delete(bucketDoc(roomId, b))) for (const key of reactionKeys(doc)) keys.add(key);
      if (keys.size > 0) out.set(b, keys);
    }
    if (byBucket?.size === 0) this.pending.delete(roomId);
    return out;
  }

  /** Puts taken keys back: their projection failed, and the next one tries again. */
  restore(roomId: RoomId, taken: ReadonlyMap<number, Set<string>>): void {
    if (taken.size === 0) return;
    const byBucket = this.pending.get(roomId) ?? new Map<number, Set<string>>();
    for (const [b, keys] of taken) byBucket.set(b, new Set([...keys, ...(byBucket.get(b) ?? [])]));
    this.pending.set(roomId, byBucket);
  }
}
