/**
 * The shared store: Postgres through a pg Pool, for several sync-server processes on
 * one database. Whatever must hold across processes (compaction, migrations) is
 * serialised with advisory locks rather than by the process. This file holds the doc
 * log; the tables both dialects write alike are {@link SqlStore}'s.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { asc, count, eq, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { RoomId } from '#schema/ids';
import type { LoadLogsAfter, LogOptions, ProjectionFlush, ProjectionMark, ProjectionWatermark, Store, StoreThread } from './db/store';
import { docSnapshots, docUpdates, projectionMarks, projectionWatermarks } from './db/pg';
import { pgDialect } from './dialects';
import { GroupCommit } from './groupCommit';
import { SqlStore } from './sqlStore';
import { foldMerged, mergeInput, toBuffer, toBytes, updateBytes, type LogRow, type Merge, type WriteDoc } from './rows';
import { SnapshotMergeThread } from './snapshotMergeThread';

const MIGRATIONS = fileURLToPath(new URL('./db/migrations/pg', import.meta.url));

/**
 * Advisory lock keys. Migrations take a single bigint key; compaction takes the
 * two-int form (namespace, hashtext(doc)), a separate key space per the Postgres docs,
 * so a doc hash can never collide with the migration lock.
 */
const MIGRATION_LOCK_KEY = 0x6a65636f; // "jeco"
export const WRITE_LOCK_NAMESPACE = 0x6a656302;
const PROJECTION_LOCK_NAMESPACE = 0x6a656303;

