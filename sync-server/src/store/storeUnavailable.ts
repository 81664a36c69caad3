/**
 * Telling "the store is not reachable right now" (retry later: the sync refusal
 * `unavailable`, HTTP 503) from "this query is wrong" (a bug), for either store.
 */
/** Postgres error classes that mean "the database is not there right now", not "this query is wrong". */
const PG_TRANSIENT_CLASSES = ['08', '53', '57P', '58'];
const NODE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;
/** node-postgres reports a lost or unusable connection with plain errors that carry no code. */
const PG_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end|Client was closed/i;

/** Whether `error` (or what it wraps) says the store could not be reached, rather than that a query was wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NODE_NET_CODES.has(code) || SQLITE_TRANSIENT.test(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && PG_TRANSIENT_CLASSES.some((c) => code.startsWith(c))) return true;
    }
    if (PG_CONNECTION_MESSAGES.test(e.message)) return true;
  }
  return false;
}
