/**
 * The embedded store: one SQLite file through better-sqlite3. The driver is
 * synchronous, so most methods do their work before returning a settled promise. The
 * doc log's commits (appends, projection flushes) run on a writer thread with its own
 * connection (`sqliteWriter.ts`), so the event loop does not wait for their fsyncs; a
 * resolved {@link Store.appendUpdate} has still committed. This file holds the doc log;
 * the tables both dialects write alike are {@link SqlStore}'s.
 */
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, eq, lte } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { RoomId, UserId } from '#schema/ids';
import type { MemberRole } from '#schema/docs/roomHead';
import type { LoadLogsAfter, LogOptions, MemberCard, ProjectionFlush, ProjectionMark, ProjectionWatermark, RoomMemberRow, Store, StoreThread, UserRow } from './db/store';
import { docSnapshots, docUpdates, projectionMarks } from './db/sqlite';
import { sqliteDialect, withoutWaitingForDisk } from './dialects';
import { GroupCommit } from './groupCommit';
import { prepareStatements, type SqliteStatements } from './sqliteStatements';
import { isFlush, startWorkerWriter, threadWriter, WAL_SIZE_LIMIT_BYTES, type LogItem, type LogWriter } from './sqliteWriter';
import { SqliteReceipts } from './sqliteReceipts';
import { SqlStore } from './sqlStore';
import { fold, mergeForSnapshot, toBuffer, toBytes, updateBytes, type LogRow, type Merge, type WriteDoc } from './rows';

const MIGRATIONS = fileURLToPath(new URL('./db/migrations/sqlite', import.meta.url));

