import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/db/store';
import { isStoreUnavailable } from '../sync/storeFailures';

export interface SessionSweep {
  /** Stops the timer; a sweep already running finishes on its own. */
  stop(): void;
}

/**
 * Deletes expired sessions every `everyMs`. An expired session is refused whenever it
 * is shown, so this only keeps the table from growing forever with sessions nobody
 * signs out of (a closed laptop, a wiped phone). The timer is unref'd: it never keeps
 * the process alive. A failed sweep is logged and the next one tries again; a sweep
 * still running when the next is due is not doubled.
 */
export function startSessionSweep(deps: { store: Store; everyMs: number; log: FastifyBaseLogger; now?: () => number }): SessionSweep {
  const now = deps.now ?? Date.now;
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await deps.store.deleteExpiredSessions(now());
      if (deleted > 0) deps.log.debug({ deleted }, 'expired sessions swept');
    } catch (error) {
      // During a database outage DependencyHealth already says so once.
      if (isStoreUnavailable(error)) deps.log.debug({ err: error }, 'sweeping expired sessions failed: storage unavailable');
      else deps.log.error({ err: error }, 'sweeping expired sessions failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
