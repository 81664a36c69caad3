/**
 * Who commits the SQLite store's doc-log writes. better-sqlite3 is synchronous, and with
 * synchronous = FULL every append commit waits for an fsync: on the event loop that was
 * the largest self time under load (`npm run bench:load -- --cpu-prof`). So a file store
 * hands its group commit's appends and its projection flushes to a worker thread with a
 * connection of its own (`sqliteWriter.worker.mjs`); WAL lets the main connection go on
 * reading meanwhile, and the main thread is free while the disk syncs.
 *
 * The writer runs one request at a time, in the order asked, and `exclusive` runs a
 * piece of synchronous work on the main connection (a server write's read-modify-write,
 * a compaction) only while the thread has nothing in flight: the doc-log writes of one
 * process never wait for each other's SQLite lock, and a `writeDoc` still holds the
 * single writer from its read to its commit. An in-memory database (`:memory:`) cannot
 * be shared with another connection: it keeps every write on the main thread.
 *
 * Beside it, an upkeep thread with a third connection (`sqliteMaintenance.worker.mjs`)
 * checkpoints the WAL every second and runs the debounced compactions, so neither the
 * event loop nor the appends wait for those; when its checkpoints cannot keep up with
 * the commits, the writer thread finishes one in between two of them.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { ProjectionFlush, ProjectionMark, StoreThread } from './db/store';
import { withoutWaitingForDisk } from './dialects';
import { toBuffer } from './rows';
import type { SqliteStatements } from './sqliteStatements';
import { RequestThread, revivedError, type DescribedError } from './requestThread';

interface AppendItem {
  docName: string;
  update: Uint8Array;
  mark?: ProjectionMark;
}

/** A projection's inbox updates, watermarks and cleared marks, committed among the appends. */
export interface FlushItem {
  flush: ProjectionFlush;
}

/** One entry of a log commit. */
export type LogItem = AppendItem | FlushItem;

export const isFlush = (item: LogItem): item is FlushItem => 'flush' in item;

export interface LogWriter {
  /**
   * Commits the items in one immediate transaction, each in the order given (an append's
   * mark right after it, a flush's cleared marks where the flush stands, so a batch
   * means what the same requests one after another would); the appends' row ids, 0 for
   * a flush. One fsync, or none when every item is a flush: derived data, made durable
   * by the next commit that holds an append (the WAL is written in order). A flush that
   * fails is rolled back to a savepoint of its own and answered as its error while the
   * rest commits; a failure that ends the transaction (the disk) rejects the whole batch.
   */
  commit(items: LogItem[]): Promise<(number | Error)[]>;
  /** Runs `work` (synchronous, on the main connection) once every write asked before it has committed. */
  exclusive<T>(work: () => T): Promise<T>;
  /**
   * Compacts the doc with the garbage-collecting merge away from the event loop (the
   * upkeep thread, `sqliteMaintenance.worker.mjs`); how many rows it folded. Null where
   * there is no such thread (`:memory:`).
   */
  compactAside(docName: string): Promise<number> | null;
  /** The threads it runs (`Store.threads`): none for `:memory:`. */
  threads(): Promise<StoreThread[]>;
  /** Waits for what was asked, then closes the writer's connection. */
  close(): Promise<void>;
}

/** Everything on the main connection, as before the worker existed: for `:memory:`. */
export function threadWriter(sqlite: Database.Database, q: SqliteStatements): LogWriter {
  // Nested in the batch's transaction, better-sqlite3 makes this a savepoint.
  const writeFlush = sqlite.transaction(({ updates, watermarks, clear }: ProjectionFlush) => {
    for (const u of updates) q.append(u.docName, toBuffer(u.update));
    for (const w of watermarks) q.setWatermark(w);
    for (const m of clear) q.clearMark(m.roomId, m.bucket);
  });
  const commitBatch = sqlite.transaction((items: LogItem[]) =>
    items.map((item): number | Error => {
      if (isFlush(item)) {
        try {
          writeFlush(item.flush);
          return 0;
        } catch (error) {
          if (!sqlite.inTransaction) throw error;
          return error instanceof Error ? error : new Error(String(error));
        }
      }
      const id = q.append(item.docName, toBuffer(item.update));
      if (item.mark) q.mark(item.mark.roomId, item.mark.bucket);
      return id;
    }),
  );
  return {
    async commit(items) {
      // As on the worker: a batch of flushes alone does not wait for the disk.
      return items.every(isFlush) ? withoutWaitingForDisk(sqlite, () => commitBatch.immediate(items)) : commitBatch.immediate(items);
    },
    exclusive: async (work) => work(),
    compactAside: () => null,
    threads: async () => [],
    close: async () => {},
  };
}

/**
 * The bytes of `view` alone: posting a view copies its whole underlying buffer (an
 * update decoded from a socket frame is a view into that frame, or into Node's pool).
 */
function ownBytes(view: Uint8Array): Uint8Array {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}

