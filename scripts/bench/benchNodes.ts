/**
 * The servers of the benchmarks that measure the sync server from outside (`load.ts`,
 * `idle.ts`): each a child process (`loadServer.ts`) so that its CPU time and RSS are its own.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../sync-server/src/nodeFlags';
import type { FromServer, ServerArgs, ToServer } from './loadServer';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../..');

export interface Node {
  child: ChildProcess;
  port: number;
  wsUrl: string;
  ask<T extends FromServer['type']>(message: ToServer, answer: T): Promise<Extract<FromServer, { type: T }>>;
}

/**
 * Starts a server process with the flags Jeco's server runs with (`SERVER_NODE_FLAGS`),
 * the bare server too: both on the same runtime. `nodeFlags` are added to both (say
 * `--perf-basic-prof-only-functions` for `perf`, or `--trace-gc`).
 */
export function startNode(args: ServerArgs, options: { profileDir?: string; nodeFlags?: readonly string[] } = {}): Promise<Node> {
  const { profileDir, nodeFlags = [] } = options;
  const execArgv = [...SERVER_NODE_FLAGS, ...nodeFlags, '--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const child = fork(path.join(HERE, 'loadServer.ts'), [JSON.stringify(args)], { cwd: ROOT, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (m: FromServer) => void>();
  child.on('message', (m: FromServer) => {
    waiting.get(m.type)?.(m);
    waiting.delete(m.type);
  });
  const ask = <T extends FromServer['type']>(message: ToServer, answer: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve) => {
      waiting.set(answer, resolve as never);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    waiting.set('ready', (m) => {
      const port = (m as Extract<FromServer, { type: 'ready' }>).port;
      resolve({ child, port, wsUrl: `ws://127.0.0.1:${port}${args.mode === 'jeco' ? '/sync' : ''}`, ask });
    });
  });
}

export async function stopNode(node: Node): Promise<void> {
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.removeAllListeners('exit');
  node.child.send({ type: 'stop' } satisfies ToServer);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  node.child.kill('SIGKILL');
}
