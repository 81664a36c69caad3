import { type Extension, Hocuspocus } from '@hocuspocus/server';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { syncRefusal } from '#schema/api/errors';
import { inOneChain } from './extensionChain';
import { hookFailures, isStoreUnavailable } from './storeFailures';

const quiet = { debug() {}, error() {} } as unknown as FastifyBaseLogger;
const adminShutdown = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
const failedQuery = (cause: Error) => Object.assign(new Error('Failed query: select 1\nparams: secret words'), { cause });

/** A server running `hooks` as Jeco runs its own extensions' hooks. */
function wrap(hooks: Partial<Extension>) {
  const seen = { failures: 0, refusals: [] as string[] };
  const failed = hookFailures({
    log: quiet,
    storeFailed: () => seen.failures++,
    refused: (reason: string) => seen.refusals.push(reason),
  });
  const instance = new Hocuspocus({ quiet: true, extensions: inOneChain([{ extension: { extensionName: 'test', ...hooks } as Extension, failed }]) });
  return { instance, seen };
}

describe('the hook boundary', () => {
  it('turns a storage failure in a request hook into the retryable refusal unavailable', async () => {
    const { instance, seen } = wrap({
      async onAuthenticate() {
        throw failedQuery(adminShutdown());
      },
    });
    await expect(instance.hooks('onAuthenticate', {} as never)).rejects.toEqual(syncRefusal('unavailable'));
    expect(seen).toEqual({ failures: 1, refusals: ['unavailable'] });
  });

  it('lets a refusal through as it was thrown, and counts it', async () => {
    const { instance, seen } = wrap({
      async beforeSync() {
        throw syncRefusal('rejected_update', 'author');
      },
    });
    await expect(instance.hooks('beforeSync', {} as never)).rejects.toEqual(syncRefusal('rejected_update', 'author'));
    expect(seen.refusals).toEqual(['rejected_update:author']);
  });

  it('strips query parameters from what other hooks throw', async () => {
    const { instance } = wrap({
      async onStoreDocument() {
        throw failedQuery(new Error('syntax error'));
      },
    });
    const error = await instance.hooks('onStoreDocument', {} as never).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain('secret words');
  });

  it('tells connection loss from a wrong query', () => {
    expect(isStoreUnavailable(failedQuery(adminShutdown()))).toBe(true);
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  });
});
