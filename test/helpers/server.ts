import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadConfig } from '../../sync-server/src/config';
import { startJeco, type JecoServer } from '../../sync-server/src/server';

export interface TestServer extends JecoServer {
  dataDir: string;
  wsUrl: string;
  /** Stops this server and starts a new one on the same data (and port, so clients reconnect by themselves). */
  restart(): Promise<TestServer>;
}

export interface TestServerOptions {
  bucketSize?: number;
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
  port?: number;
  env?: Record<string, string>;
  /** The time the disappearing-messages pass reads (see `startJeco`). */
  clock?: () => number;
  /** Exact addresses link previews may fetch from besides public ones (see `startJeco`). */
  previewAlsoAllowed?: readonly string[];
}

/**
 * Starts the real Jeco server on 127.0.0.1, port 0 unless given, quiet, with a fresh
 * temporary data dir; it is stopped (and the dir removed) after the test file, or after
 * the `describe` that started it.
 */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownsDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'jeco-test-')));
  const server = await startOn(dataDir, options);
  // The servers on the dir first: one still running writes into it while it is removed (ENOTEMPTY).
  if (ownsDir)
    afterAll(async () => {
      await closeRunning(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    });
  return server;
}

/** Each server not yet closed, and its data dir. */
const running = new Map<JecoServer, string>();

/** Closes the running servers, those on `dataDir` when given. */
async function closeRunning(dataDir?: string): Promise<void> {
  const closing = [...running].filter(([, dir]) => dataDir === undefined || dir === dataDir).map(([server]) => server);
  for (const server of closing) running.delete(server);
  await Promise.all(closing.map((server) => server.close()));
}

afterAll(() => closeRunning());

async function startOn(dataDir: string, options: TestServerOptions): Promise<TestServer> {
  const config = loadConfig({
    JECO_PORT: String(options.port ?? 0),
    JECO_HOST: '127.0.0.1',
    JECO_DATA_DIR: dataDir,
    JECO_LOG_LEVEL: process.env.JECO_TEST_LOG_LEVEL ?? 'silent',
    JECO_BUCKET_SIZE: String(options.bucketSize ?? 1000),
    // Tests sign many people up from one address; the limit itself has its own test.
    JECO_AUTH_RATE_PER_MIN: '1000',
    ...(options.databaseUrl ? { JECO_DATABASE_URL: options.databaseUrl } : {}),
    ...(options.redisUrl ? { JECO_REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  });
  const server = await startJeco(config, { ...(options.clock ? { clock: options.clock } : {}), ...(options.previewAlsoAllowed ? { previewAlsoAllowed: options.previewAlsoAllowed } : {}) });
  running.set(server, dataDir);
  const close = server.close.bind(server);
  return {
    ...server,
    dataDir,
    wsUrl: `ws://127.0.0.1:${server.port}/sync`,
    close: async () => {
      running.delete(server);
      await close();
    },
    async restart() {
      running.delete(server);
      await close();
      return startOn(dataDir, { ...options, port: server.port });
    },
  };
}
