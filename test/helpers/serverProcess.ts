import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { waitFor } from './waitFor';
import { SERVER_NODE_FLAGS } from '../../sync-server/src/nodeFlags';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx compiles the server on start; on 2 busy cores that alone can take seconds. */
const READY_WITHIN_MS = 30_000;

export interface ServerProcessOptions {
  dataDir: string;
  /** Given again on restart, so providers reconnect to the same address by themselves. */
  port: number;
  env?: Record<string, string>;
  /** Modules node loads before the server (`--import`), e.g. a fixture that misbehaves on purpose. */
  preload?: string[];
}

export interface ServerProcess {
  port: number;
  /** The process id, to read its memory from `/proc/<pid>/status`. */
  pid: number;
  url: string;
  wsUrl: string;
  /** Sends `signal` and resolves with how the process ended. */
  kill(signal: NodeJS.Signals): Promise<ProcessEnd>;
  /** Resolves when the process has ended, however it ended. */
  exited: Promise<ProcessEnd>;
  /** What the process wrote to stderr, for failure messages. */
  stderr(): string;
  /** What the process wrote to stdout: its log lines (JSON, one per line). */
  stdout(): string;
}

interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A port that was free a moment ago: listen on 0, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all(
    [...running].map((child) => {
      const ended = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return ended;
    }),
  );
  running.clear();
});

/**
 * Runs the real server as its own process, as `npm start` does (`sync-server/src/main.ts`,
 * configured only through JECO_* variables), so a test can SIGKILL it the way a crash
 * or an OOM kill would. Resolves once `/readyz` answers; the process is killed after
 * the test file if still running.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', ...preload, 'sync-server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      JECO_PORT: String(options.port),
      JECO_HOST: '127.0.0.1',
      JECO_DATA_DIR: options.dataDir,
      JECO_LOG_LEVEL: 'warn',
      // Tests sign several people up from one address.
      JECO_AUTH_RATE_PER_MIN: '1000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<ProcessEnd>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const ready = waitFor(async () => (await fetch(`${url}/readyz`)).ok, {
    timeoutMs: READY_WITHIN_MS,
    intervalMs: 50,
    what: `server process on port ${options.port} to be ready`,
  });
  // A server that dies on start (port taken, bad config) fails the test at once, with its stderr.
  const died = exited.then((end) => {
    throw new Error(`server process exited before it was ready (${JSON.stringify(end)}): ${stderr}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    died.catch(() => undefined);
  }

  return {
    port: options.port,
    pid: child.pid!,
    url,
    wsUrl: `ws://127.0.0.1:${options.port}/sync`,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
  };
}
