import { describe, expect, it } from 'vitest';
import { loadConfig, OPTIONS } from './config';

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

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ JECO_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ JECO_PORT: 'eighty', JECO_BUCKET_SIZE: '1' })).toThrow(/JECO_PORT[\s\S]*JECO_BUCKET_SIZE/);
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
