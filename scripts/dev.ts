/**
 * `npm run dev`: the server (restarted by tsx on change) on JECO_PORT (8080) and Vite's
 * dev server on :5173 with hot reload, which proxies /api and /sync to the server so the
 * browser sees one origin. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [spawn('npx', ['tsx', 'watch', 'sync-server/src/main.ts'], { stdio: 'inherit' }), spawn('npx', ['vite', '--port', '5173'], { stdio: 'inherit' })];

function stop(code: number): void {
  for (const child of children) child.kill('SIGTERM');
  process.exit(code);
}

for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