/** Connects to `url`, applies pending migrations (one process at a time) and returns the store. */
export async function openPgStore(url: string, log: LogOptions = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client dropped by the server emits 'error' on the pool, which would crash
  // the process if unheard; the pool discards that client and the next query reconnects.
  pool.on('error', () => {});
  // A checked-out client is not covered by the pool's listener: when Postgres restarts
  // it gets the server's shutdown error (57P01) while a query is in flight, and unheard
  // that crashes the process. The query itself fails and its caller sees that.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await migrateLocked(pool);
    return new PgStore(pool, drizzle({ client: pool }), log);
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** drizzle's migrator is not safe to run from two processes at once, so replicas starting together queue here. */
async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** The pool or a transaction on it: anything that can run a statement. */
type Reader = Pick<NodePgDatabase, 'execute'>;

/** What the log holds for a reader after row `afterId`: the snapshot if it needs it, the rows after it in order, and the last row id that makes. */
interface LogAfter {
  snapshot: Buffer | null;
  rows: LogRow[];
  lastId: number;
}

/** Whether a reader after log row `afterId` needs the snapshot: from the start always (one written before covers_id existed holds 0), else once a compaction folded rows past it. */
function snapshotNeeded(afterId: number, coversId: number): boolean {
  return afterId === 0 || coversId > afterId;
}

/**
 * The log after an id, for one doc or several, in one statement: one round trip, and
 * one snapshot of the database for the rows and the snapshot, so a compaction
 * committing meanwhile cannot hide the rows it folded (a transaction of two selects
 * took four round trips). A projection catches every member's inbox up with it. Each
 * doc's rows come from its own index range, driven by the list asked for; a snapshot
 * comes back only to a reader that needs it, not on every catch-up.
 */
async function readLogs(tx: Reader, docs: readonly { docName: string; afterId: number }[]): Promise<LogAfter[]> {
  if (docs.length === 0) return [];
  const lowest = new Map<string, number>();
  for (const { docName, afterId } of docs) lowest.set(docName, Math.min(afterId, lowest.get(docName) ?? afterId));
  const wanted = JSON.stringify([...lowest].map(([name, after]) => ({ name, after })));
  const { rows } = await tx.execute<{ doc_name: string; id: string | number; bytes: Buffer; snapshot: boolean }>(
    sql`with wanted as (select * from jsonb_to_recordset(${wanted}::jsonb) as w(name text, after bigint))
      select w.name as doc_name, u.id, u.update as bytes, false as snapshot from wanted w
        cross join lateral (select id, update from ${docUpdates} where ${docUpdates.docName} = w.name and ${docUpdates.id} > w.after) as u
      union all
      select s.doc_name, s.covers_id, s.snapshot, true from wanted w
        join ${docSnapshots} s on s.doc_name = w.name
        where w.after = 0 or s.covers_id > w.after`,
  );
  const rowsOf = new Map<string, LogRow[]>();
  const snapOf = new Map<string, { snapshot: Buffer; coversId: number }>();
  for (const row of rows) {
    if (row.snapshot) snapOf.set(row.doc_name, { snapshot: row.bytes, coversId: Number(row.id) });
    else {
      const list = rowsOf.get(row.doc_name) ?? [];
      list.push({ id: Number(row.id), update: row.bytes });
      rowsOf.set(row.doc_name, list);
    }
  }
  return docs.map(({ docName, afterId }) => {
    const mine = (rowsOf.get(docName) ?? []).filter((r) => r.id > afterId).sort((a, b) => a.id - b.id);
    // Only a reader that needs it was sent it (the lowest after asked for a doc decides), and then never one that does not.
    const snap = snapOf.get(docName);
    const needed = snap && snapshotNeeded(afterId, snap.coversId) ? snap : null;
    return { snapshot: needed?.snapshot ?? null, rows: mine, lastId: Math.max(afterId, mine.at(-1)?.id ?? needed?.coversId ?? 0) };
  });
}

/** {@link readLogs} for one doc. */
async function readLog(tx: Reader, docName: string, afterId = 0): Promise<LogAfter> {
  const [log] = await readLogs(tx, [{ docName, afterId }]);
  return log!;
}

/** {@link readLogs} as a projection takes it: a doc's snapshot first among its updates. */
async function readLogsAfter(tx: Reader, docs: Parameters<LoadLogsAfter>[0]): ReturnType<LoadLogsAfter> {
  return (await readLogs(tx, docs)).map(({ snapshot, rows, lastId }) => {
    const updates = rows.map((r) => toBytes(r.update));
    return { updates: snapshot ? [toBytes(snapshot), ...updates] : updates, lastId };
  });
}

/** Each mark once, ordered by room then bucket: the order every node inserts them in. */
function sortedMarks(marks: readonly ProjectionMark[]): ProjectionMark[] {
  const unique = new Map(marks.map((m) => [`${m.roomId}\u0000${m.bucket}`, m]));
  const byRoom = (a: ProjectionMark, b: ProjectionMark) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0);
  return [...unique.values()].sort((a, b) => byRoom(a, b) || a.bucket - b.bucket);
}

/** A batch of appends and their projection marks, as one statement (see the constructor). */
const APPEND_BATCH = `with appended as (
  insert into doc_updates (doc_name, update) select * from unnest($1::text[], $2::bytea[]) returning id
), marked as (
  insert into projection_marks (room_id, bucket) select * from unnest($3::text[], $4::bigint[]) on conflict do nothing
)
select id from appended`;

