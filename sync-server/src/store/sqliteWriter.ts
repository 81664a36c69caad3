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
 * event loop nor the appends wait for those.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { ProjectionFlush, ProjectionMark } from './db/store';
import { withoutWaitingForDisk } from './dialects';
import { toBuffer } from './rows';
import type { SqliteStatements } from './sqliteStatements';

export interface AppendItem {
  docName: string;
  update: Uint8Array;
  mark?: ProjectionMark;
}

export interface LogWriter {
  /** Commits the batch in one immediate transaction (one fsync); the row ids, in order. */
  append(items: AppendItem[]): Promise<number[]>;
  /** Commits a projection's inbox updates, watermarks and cleared marks in one transaction, without its own fsync. */
  flush(flush: ProjectionFlush): Promise<void>;
  /** Runs `work` (synchronous, on the main connection) once every write asked before it has committed. */
  exclusive<T>(work: () => T): Promise<T>;
  /**
   * Compacts the doc with the garbage-collecting merge away from the event loop (the
   * upkeep thread, `sqliteMaintenance.worker.mjs`); how many rows it folded. Null where
   * there is no such thread (`:memory:`).
   */
  compactAside(docName: string): Promise<number> | null;
  /** Waits for what was asked, then closes the writer's connection. */
  close(): Promise<void>;
}

/** Everything on the main connection, as before the worker existed: for `:memory:`. */
export function threadWriter(sqlite: Database.Database, q: SqliteStatements): LogWriter {
  const appendBatch = sqlite.transaction((items: AppendItem[]) => {
    const ids = items.map(({ docName, update }) => q.append(docName, toBuffer(update)));
    for (const { mark } of items) if (mark) q.mark(mark.roomId, mark.bucket);
    return ids;
  });
  const flushBatch = sqlite.transaction((flush: ProjectionFlush) => {
    for (const u of flush.updates) q.append(u.docName, toBuffer(u.update));
    for (const w of flush.watermarks) q.setWatermark(w);
    for (const m of flush.clear) q.clearMark(m.roomId, m.bucket);
  });
  return {
    append: async (items) => appendBatch.immediate(items),
    async flush(flush) {
      // See the worker: derived data, made durable by the next fsync'd append commit.
      withoutWaitingForDisk(sqlite, () => flushBatch.immediate(flush));
    },
    exclusive: async (work) => work(),
    compactAside: () => null,
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

interface Reply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: unknown; name?: string };
}

/** How often the upkeep thread copies the WAL into the database file. */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * Starts the writer thread on `file` (already WAL and migrated) and waits until it has
 * opened it, with the upkeep thread beside it (`sqliteMaintenance.worker.mjs`:
 * checkpoints and compactions).
 */
export async function startWorkerWriter(file: string, busyTimeoutMs: number): Promise<LogWriter> {
  // Without the process's own flags: the threads are plain JavaScript and need no loader
  // (a `--import` of a TypeScript module, say, would fail in them).
  const writer = new WorkerWriter(
    new RequestThread('writer', () => new Worker(new URL('./sqliteWriter.worker.mjs', import.meta.url), { workerData: { file, busyTimeoutMs }, execArgv: [] })),
    // Its checkpoints run on a timer: started at once, and again should it end.
    new RequestThread('upkeep', () => new Worker(new URL('./sqliteMaintenance.worker.mjs', import.meta.url), { workerData: { file, busyTimeoutMs, everyMs: CHECKPOINT_EVERY_MS }, execArgv: [] }), {
      alwaysRunning: true,
    }),
  );
  try {
    await writer.ready();
  } catch (error) {
    await writer.terminate();
    throw error;
  }
  return writer;
}

/**
 * A worker thread answering requests, seen from the main thread. A thread that dies (an
 * exception in it, out of memory) fails what was in flight, which the clients were not
 * told was stored and send again; the next request starts another thread on the same
 * file, so one bad moment never leaves the node refusing every message until a restart.
 * Only a thread with a request in flight keeps the process alive.
 */
class RequestThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private worker: Worker;
  /** Why the current thread died, until the next request starts another. */
  private lost: Error | null = null;
  private closed = false;

  constructor(
    /** Which thread ("writer", "upkeep"), for the error its end leaves. */
    private readonly name: string,
    private readonly spawn: () => Worker,
    private readonly options: { alwaysRunning?: boolean } = {},
  ) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = this.spawn();
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`the SQLite ${this.name} thread exited with code ${code}`)));
    return worker;
  }

  call(op: string, payload: object): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`the SQLite ${this.name} thread is closed`));
    if (this.lost) {
      // The thread died since the last request: this one goes to a new thread.
      this.lost = null;
      this.worker = this.start();
    }
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...payload });
    });
  }

  /** Stops the thread without waiting for what was asked. */
  async terminate(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private settle({ id, result, error }: Reply): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (!error) waiting.resolve(result);
    // The driver's error code (SQLITE_BUSY, SQLITE_IOERR, ...) crosses over, so a
    // transient failure is still told from a wrong query (`isStoreUnavailable`).
    else waiting.reject(Object.assign(new Error(error.message), { code: error.code, name: error.name ?? 'Error' }));
  }

  /** Whether the thread died and no request has started another yet. */
  get dead(): boolean {
    return this.lost !== null;
  }

  private died(worker: Worker, error: Error): void {
    if (worker !== this.worker || this.closed) return;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.lost ??= error;
    if (!this.options.alwaysRunning) return;
    // Started again a second later if no request has done it meanwhile (not at once: a
    // thread that cannot start would otherwise be restarted in a tight loop).
    setTimeout(() => {
      if (!this.lost || this.closed) return;
      this.lost = null;
      this.worker = this.start();
    }, 1_000).unref();
  }
}

/** The writer thread and the upkeep thread, seen from the main thread. */
class WorkerWriter implements LogWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly writer: RequestThread,
    private readonly upkeep: RequestThread,
  ) {}

  /** The thread answers its first request only once its connection is open. */
  ready(): Promise<unknown> {
    return this.writer.call('ping', {});
  }

  append(items: AppendItem[]): Promise<number[]> {
    const exact = items.map((item) => ({ ...item, update: ownBytes(item.update) }));
    return this.serial(() => this.writer.call('append', { items: exact }) as Promise<number[]>);
  }

  async flush(flush: ProjectionFlush): Promise<void> {
    const exact = { ...flush, updates: flush.updates.map((u) => ({ ...u, update: ownBytes(u.update) })) };
    await this.serial(() => this.writer.call('flush', { flush: exact }));
  }

  exclusive<T>(work: () => T): Promise<T> {
    return this.serial(work);
  }

  /** Not in the writer's order: the upkeep thread reads, merges with no lock held, and writes only what it read. */
  compactAside(docName: string): Promise<number> {
    return this.upkeep.call('compact', { docName }) as Promise<number>;
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
    await Promise.all([this.writer.terminate(), this.upkeep.terminate()]);
  }

  /** One request at a time, in the order asked; a failed one does not stop the next. */
  private serial<T>(run: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(run);
    this.tail = next.catch(() => {});
    return next;
  }
}
