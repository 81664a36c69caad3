import { readLocal, writeLocal } from '../storage/localCache';

/**
 * How far this device's clock runs ahead of the server's, learned from the `Date`
 * header of API answers. The server refuses a message stamped more than a few minutes
 * in its future (it would stay every member's newest); a device whose clock is fast
 * stamps its messages with the server's time instead. A slow clock is left alone: the
 * past is allowed, and an offline message keeps the time it was written.
 */
const KEY = 'clockAhead';
/** Below this the device's own time is used: the header has one-second resolution and answers take time. */
const TOLERANCE_MS = 30_000;

let aheadMs = readLocal<number>(KEY) ?? 0;

/** Notes the server's `Date` header of an answer received just now. */
export function noteServerDate(header: string | null): void {
  const server = header ? Date.parse(header) : Number.NaN;
  if (Number.isNaN(server)) return;
  const ahead = Date.now() - server;
  const next = ahead > TOLERANCE_MS ? ahead : 0;
  if (next === aheadMs) return;
  aheadMs = next;
  writeLocal(KEY, aheadMs);
}

/** Now, as the server would say it (the device's clock, pulled back if it runs fast). */
export function serverNow(): number {
  return Date.now() - aheadMs;
}