class PgStore extends SqlStore implements Store {
  readonly dialect = 'postgres';
  private readonly appends: GroupCommit<{ docName: string; update: Uint8Array; mark?: ProjectionMark }>;
  private readonly merges = new SnapshotMergeThread();

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: NodePgDatabase,
    log: LogOptions,
  ) {
    super(pgDialect(db));
    // One statement per batch of appends: its own transaction, one round trip and one
    // commit, where BEGIN, the inserts and COMMIT took three or four, each a turn of a
    // busy event loop. Both inserts are in it, so a batch's marks commit with its rows.
    this.appends = new GroupCommit(async (items) => {
      // Each mark once, in one order for every node: two nodes inserting the same marks
      // in different orders each waited on the other's insert, and Postgres ended one
      // batch as a deadlock (its clients were refused, to send again).
      const marks = sortedMarks(items.flatMap(({ mark }) => (mark ? [mark] : [])));
      // Named, so each pooled connection parses and plans it once, not once per batch.
      const { rows } = await this.pool.query<{ id: string }>({
        name: 'jeco-append-batch',
        text: APPEND_BATCH,
        values: [items.map((i) => i.docName), items.map((i) => toBuffer(i.update)), marks.map((m) => m.roomId), marks.map((m) => m.bucket)],
      });
      this.counted(updateBytes(items));
      // Rows are inserted in the order unnest lists them, and a sequence only grows: the ids, sorted, are the items' in order.
      return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    }, log.commitSpacingMs);
  }

  appendUpdate(docName: string, update: Uint8Array, mark?: ProjectionMark): Promise<number> {
    return this.appends.add({ docName, update, ...(mark ? { mark } : {}) });
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }> {
    const { snapshot, rows, lastId } = await readLog(this.db, docName);
    return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId };
  }

  async loadUpdatesAfter(docName: string, afterId: number): Promise<{ updates: Uint8Array[]; lastId: number }> {
    const [log] = await readLogsAfter(this.db, [{ docName, afterId }]);
    return log!;
  }

  async listProjectionMarks(): Promise<ProjectionMark[]> {
    return this.db.select().from(projectionMarks);
  }

  async getProjectionWatermarks(roomId: RoomId): Promise<ProjectionWatermark[]> {
    return this.db.select().from(projectionWatermarks).where(eq(projectionWatermarks.roomId, roomId)).orderBy(asc(projectionWatermarks.bucket));
  }

  async projectRoom(roomId: RoomId, project: (watermarks: ProjectionWatermark[], loadLogsAfter: LoadLogsAfter) => Promise<ProjectionFlush>): Promise<void> {
    const flush = await this.db.transaction(async (tx) => {
      // Held until commit: projections of one room, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${PROJECTION_LOCK_NAMESPACE}, hashtext(${roomId}))`);
      const watermarks = await tx.select().from(projectionWatermarks).where(eq(projectionWatermarks.roomId, roomId)).orderBy(asc(projectionWatermarks.bucket));
      const flush = await project(watermarks, (docs) => readLogsAfter(tx, docs));
      const clear = sortedMarks(flush.clear);
      // The inbox updates, the watermarks and the cleared marks in one statement: one round trip, where there were three; none for nothing.
      if (flush.updates.length + flush.watermarks.length + clear.length === 0) return flush;
      await tx.execute(sql`with appended as (
          insert into ${docUpdates} (doc_name, update) select * from unnest(${sql.param(flush.updates.map((u) => u.docName))}::text[], ${sql.param(flush.updates.map((u) => toBuffer(u.update)))}::bytea[])
        ), watermarked as (
          insert into ${projectionWatermarks} (room_id, bucket, length, messages)
            select * from unnest(${sql.param(flush.watermarks.map((w) => w.roomId))}::text[], ${sql.param(flush.watermarks.map((w) => w.bucket))}::bigint[], ${sql.param(flush.watermarks.map((w) => w.length))}::bigint[], ${sql.param(flush.watermarks.map((w) => w.messages))}::bigint[])
            on conflict (room_id, bucket) do update set length = excluded.length, messages = excluded.messages
        ), cleared as (
          delete from ${projectionMarks} m using unnest(${sql.param(clear.map((m) => m.roomId))}::text[], ${sql.param(clear.map((m) => m.bucket))}::bigint[]) as c(room_id, bucket)
            where m.room_id = c.room_id and m.bucket = c.bucket
        )
        select 1`);
      return flush;
    });
    this.counted(updateBytes(flush.updates));
  }

  async appendDerived(updates: readonly { docName: string; update: Uint8Array }[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`set local synchronous_commit = off`);
      await tx.insert(docUpdates).values(updates.map((u) => ({ docName: u.docName, update: toBuffer(u.update) })));
    });
    this.counted(updateBytes(updates));
  }

  async countUpdates(docName: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, docName));
    return row?.n ?? 0;
  }

  compact(docName: string, merge: Merge): Promise<number> {
    return this.compactLocked(docName, merge, 'wait');
  }

  /**
   * Skips a doc whose lock another holds, as the node that stores it too, at the same
   * moment, compacts it, or a server write of it commits: folding again after it would
   * merge the whole snapshot for a few rows. The next store compacts what is left.
   * Several nodes store a steadily changing doc together (every `maxDebounce`), and
   * this is what keeps that to one compaction, in the store, without Redis.
   */
  compactAside(docName: string): Promise<number> {
    return this.compactLocked(docName, (snapshot, updates) => this.merges.merge(snapshot, updates), 'skip');
  }

  private async compactLocked(docName: string, merge: Merge | ((...input: Parameters<Merge>) => Promise<Uint8Array>), whenHeld: 'wait' | 'skip'): Promise<number> {
    return this.db.transaction(async (tx) => {
      // The server-write lock, held until commit: compactions of one doc, from any process,
      // run one at a time, and one asked for while a server write of the doc is committing
      // (a purge compacting the preview that write replaced) waits for it and folds its row.
      // Under its own lock it read the log before that row committed, and the replaced words
      // stayed in the snapshot with nothing left to ask for another compaction. A debounced
      // compaction (`compactAside`) does not wait: it folds nothing that needs folding now.
      if (whenHeld === 'wait') await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName}))`);
      else {
        const { rows } = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName})) as locked`);
        if (rows[0]?.locked !== true) return 0;
      }
      // The rows it folds are durable already: a crash that loses this commit leaves them as they were.
      await tx.execute(sql`set local synchronous_commit = off`);
      const { snapshot, rows } = await readLog(tx, docName);
      if (rows.length === 0) return 0;
      // A debounced compaction merges on its own thread (`snapshotMergeThread.ts`) while this transaction waits.
      const folded = foldMerged(rows, await merge(...mergeInput(snapshot, rows)));
      const now = Date.now();
      const coversId = Math.max(...folded.ids);
      await tx
        .insert(docSnapshots)
        .values({ docName, snapshot: folded.snapshot, coversId, updatedAt: now })
        .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, coversId, updatedAt: now } });
      // Exactly the ids read, not `id <= max`: sequence values commit out of order, so a
      // row with a lower id may commit after our read, and it must survive. One array
      // parameter rather than one per id keeps clear of the 65535-parameter limit.
      await tx.delete(docUpdates).where(sql`${docUpdates.id} = any(${sql.param(folded.ids)}::bigint[])`);
      this.counted(folded.snapshot.byteLength);
      return folded.ids.length;
    });
  }

  async writeDoc(docName: string, write: WriteDoc, afterId = 0): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Held until commit: server writes to one doc, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const { snapshot, rows, lastId } = await readLog(tx, docName, afterId);
      const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId });
      if (update) await tx.insert(docUpdates).values({ docName, update: toBuffer(update) });
      this.counted(update?.byteLength ?? 0);
    });
  }

  async docExists(docName: string): Promise<boolean> {
    // One statement, one snapshot: a compaction cannot move the rows out from under it.
    const result = await this.db.execute<{ found: boolean }>(sql`select
      exists(select 1 from ${docUpdates} where ${docUpdates.docName} = ${docName})
      or exists(select 1 from ${docSnapshots} where ${docSnapshots.docName} = ${docName}) as found`);
    return result.rows[0]?.found === true;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  threads(): Promise<StoreThread[]> {
    return this.merges.threads();
  }

  async close(): Promise<void> {
    await this.appends.drain();
    await this.pool.end();
    await this.merges.close();
  }
}
