import type { HookName } from '@hocuspocus/server';
import type { FastifyBaseLogger } from 'fastify';
import { syncRefusal } from '#schema/api/errors';
import { safeError } from '../logging';
import { isStoreUnavailable } from '../store/storeUnavailable';

export { isStoreUnavailable };

/**
 * Hooks that answer a client's request (connect, auth, load, an update): a failure
 * there becomes the retryable refusal `unavailable`, which the client retries with
 * backoff. Without it Hocuspocus answers "permission-denied" or "Reset Connection",
 * which say nothing a client can act on, and writers stalled silently.
 */
const REQUEST_HOOKS = new Set<HookName>(['onConnect', 'onAuthenticate', 'onLoadDocument', 'beforeSync', 'beforeHandleMessage']);

/** A refusal thrown on purpose by a hook (`syncRefusal(…)`): it already says what the client should do. */
function isRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { reason?: unknown }).reason === 'string';
}

export interface StoreFailureDeps {
  log: FastifyBaseLogger;
  /** Told of every storage failure, so readiness and the outage log line follow at once. */
  storeFailed(error: unknown): void;
  /** Told of every refusal a hook throws (its wire reason), for the refusal counts in `/metrics`. */
  refused?(reason: string): void;
}

/**
 * What a failed hook of Jeco's extensions throws instead (each extension's `failed` in
 * `inOneChain`), so that no storage failure crosses a hook as it was thrown: in request
 * hooks it becomes the retryable refusal `unavailable` (logged at debug: the outage
 * itself is one line, from `DependencyHealth`); in the others (store, change,
 * disconnect) an error without the failed query's parameters, which Hocuspocus prints
 * and which may hold message text. Mapping at the hook level keeps the stores and the
 * extensions as they are: each throws what it meets. A refusal thrown on purpose goes
 * through as it is, counted.
 */
export function hookFailures(deps: StoreFailureDeps): (error: unknown, hook: HookName, extensionName: string) => unknown {
  return (error, hook, name) => {
    if (isRefusal(error)) {
      deps.refused?.((error as { reason: string }).reason);
      return error;
    }
    const unavailable = isStoreUnavailable(error);
    if (unavailable) deps.storeFailed(error);
    if (REQUEST_HOOKS.has(hook)) {
      if (unavailable) deps.log.debug({ err: safeError(error), hook: `${name}.${hook}` }, 'refused as unavailable: storage failed');
      else deps.log.error({ err: safeError(error), hook: `${name}.${hook}` }, 'hook failed; refused as unavailable');
      deps.refused?.('unavailable');
      return syncRefusal('unavailable');
    }
    // Hocuspocus logs `message` of what a hook throws; the original may list query parameters.
    const safe = safeError(error);
    return Object.assign(new Error(`${name}.${hook} failed: ${unavailable ? 'storage unavailable' : safe.message}`), safe.code ? { code: safe.code } : {});
  };
}
