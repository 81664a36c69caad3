import type { Extension } from '@hocuspocus/server';
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
const REQUEST_HOOKS = new Set(['onConnect', 'onAuthenticate', 'onLoadDocument', 'beforeSync', 'beforeHandleMessage']);

/** A refusal thrown on purpose by a hook (`syncRefusal(…)`): it already says what the client should do. */
function isRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { reason?: unknown }).reason === 'string';
}

export interface StoreFailureDeps {
  log: FastifyBaseLogger;
  /** Told of every storage failure, so readiness and the outage log line follow at once. */
  storeFailed(error: unknown): void;
  /** Told of every refusal a wrapped hook throws (its wire reason), for the refusal counts in `/metrics`. */
  refused?(reason: string): void;
}

/**
 * Wraps an extension's hooks so that no storage failure crosses them as it was
 * thrown: in request hooks it becomes the retryable refusal `unavailable` (logged at
 * debug: the outage itself is one line, from `DependencyHealth`); in the others
 * (store, change, disconnect) an error without the failed query's parameters, which
 * Hocuspocus prints and which may hold message text. Wrapping at the hook level keeps
 * the stores and the extensions as they are: each throws what it meets.
 */
export function refusingWhenStoreFails<T extends Extension>(extension: T, deps: StoreFailureDeps): T {
  const wrapped = Object.create(extension) as T;
  const name = extension.extensionName ?? 'extension';
  for (const key of allKeys(extension)) {
    const hook = (extension as unknown as Record<string, unknown>)[key];
    if (typeof hook !== 'function' || !/^(on|before|after|connected)/.test(key) || key === 'onConfigure') continue;
    (wrapped as unknown as Record<string, unknown>)[key] = async (payload: unknown) => {
      try {
        return await (hook as (p: unknown) => unknown).call(extension, payload);
      } catch (error) {
        if (isRefusal(error)) {
          deps.refused?.((error as { reason: string }).reason);
          throw error;
        }
        const unavailable = isStoreUnavailable(error);
        if (unavailable) deps.storeFailed(error);
        if (REQUEST_HOOKS.has(key)) {
          if (unavailable) deps.log.debug({ err: safeError(error), hook: `${name}.${key}` }, 'refused as unavailable: storage failed');
          else deps.log.error({ err: safeError(error), hook: `${name}.${key}` }, 'hook failed; refused as unavailable');
          deps.refused?.('unavailable');
          throw syncRefusal('unavailable');
        }
        // Hocuspocus logs `message` of what a hook throws; the original may list query parameters.
        const safe = safeError(error);
        throw Object.assign(new Error(`${name}.${key} failed: ${unavailable ? 'storage unavailable' : safe.message}`), safe.code ? { code: safe.code } : {});
      }
    };
  }
  return wrapped;
}

/** Own and inherited method names (extensions are plain objects or class instances). */
function allKeys(object: object): string[] {
  const keys = new Set<string>();
  for (let o: object | null = object; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor') keys.add(key);
  }
  return [...keys];
}
