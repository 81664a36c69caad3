/**
 * Test tiers that need a service (Postgres, Redis, Chromium) ask here whether it is
 * available. On a developer's machine a missing service skips the tier with a line
 * saying why; under CI=true a missing service fails the run, so CI never passes with
 * a tier silently skipped.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Postgres for store tests: `JECO_TEST_PG_URL`, default the local trust-auth `test` database. */
export const TEST_PG_URL = process.env.JECO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.JECO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.JECO_CHROMIUM ?? '/usr/bin/chromium';

function portOpen(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port) || defaultPort });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function available(tier: string, ok: boolean, why: string): Promise<boolean> {
  if (ok) return true;
  if (IN_CI) throw new Error(`${tier} tier cannot run under CI: ${why}`);
  console.warn(`[skip] ${tier} tier skipped: ${why}`);
  return false;
}

export async function hasPostgres(): Promise<boolean> {
  return available('postgres', await portOpen(TEST_PG_URL, 5432), `no Postgres at ${TEST_PG_URL}`);
}

export async function hasRedis(): Promise<boolean> {
  return available('redis', await portOpen(TEST_REDIS_URL, 6379), `no Redis at ${TEST_REDIS_URL}`);
}

export async function hasChromium(): Promise<boolean> {
  return available('e2e', existsSync(CHROMIUM_PATH), `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
}
