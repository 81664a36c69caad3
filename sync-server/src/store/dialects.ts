/**
 * What the part of the store written once (`sqlStore.ts`) needs from a dialect: its
 * drizzle database and tables, a write transaction, and the few SQL spellings that
 * differ. The shared part builds its queries with drizzle's Postgres builders; SQLite's
 * builders take the same calls with the same table and column names, so SQLite's
 * database and tables are handed over under Postgres' types (the contract suite runs
 * every shared method on both). Awaiting a builder runs it on either driver.
 *
 * Transactions are generators: each `yield*` of {@link rows} or {@link run} is one
 * statement. better-sqlite3 cannot await inside a transaction, so SQLite runs the
 * generator synchronously inside one immediate transaction; Postgres awaits each
 * statement inside `db.transaction`. One body of code, both drivers' transactions.
 */
import type Database from 'better-sqlite3';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as pgTables from './db/pg';
import {
  blocks,
  clientIds,
  disappearingRooms,
  files,
  formerMembers,
  groupInvites,
  pushSubscriptions,
  receiptPositions,
  receiptSteps,
  resetTokens,
  roomMembers,
  rooms,
  serverSettings,
  sessions,
  users,
} from './db/sqlite';

/** The database (or a transaction on it), typed as Postgres'. */
export type Db = NodePgDatabase;

/** The tables the shared part uses, typed as Postgres'. */
type Tables = Pick<
  typeof pgTables,
  | 'users'
  | 'sessions'
  | 'blocks'
  | 'resetTokens'
  | 'pushSubscriptions'
  | 'serverSettings'
  | 'receiptPositions'
  | 'receiptSteps'
  | 'rooms'
  | 'roomMembers'
  | 'formerMembers'
  | 'groupInvites'
  | 'disappearingRooms'
  | 'clientIds'
  | 'files'
>;

/** One statement of a transaction: `rows` ones return rows (a select, or a write with RETURNING), the others run for effect. */
export interface Step {
  query: PromiseLike<unknown>;
  rows: boolean;
}

/** A transaction's body: yields its statements in order, returns its answer. */
type Work<T> = (tx: Db) => Generator<Step, T, unknown>;

/** A statement whose rows the transaction reads: `const found = yield* rows(tx.select()…)`. */
export function* rows<T>(query: PromiseLike<T>): Generator<Step, T, unknown> {
  return (yield { query, rows: true }) as T;
}

/** A statement run for its effect. */
export function* run(query: PromiseLike<unknown>): Generator<Step, void, unknown> {
  yield { query, rows: false };
}

/** How a transaction commits. */
interface TransactionOptions {
  /**
   * Commit without waiting for the disk (SQLite `synchronous = NORMAL`, Postgres
   * `synchronous_commit = off`): a power cut may lose the last such commits, whole,
   * and the next commit that waits for the disk makes them durable too. Only for what
   * is reported again or recomputed if lost (receipts), never for what a client was
   * told is stored.
   */
  lazy?: boolean;
}

export interface Dialect {
  readonly db: Db;
  readonly t: Tables;
  /** Runs `work` in one write transaction; rolled back if it throws. */
  transaction<T>(work: Work<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Held until the transaction ends: transactions locking one of `keys` in `space`, from
   * any process, run one at a time. The keys are taken in sorted order (two transactions
   * locking overlapping sets cannot deadlock), in one statement. Nothing on SQLite, whose
   * immediate transaction holds the file's one write lock throughout.
   */
  lock(tx: Db, space: number, keys: readonly string[]): Generator<Step, void, unknown>;
  /** The larger of two values: SQLite's two-argument `max`, Postgres' `greatest`. */
  greatest(column: SQLWrapper, value: SQLWrapper | number): SQL;
  /** Whether a write failed on a unique constraint. */
  isUniqueViolation(error: unknown): boolean;
}

/** The driver's error code, which drizzle may wrap in an error of its own (as `cause`). */
function codeOf(error: unknown): unknown {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.cause?.code ?? e?.code;
}

/** SQLite's prepared query as better-sqlite3 runs it: synchronously. */
interface SyncQuery {
  all(): unknown;
  run(): unknown;
}

/**
 * Runs `work` on `sqlite` with `synchronous = NORMAL` (see {@link TransactionOptions.lazy}),
 * then back to the connection's FULL. Synchronous work: nothing else runs on the
 * connection meanwhile.
 */
export function withoutWaitingForDisk<T>(sqlite: Database.Database, work: () => T): T {
  sqlite.pragma('synchronous = NORMAL');
  try {
    return work();
  } finally {
    sqlite.pragma('synchronous = FULL');
  }
}

/**
 * SQLite's dialect on the main connection. `exclusive` runs each write transaction when
 * the store's writer thread has no commit in flight (`LogWriter.exclusive`), so it never
 * sleeps on that thread's write lock with the event loop blocked.
 */
export function sqliteDialect(db: BetterSQLite3Database, sqlite: Database.Database, exclusive: <T>(work: () => T) => Promise<T>): Dialect {
  return {
    db: db as unknown as Db,
    t: {
      users,
      sessions,
      blocks,
      resetTokens,
      pushSubscriptions,
      serverSettings,
      receiptPositions,
      receiptSteps,
      rooms,
      roomMembers,
      formerMembers,
      groupInvites,
      disappearingRooms,
      clientIds,
      files,
    } as unknown as Tables,
    transaction<T>(work: Work<T>, options?: TransactionOptions): Promise<T> {
      const commit = () =>
        db.transaction(
          (tx) => {
            const body = work(tx as unknown as Db);
            let step = body.next();
            while (!step.done) {
              const query = step.value.query as unknown as SyncQuery;
              step = body.next(step.value.rows ? query.all() : query.run());
            }
            return step.value;
          },
          // Take the write lock up front: a deferred transaction that reads then writes can
          // fail with SQLITE_BUSY instead of waiting when another process writes meanwhile.
          { behavior: 'immediate' },
        );
      return exclusive(() => (options?.lazy ? withoutWaitingForDisk(sqlite, commit) : commit()));
    },
    *lock() {},
    greatest: (column, value) => sql`max(${column}, ${value})`,
    isUniqueViolation: (error) => codeOf(error) === 'SQLITE_CONSTRAINT_UNIQUE',
  };
}

export function pgDialect(db: NodePgDatabase): Dialect {
  return {
    db,
    t: pgTables,
    transaction: <T>(work: Work<T>, options?: TransactionOptions) =>
      db.transaction(async (tx) => {
        if (options?.lazy) await tx.execute(sql`set local synchronous_commit = off`);
        const body = work(tx as unknown as Db);
        let step = body.next();
        while (!step.done) step = body.next(await step.value.query);
        return step.value;
      }),
    *lock(tx, space, keys) {
      if (keys.length === 0) return;
      const sorted = JSON.stringify([...new Set(keys)].sort());
      yield* run(tx.execute(sql`select pg_advisory_xact_lock(${space}, hashtext(k)) from (select k from jsonb_array_elements_text(${sorted}::jsonb) as k order by k) as sorted`));
    },
    greatest: (column, value) => sql`greatest(${column}, ${value})`,
    // 23505 unique_violation.
    isUniqueViolation: (error) => codeOf(error) === '23505',
  };
}
