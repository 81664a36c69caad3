/**
 * The worker side of `RequestThread` (`requestThread.ts`), for the store's threads: each
 * request `{ id, op, ... }` is answered `{ id, result }`, or `{ id, error }` with the
 * error's message, code and name (a driver's code, SQLITE_BUSY say, crosses over, so the
 * main thread still tells a transient failure from a wrong query). A result that is a
 * byte array owning its whole buffer is moved back, not copied.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** This thread's id in the kernel (`/proc/thread-self` links to `<pid>/task/<tid>`); null where there is no such link (not Linux). */
function kernelThreadId() {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || null;
  } catch {
    return null;
  }
}

/**
 * An error as it crosses to the main thread: its message, code and name.
 * @param {unknown} error
 */
export function describeError(error) {
  const e = /** @type {Error & { code?: unknown }} */ (error);
  return { message: e.message, code: e.code, name: e.name };
}

/** @param {(request: { id: number; op: string } & Record<string, any>) => unknown} handle */
export function answerRequests(handle) {
  parentPort?.on('message', (request) => {
    try {
      const result = request.op === 'thread' ? kernelThreadId() : handle(request);
      const moved = result instanceof Uint8Array && result.byteOffset === 0 && result.byteLength === result.buffer.byteLength;
      parentPort?.postMessage({ id: request.id, result }, moved ? [result.buffer] : []);
    } catch (error) {
      parentPort?.postMessage({ id: request.id, error: describeError(error) });
    }
  });
}
