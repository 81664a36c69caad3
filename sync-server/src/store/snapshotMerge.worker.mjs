/**
 * Snapshot merges away from the event loop, for a store whose compactions otherwise
 * merge there (Postgres: `snapshotMergeThread.ts`). A `merge` request carries the
 * snapshot and the log rows back to back in one buffer (`ends`: where each ends); the
 * answer is the merged update, moved back rather than copied.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { answerRequests } from './answerRequests.mjs';
import { mergeSnapshot } from './snapshotMerge.mjs';

answerRequests((request) => {
  if (request.op !== 'merge') throw new Error(`unknown request ${request.op}`);
  /** @type {{ bytes: ArrayBuffer; ends: number[] }} */
  const { bytes, ends } = request;
  return mergeSnapshot(
    null,
    ends.map((end, i) => {
      const start = i === 0 ? 0 : ends[i - 1];
      return new Uint8Array(bytes, start, end - start);
    }),
  );
});
