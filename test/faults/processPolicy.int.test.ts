import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startServerProcess } from '../helpers/serverProcess';
import { waitFor } from '../helpers/waitFor';

const MISBEHAVE = fileURLToPath(new URL('./fixtures/misbehave.ts', import.meta.url));

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function start(env: Record<string, string>) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-policy-'));
  dirs.push(dataDir);
  // The fixture waits for /readyz, so the bug happens in a running server.
  return startServerProcess({ dataDir, port: await freePort(), preload: [MISBEHAVE], env: { ...env, JECO_LOG_LEVEL: 'info' } });
}

describe('process policy (main.ts)', () => {
  it('an unhandled rejection is logged with its error and the node keeps serving', async () => {
    const node = await start({ JECO_TEST_REJECT: '1' });
    await waitFor(() => node.stdout().includes('unhandled promise rejection'), { timeoutMs: 15_000, what: 'the rejection logged' });
    expect(node.stdout()).toContain('a promise nobody awaited');
    expect((await fetch(`${node.url}/readyz`)).ok).toBe(true);
    expect(await node.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('an uncaught exception is logged, and the node stops and exits 1 for its supervisor to restart it', async () => {
    const node = await start({ JECO_TEST_THROW: '1' });
    const ended = await Promise.race([node.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    expect(ended).toEqual({ code: 1, signal: null });
    expect(node.stdout()).toContain('uncaught exception');
    expect(node.stdout()).toContain('an exception nobody caught');
  });
});
