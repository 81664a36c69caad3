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

/** How often the checkpoint thread copies the WAL into the database file. */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * Starts the writer thread on `file` (already WAL and migrated) and waits until it has
 * opened it, with the checkpoint thread beside it (`sqliteCheckpoints.worker.mjs`).
 */
export async function startWorkerWriter(file: string, busyTimeoutMs: number): Promise<LogWriter> {
  // Without the process's own flags: the threads are plain JavaScript and need no loader
  // (a `--import` of a TypeScript module, say, would fail in them).
  const spawn = () => new Worker(new URL('./sqliteWriter.worker.mjs', import.meta.url), { workerData: { file, busyTimeoutMs }, execArgv: [] });
  const checkpoints = () => new Worker(new URL('./sqliteCheckpoints.worker.mjs', import.meta.url), { workerData: { file, everyMs: CHECKPOINT_EVERY_MS }, execArgv: [] });
  const writer = new WorkerWriter(spawn, checkpoints);
  try {
    await writer.ready();
  } catch (error) {
    await writer.terminate();
    throw error;
  }
  return writer;
}

/**
 * The writer thread, seen from the main thread. A thread that dies (an exception in
 * it, out of memory) fails what was in flight, which the clients were not told was
 * stored and send again; the next request starts another thread on the same file,
 * so one bad moment never leaves the node refusing every message until a restart.
 */
class WorkerWriter implements LogWriter {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private tail: Promise<unknown> = Promise.resolve();
  private worker: Worker;
  /** Why the current thread died, until the next request starts another. */
  private lost: Error | null = null;
  private closed = false;
  private checkpoints: Worker;

  constructor(
    private readonly spawn: () => Worker,
    private readonly spawnCheckpoints: () => Worker,
  ) {
    this.worker = this.start();
    this.checkpoints = this.startCheckpoints();
  }

  /** The checkpoint thread, started again should it ever end: without it the WAL would only grow. */
  private startCheckpoints(): Worker {
    const worker = this.spawnCheckpoints();
    // It never keeps the process alive.
    worker.unref();
    worker.on('error', () => {});
    worker.on('exit', () => {
      if (!this.closed) this.checkpoints = this.startCheckpoints();
    });
    return worker;
  }

  private start(): Worker {
    const worker = this.spawn();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`the SQLite writer thread exited with code ${code}`)));
    return worker;
  }

  /** The thread answers its first request only once its connection is open. */
  ready(): Promise<unknown> {
    return this.call('ping', {});
  }

  append(items: AppendItem[]): Promise<number[]> {
    const exact = items.map((item) => ({ ...item, update: ownBytes(item.update) }));
    return this.serial(() => this.call('append', { items: exact }) as Promise<number[]>);
  }

  async flush(flush: ProjectionFlush): Promise<void> {
    const exact = { ...flush, updates: flush.updates.map((u) => ({ ...u, update: ownBytes(u.update) })) };
    await this.serial(() => this.call('flush', { flush: exact }));
  }

  exclusive<T>(work: () => T): Promise<T> {
    return this.serial(work);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.lost) await this.serial(() => this.call('close', {}));
    await this.terminate();
  }

  /** Stops the threads without waiting for what was asked. */
  async terminate(): Promise<void> {
    this.closed = true;
    await Promise.all([this.worker.terminate(), this.checkpoints.terminate()]);
  }

  /** One request at a time, in the order asked; a failed one does not stop the next. */
  private serial<T>(run: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(run);
    this.tail = next.catch(() => {});
    return next;
  }

  private call(op: string, payload: object): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the SQLite writer is closed'));
    if (this.lost) {
      // The thread died since the last request: this one goes to a new thread.
      this.lost = null;
      this.worker = this.start();
    }
    const id = this.nextId++;
    // Only a thread with work in flight keeps the process alive.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...payload });
    });
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

  private died(worker: Worker, error: Error): void {
    if (worker !== this.worker || this.closed) return;
    this.lost ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
