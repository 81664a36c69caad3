/**
 * Snapshot merges away from the event loop, for a store whose compactions otherwise
 * merge there (Postgres: `snapshotMergeThread.ts`). A `merge` request carries the
 * snapshot and the log rows back to back in one buffer (`ends`: where each ends); the
 * answer is the merged update, moved back rather than copied.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { parentPort } from 'node:worker_threads';
import { mergeSnapshot } from './snapshotMerge.mjs';

parentPort?.on('message', (request) => {
  try {
    if (request.op !== 'merge') throw new Error(`unknown request ${request.op}`);
    /** @type {{ bytes: ArrayBuffer; ends: number[] }} */
    const { bytes, ends } = request;
    const parts = ends.map((end, i) => new Uint8Array(bytes, i === 0 ? 0 : ends[i - 1], end - (i === 0 ? 0 : ends[i - 1])));
    const merged = mergeSnapshot(null, parts);
    const whole = merged.byteOffset === 0 && merged.byteLength === merged.buffer.byteLength;
    parentPort?.postMessage({ id: request.id, result: merged }, whole ? [merged.buffer] : []);
  } catch (error) {
    const e = /** @type {Error & { code?: unknown }} */ (error);
    parentPort?.postMessage({ id: request.id, error: { message: e.message, code: e.code, name: e.name } });
  }
});
