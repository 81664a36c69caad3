/**
 * What the Chromium benchmarks share: the built client, a real server on a seeded data
 * dir, a session for the seeded user, and Chromium as the tests launch it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { AuthResponse } from '#schema/api/auth';
import { DEFAULT_BUCKET_SIZE } from '#schema/docs/bucket';
import { loadConfig } from '../../sync-server/src/config';
import { startJeco, type JecoServer } from '../../sync-server/src/server';
import type { SeedResult } from '../seed';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
export const CHROMIUM_PATH = process.env.JECO_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds dist/ when it is missing or older than client/; another static dir (an older build to compare) must be built already. */
export async function buildClientIfStale(staticDir: string = DIST): Promise<void> {
  const index = path.join(staticDir, 'index.html');
  if (path.resolve(staticDir) !== DIST) {
    if (!existsSync(index)) throw new Error(`${staticDir} holds no built client`);
    return;
  }
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  if (existsSync(index) && statSync(index).mtimeMs > newest(path.join(ROOT, 'client'))) return;
  console.log('building the client (vite build)…');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** The real server on `dataDir`, on a free port, serving the client in `staticDir`; `env` adds or overrides options. */
export function serve(args: { dataDir: string; bucketSize?: number; staticDir?: string; env?: Record<string, string> }): Promise<JecoServer> {
  return startJeco(
    loadConfig({
      JECO_PORT: '0',
      JECO_HOST: '127.0.0.1',
      JECO_DATA_DIR: args.dataDir,
      JECO_STATIC_DIR: args.staticDir ?? DIST,
      JECO_BUCKET_SIZE: String(args.bucketSize ?? DEFAULT_BUCKET_SIZE),
      JECO_LOG_LEVEL: 'warn',
      ...args.env,
    }),
  );
}

/** A session token for the seeded user, signed in through the API. */
export async function signIn(server: JecoServer, seeded: Pick<SeedResult, 'username' | 'password'>): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: seeded.username, password: seeded.password }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as AuthResponse).token;
}

/** Which client dist/ was built from: the last commit touching client/, and whether client/ had changes on top. */
export function clientRevision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const commit = git('log', '-1', '--format=%h', '--', 'client');
    return `client at ${commit}${git('status', '--porcelain', '--', 'client') ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'client revision unknown';
  }
}

/** The "Machine: …" line under a benchmark's figures; `extra` goes before how long the run took. */
export function machineLine(chromiumVersion: string, began: number, extra = ''): string {
  const cpu = os.cpus();
  return `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Chromium ${chromiumVersion}, ${os.platform()} ${os.release()}${extra}. Run took ${((Date.now() - began) / 1000).toFixed(0)} s.`;
}