/** How long a write waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating if needed) the SQLite database at `file`, or `:memory:`, and migrates it. */
export async function openSqliteStore(file: string, log: LogOptions = {}): Promise<Store> {
  const sqlite = new Database(file);
  try {
    // WAL lets readers run beside the one writer; FULL makes each commit survive power
    // loss too, which "sent means durable" needs (NORMAL may lose the last commits).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const db = drizzle({ client: sqlite });
    migrate(db, { migrationsFolder: MIGRATIONS });
    const q = prepareStatements(db);
    // A commit that finds the WAL past its limit copies it into the database file first
    // (a checkpoint: 250 ms of this thread under load); the upkeep thread does that
    // instead (`sqliteWriter.ts`).
    if (!sqlite.memory) {
      sqlite.pragma('wal_autocheckpoint = 0');
      sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    }
    // An in-memory database is this connection's alone: no second connection can write it.
    const writer = sqlite.memory ? threadWriter(sqlite, q) : await startWorkerWriter(file, BUSY_TIMEOUT_MS);
    return new SqliteStore(sqlite, db, q, writer, log);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

class SqliteStore extends SqlStore implements Store {
  readonly dialect = 'sqlite';
  override readonly receipts: SqliteReceipts;
  /** The doc log's commits: client appends, and the projections' flushes among them. */
  private readonly appends: GroupCommit<LogItem>;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
    private readonly q: SqliteStatements,
    /** Commits the doc log's writes: a worker thread for a file, this thread for `:memory:`. */
    private readonly writer: LogWriter,
    log: LogOptions,
  ) {
    super(sqliteDialect(db, sqlite, (work) => writer.exclusive(work)));
    this.receipts = new SqliteReceipts(this.d, sqlite, q, (work) => writer.exclusive(work));
    // One immediate transaction (one fsync with synchronous=FULL) per batch of appends,
    // with the projection flushes asked meanwhile: a flush costs no transaction of its own.
    this.appends = new GroupCommit(async (items) => {
      const ids = await this.writer.commit(items);
      this.counted(items.reduce((sum, item) => sum + (isFlush(item) ? updateBytes(item.flush.updates) : item.update.byteLength), 0));
      return ids;
    }, log.commitSpacingMs);
  }

  override async getRoomMembers(id: RoomId): Promise<RoomMemberRow[]> {
    return this.q.members(id);
  }

  override async getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]> {
    return ids.length === 0 ? [] : this.q.users(ids);
  }

  override async getMemberCards(ids: readonly UserId[]): Promise<MemberCard[]> {
    return ids.length === 0 ? [] : this.q.cards(ids);
  }

  override async getRoomMemberCards(id: RoomId): Promise<{ userId: UserId; card: MemberCard | null }[]> {
    return this.q.memberCards(id);
  }

  override async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    return this.q.role(roomId, userId);
  }

  appendUpdate(docName: string, update: Uint8Array, mark?: ProjectionMark): Promise<number> {
    return this.appends.add({ docName, update, ...(mark ? { mark } : {}) });
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }> {
    // One read transaction, so a compaction committed by another process cannot land
    // between reading the snapshot and reading the rows it folded in.
    return this.db.transaction(() => {
      const { snapshot, rows } = this.q.readLog(docName);
      return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId: this.lastIdOf(docName, rows) };
    });
  }

  async loadUpdatesAfter(docName: string, afterId: number): Promise<{ updates: Uint8Array[]; lastId: number }> {
    return this.db.transaction(() => {
      const { snapshot, rows } = this.q.readLog(docName, afterId);
      const updates = rows.map((r) => toBytes(r.update));
      return { updates: snapshot ? [toBytes(snapshot), ...updates] : updates, lastId: Math.max(afterId, this.lastIdOf(docName, rows)) };
    });
  }

  /** The highest row id read, or the snapshot's when every row is folded into it. */
  private lastIdOf(docName: string, rows: readonly LogRow[]): number {
    return rows.at(-1)?.id ?? this.q.coversId(docName);
  }

  async listProjectionMarks(): Promise<ProjectionMark[]> {
    return this.db.select().from(projectionMarks).all();
  }

  async getProjectionWatermarks(roomId: RoomId): Promise<ProjectionWatermark[]> {
    return this.q.watermarks(roomId);
  }

  async projectRoom(roomId: RoomId, project: (watermarks: ProjectionWatermark[], loadLogsAfter: LoadLogsAfter) => Promise<ProjectionFlush>): Promise<void> {
    // One process writes this file, and the caller queues a room's projections one at a
    // time, so the watermarks cannot move between this read and the commit below.
    const flush = await project(await this.getProjectionWatermarks(roomId), (docs) => Promise.all(docs.map(({ docName, afterId }) => this.loadUpdatesAfter(docName, afterId))));
    // In the group commit's next transaction, where the appends asked before it stand
    // before it and those asked after it after it. Derived data: a batch of flushes alone
    // commits without an fsync (the WAL is written in order, so the next commit that
    // holds an append makes it durable too); until then a power loss loses it together
    // with nothing acknowledged, and the marks it cleared are still on disk, so the
    // projection is recomputed on start. (A process crash loses nothing: the WAL is in
    // the OS's cache.)
    await this.appends.add({ flush });
  }

  async writeDoc(docName: string, write: WriteDoc, afterId = 0): Promise<void> {
    // An immediate transaction holds SQLite's single write lock throughout; `exclusive`
    // runs it once the writer thread's commits asked before it are done.
    await this.writer.exclusive(() =>
      this.db.transaction(
        () => {
          const { snapshot, rows } = this.q.readLog(docName, afterId);
          const lastId = Math.max(afterId, this.lastIdOf(docName, rows));
          const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId });
          if (update) {
            this.q.append(docName, toBuffer(update));
            this.counted(update.byteLength);
          }
        },
        { behavior: 'immediate' },
      ),
    );
  }

  async appendDerived(updates: readonly { docName: string; update: Uint8Array }[]): Promise<void> {
    if (updates.length === 0) return;
    // A flush without watermarks (the receipts' aggregates), a request of its own to the
    // writer thread, not held for the group commit's spacing: held there, app traffic
    // cost more CPU per copy in four alternated pairs of four (`docs/benchmarks.md`).
    const [result] = await this.writer.commit([{ flush: { updates: [...updates], watermarks: [], clear: [] } }]);
    if (result instanceof Error) throw result;
    this.counted(updateBytes(updates));
  }

  async countUpdates(docName: string): Promise<number> {
    return this.q.updateCount(docName);
  }

  async compact(docName: string, merge: Merge): Promise<number> {
    // Like writeDoc: after the writer thread's commits asked before it, holding the single
    // writer. Without waiting for the disk: the rows it folds are durable already, and a
    // power cut that loses the commit loses all of it, leaving them as they were.
    return this.writer.exclusive(() =>
      withoutWaitingForDisk(this.sqlite, () =>
        this.db.transaction(
          (tx) => {
            const { snapshot, rows } = this.q.readLog(docName);
            const folded = fold(snapshot, rows, merge);
            if (!folded) return 0;
            const coversId = folded.ids[folded.ids.length - 1]!;
            tx.insert(docSnapshots)
              .values({ docName, snapshot: folded.snapshot, coversId, updatedAt: Date.now() })
              .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, coversId, updatedAt: Date.now() } })
              .run();
            // The immediate transaction holds SQLite's single write lock from the start, so
            // no other writer can slip a lower id in: deleting up to the highest id read is
            // exactly the rows read, without one bound parameter per row (SQLite caps those).
            // Rows the merge callback itself appended get higher ids and are kept.
            this.counted(folded.snapshot.byteLength);
            const last = folded.ids[folded.ids.length - 1]!;
            tx.delete(docUpdates)
              .where(and(eq(docUpdates.docName, docName), lte(docUpdates.id, last)))
              .run();
            return folded.ids.length;
          },
          { behavior: 'immediate' },
        ),
      ),
    );
  }

  compactAside(docName: string): Promise<number> {
    return this.writer.compactAside(docName) ?? this.compact(docName, mergeForSnapshot);
  }

  async docExists(docName: string): Promise<boolean> {
    // Log rows first: compaction writes the snapshot before deleting them, so checking in
    // this order cannot miss a doc that is being compacted by another process.
    const row = this.db.select({ id: docUpdates.id }).from(docUpdates).where(eq(docUpdates.docName, docName)).limit(1).get();
    if (row) return true;
    const snap = this.db.select({ docName: docSnapshots.docName }).from(docSnapshots).where(eq(docSnapshots.docName, docName)).get();
    return snap !== undefined;
  }

  async ping(): Promise<void> {
    this.sqlite.prepare('select 1').get();
  }

  threads(): Promise<StoreThread[]> {
    return this.writer.threads();
  }

  async close(): Promise<void> {
    await this.appends.drain();
    await this.writer.close();
    this.sqlite.close();
  }
}
