import type { Worker } from 'node:worker_threads';

/** An error as a thread describes it (`describeError` in `answerRequests.mjs`). */
export interface DescribedError {
  message: string;
  code?: unknown;
  name?: string;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: DescribedError;
}

/**
 * The error a thread described, made again on this side. The driver's error code
 * (SQLITE_BUSY, SQLITE_IOERR, ...) crosses over, so a transient failure is still told
 * from a wrong query (`isStoreUnavailable`).
 */
export function revivedError(error: DescribedError): Error {
  return Object.assign(new Error(error.message), { code: error.code, name: error.name ?? 'Error' });
}

/**
 * A worker thread answering requests (`{ id, op, ... }`, answered `{ id, result }` or
 * `{ id, error }`), seen from the main thread: the SQLite store's writer and upkeep
 * threads (`sqliteWriter.ts`), Postgres' snapshot merges (`pgStore.ts`). A thread that
 * dies (an exception in it, out of memory) fails what was in flight, which the clients
 * were not told was stored and send again; the next request starts another thread, so
 * one bad moment never leaves the node refusing every message until a restart. Only a
 * thread with a request in flight keeps the process alive.
 */
export class RequestThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private worker: Worker;
  /** Why the current thread died, until the next request starts another. */
  private lost: Error | null = null;
  private closed = false;

  constructor(
    /** Which thread ("SQLite writer", "snapshot merge"), for the error its end leaves. */
    private readonly name: string,
    private readonly spawn: () => Worker,
  ) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = this.spawn();
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`the ${this.name} thread exited with code ${code}`)));
    return worker;
  }

  /** `transfer`: buffers of `payload` moved to the thread rather than copied. */
  call(op: string, payload: object, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`the ${this.name} thread is closed`));
    if (this.lost) {
      // The thread died since the last request: this one goes to a new thread.
      this.lost = null;
      this.worker = this.start();
    }
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...payload }, transfer);
    });
  }

  /**
   * The thread's id in the kernel (`answerRequests.mjs`), by which `threadCpu.ts` reads
   * its CPU time; null where the kernel has no such id to give (not Linux). A thread that
   * died is started again by this request, as by any other, and has a new id.
   */
  async kernelThreadId(): Promise<number | null> {
    return (await this.call('thread', {})) as number | null;
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
    else waiting.reject(revivedError(error));
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
  }
}
