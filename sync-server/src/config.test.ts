import { describe, expect, expectTypeOf, it } from 'vitest';
import { loadConfig, OPTIONS, type Config } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.bucketSize).toBe(1000);
    expect(config.sessionIdleMs).toBeLessThan(config.sessionMaxMs);
  });

  it('reads every JECO_ variable it documents', () => {
    const config = loadConfig({ JECO_PORT: '9000', JECO_DATABASE_URL: 'postgres://x@y/z', JECO_BUCKET_SIZE: '5', JECO_TRUST_PROXY: 'true', JECO_PUBLIC_URL: 'https://chat.example.org/' });
    expect(config).toMatchObject({ port: 9000, databaseUrl: 'postgres://x@y/z', bucketSize: 5, trustProxy: true, publicUrl: 'https://chat.example.org' });
  });

  it('has one field per option, named after it in camelCase and typed by its schema, and the VAPID pair worked out', () => {
    const config = loadConfig({ JECO_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1234', JECO_SESSION_SWEEP_MS: '60000', JECO_LOG_LEVEL: 'warn' });
    // `vapid` is derived from the two key options; every other field is one option.
    expect(Object.keys(config).filter((key) => key !== 'vapid')).toHaveLength(Object.keys(OPTIONS).length);
    expect(config.vapid).toBeUndefined();
    expect(config.vapidSubject).toBe('mailto:jeco@localhost');
    expect(config).toMatchObject({ httpKeepAliveTimeoutMs: 1234, sessionSweepMs: 60_000, maxConnectionsPerAddress: 64, logLevel: 'warn' });
    expectTypeOf<Config['httpKeepAliveTimeoutMs']>().toEqualTypeOf<number>();
    expectTypeOf<Config['publicUrl']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Config['connectionCapExempt']>().toEqualTypeOf<string[]>();
    expectTypeOf<Config['trustProxy']>().toEqualTypeOf<boolean>();
  });

  it('spaces commits of the message log by what a commit costs the store, unless told', () => {
    expect(loadConfig({}).commitSpacingMs).toBe(10);
    expect(loadConfig({ JECO_DATABASE_URL: 'postgres://x@y/z' }).commitSpacingMs).toBe(5);
    expect(loadConfig({ JECO_COMMIT_SPACING_MS: '0' }).commitSpacingMs).toBe(0);
    expect(loadConfig({ JECO_DATABASE_URL: 'postgres://x@y/z', JECO_COMMIT_SPACING_MS: '20' }).commitSpacingMs).toBe(20);
    expectTypeOf<Config['commitSpacingMs']>().toEqualTypeOf<number>();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ JECO_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ JECO_PORT: 'eighty', JECO_BUCKET_SIZE: '1' })).toThrow(/JECO_PORT[\s\S]*JECO_BUCKET_SIZE/);
  });

  it("reads the connection cap's exempt peers as addresses and ranges, and refuses anything else", () => {
    expect(loadConfig({}).connectionCapExempt).toEqual(['127.0.0.0/8', '::1']);
    expect(loadConfig({ JECO_CONNECTION_CAP_EXEMPT: ' 10.0.0.0/8 , fd00::/8,192.0.2.7 ' }).connectionCapExempt).toEqual(['10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    expect(loadConfig({ JECO_CONNECTION_CAP_EXEMPT: 'none' }).connectionCapExempt).toEqual([]);
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '10.0.0.0/x']) {
      expect(() => loadConfig({ JECO_CONNECTION_CAP_EXEMPT: bad }), bad).toThrow(/JECO_CONNECTION_CAP_EXEMPT/);
    }
  });

  it('describes every option', () => {
    for (const [name, option] of Object.entries(OPTIONS)) {
      expect(name.startsWith('JECO_')).toBe(true);
      expect(option.describe.length).toBeGreaterThan(10);
    }
  });
});

describe('README', () => {
  it('documents exactly the configuration the server reads (npm run config:docs)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { withConfigTable } = await import('../../scripts/configDocs');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme, 'run npm run config:docs').toBe(withConfigTable(readme));
  });
});