/** How often the upkeep thread copies the WAL into the database file. */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * When the writer thread finishes a checkpoint (`finishCheckpoint` in
 * `sqliteWriter.worker.mjs`). The upkeep thread's passes take no lock, so under steady
 * load commits overtake them; the WAL starts over only when a commit finds all of it
 * copied, so it grew without end (4 MB a second at 1,000 msgs/s, each commit adding to
 * the file, each read searching a longer WAL index). Finishing in the writer's order holds
 * the appends for a few milliseconds, so it is asked only when the passes were overtaken
 * every time and the WAL holds `overtakenFrames` (4 MB of 4 KB pages), or whatever the
 * passes did, once it holds `frames`: one segment of the WAL index, 16 MB (a reader in
 * the WAL at the wrong moment keeps it from starting over, too).
 */
const FINISH_AT = { overtakenFrames: 1_024, frames: 4_096 };

/**
 * The size a WAL file is cut back to when it starts over (`journal_size_limit`, on every
 * connection that commits): a burst that grew it leaves no lasting file behind, and
 * below this the file's blocks are written over again rather than added to.
 */
export const WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * Starts the writer thread on `file` (already WAL and migrated) and waits until it has
 * opened it, with the upkeep thread beside it (`sqliteMaintenance.worker.mjs`:
 * checkpoints and compactions).
 */
export async function startWorkerWriter(file: string, busyTimeoutMs: number): Promise<LogWriter> {
  // Without the process's own flags: the threads are plain JavaScript and need no loader
  // (a `--import` of a TypeScript module, say, would fail in them).
  const options = { workerData: { file, busyTimeoutMs, walLimitBytes: WAL_SIZE_LIMIT_BYTES }, execArgv: [] };
  const writer = new WorkerWriter(
    new RequestThread('SQLite writer', () => new Worker(new URL('./sqliteWriter.worker.mjs', import.meta.url), options)),
    new RequestThread('SQLite upkeep', () => new Worker(new URL('./sqliteMaintenance.worker.mjs', import.meta.url), options)),
  );
  try {
    await writer.ready();
  } catch (error) {
    await writer.terminate();
    throw error;
  }
  return writer;
}

/** The writer thread and the upkeep thread, seen from the main thread. */
class WorkerWriter implements LogWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Checkpoints every second; a thread that died meanwhile is started again by the next one's request. */
  private readonly checkpoints: NodeJS.Timeout;
  private checkpointing = false;

  constructor(
    private readonly writer: RequestThread,
    private readonly upkeep: RequestThread,
  ) {
    this.checkpoints = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS).unref();
  }

  /**
   * The upkeep thread's lock-free passes; then, if they left the WAL long, the rest of the
   * copy on the writer thread, in the writers' order (`sqliteWriter.worker.mjs`). A failed or busy
   * checkpoint copies nothing or less; the next second tries again.
   */
  private async checkpoint(): Promise<void> {
    if (this.checkpointing || this.closed) return;
    this.checkpointing = true;
    try {
      const { frames, caughtUp } = (await this.upkeep.call('checkpoint', {})) as { frames: number; caughtUp: boolean };
      const finish = frames >= FINISH_AT.frames || (!caughtUp && frames >= FINISH_AT.overtakenFrames);
      if (finish && !this.closed) await this.serial(() => this.writer.call('finishCheckpoint', {}));
    } catch {
      // Nothing to undo: the WAL keeps what it holds until the next checkpoint.
    } finally {
      this.checkpointing = false;
    }
  }

  /** The thread answers its first request only once its connection is open. */
  ready(): Promise<unknown> {
    return this.writer.call('ping', {});
  }

  async commit(items: LogItem[]): Promise<(number | Error)[]> {
    const exact = items.map((item) =>
      isFlush(item) ? { flush: { ...item.flush, updates: item.flush.updates.map((u) => ({ ...u, update: ownBytes(u.update) })) } } : { ...item, update: ownBytes(item.update) },
    );
    const results = (await this.serial(() => this.writer.call('commit', { items: exact }))) as (number | { error: DescribedError })[];
    return results.map((result) => (typeof result === 'number' ? result : revivedError(result.error)));
  }

  exclusive<T>(work: () => T): Promise<T> {
    return this.serial(work);
  }

  /** Not in the writer's order: the upkeep thread reads, merges with no lock held, and writes only what it read. */
  compactAside(docName: string): Promise<number> {
    return this.upkeep.call('compact', { docName }) as Promise<number>;
  }

  /** Not in the writer's order: a thread answers it between two requests, without waiting for the appends queued on this side. */
  async threads(): Promise<StoreThread[]> {
    const named = [
      { name: 'sqlite writer', thread: this.writer },
      { name: 'sqlite upkeep', thread: this.upkeep },
    ];
    const tids = await Promise.all(named.map(({ thread }) => thread.kernelThreadId()));
    return named.flatMap(({ name }, i) => (tids[i] ? [{ name, tid: tids[i] }] : []));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.writer.dead) await this.serial(() => this.writer.call('close', {}));
    await this.terminate();
  }

  /** Stops the threads without waiting for what was asked. */
  async terminate(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkpoints);
    await Promise.all([this.writer.terminate(), this.upkeep.terminate()]);
  }

  /** One request at a time, in the order asked; a failed one does not stop the next. */
  private serial<T>(run: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(run);
    this.tail = next.catch(() => {});
    return next;
  }
}
