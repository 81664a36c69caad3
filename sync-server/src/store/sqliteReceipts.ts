import type Database from 'better-sqlite3';
import type { ReceiptAdvanceRow } from './db/receiptStore';
import { withoutWaitingForDisk, type Dialect } from './dialects';
import { foldAdvances, memberKey, type PositionRow } from './receiptRows';
import type { SqliteStatements } from './sqliteStatements';
import { SqlReceipts } from './sqlReceipts';

/**
 * Receipts on SQLite: a flush of reports through statements prepared once. The shared
 * flush (`sqlReceipts.ts`) builds a multi-row read and two multi-row writes for each
 * flush, which SQLite compiles anew every time (their row counts vary): with the app's
 * receipts at 300 messages a second, about a thirtieth of the main thread's busy time
 * (`npm run bench:load -- --traffic app --cpu-prof`). Here each member's row is read and
 * written by the same compiled statements, in one immediate transaction that does not
 * wait for the disk, as the shared flush does; everything else is shared.
 */
export class SqliteReceipts extends SqlReceipts {
  private readonly advanceBatch: Database.Transaction<(advances: readonly ReceiptAdvanceRow[]) => void>;

  constructor(
    d: Dialect,
    private readonly sqlite: Database.Database,
    q: SqliteStatements,
    /** Runs the work once the store's writer thread has no commit in flight (`LogWriter.exclusive`). */
    private readonly exclusive: <T>(work: () => T) => Promise<T>,
  ) {
    super(d);
    this.advanceBatch = sqlite.transaction((advances: readonly ReceiptAdvanceRow[]) => {
      const current = new Map<string, PositionRow>();
      for (const { roomId, userId } of advances) {
        const key = memberKey(roomId, userId);
        if (current.has(key)) continue;
        const row = q.receiptPosition(roomId, userId);
        if (row) current.set(key, row);
      }
      const { positions, steps } = foldAdvances(current, advances);
      for (const row of positions) q.setReceiptPosition(row);
      for (const row of steps) q.addReceiptStep(row);
    });
  }

  override async advance(advances: readonly ReceiptAdvanceRow[]): Promise<void> {
    if (advances.length === 0) return;
    await this.exclusive(() => withoutWaitingForDisk(this.sqlite, () => this.advanceBatch.immediate(advances)));
  }
}
