/**
 * Many signed-in people connected to one server and doing nothing, beside a bare
 * Hocuspocus holding the same docs in the same run:
 *
 *   npm run bench:idle -- --users 10000            # inbox + 3 group heads each
 *   npm run bench:idle -- ... --write              # also replace this section of docs/benchmarks.md
 *
 * Each person is a socket holding their inbox and the heads of `--heads` groups of
 * `--group-size` (what the app keeps open when no chat is), seeded into the store first.
 * The devices run in `--clients` processes of their own (`idleClients.ts`), so the
 * server's figures are its own: the time for everyone to connect and sync (a few dozen
 * at a time), the server's RSS once all are in, and its CPU while nobody does anything
 * (`process.cpuUsage` over `--seconds`), as a share of one core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newUserId, type UserId } from '#schema/ids';
import { startNode, stopNode, type Node } from './benchNodes';
import { writeBenchmarkSection } from './benchmarksDoc';
import type { FromIdleClients, IdleSlice } from './idleClients';
import type { SeedPlan } from './loadServer';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../..');

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    heads: { type: 'string', default: '3' },
    'group-size': { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    servers: { type: 'string', default: 'bare,jeco' },
    write: { type: 'boolean', default: false },
  },
});
const USERS = Number(opts.users);
const HEADS = Number(opts.heads);
const GROUP_SIZE = Number(opts['group-size']);
const CLIENTS = Number(opts.clients);
const SECONDS = Number(opts.seconds);
const SERVERS = opts.servers!.split(',') as ('bare' | 'jeco')[];

/** Everyone and their groups: person i is in one group of each of `HEADS` layers, a different cut of the same people in each. */
function plan(): { users: UserId[]; docsOf: Map<UserId, string[]>; seed: SeedPlan } {
  const users = Array.from({ length: USERS }, () => newUserId());
  const docsOf = new Map(users.map((id) => [id, [inboxDoc(id) as string]]));
  const seed: SeedPlan = { users: users.map((id, n) => ({ id, username: `idle${n}x${randomBytes(3).toString('hex')}` })), groups: [] };
  for (let layer = 0; layer < HEADS; layer++) {
    // Each layer shifts who sits together, so a person's groups hold different people.
    const order = users.map((_, i) => users[(i * (2 * layer + 1) + layer) % USERS]!);
    for (let start = 0; start + GROUP_SIZE <= USERS; start += GROUP_SIZE) {
      const members = [...new Set(order.slice(start, start + GROUP_SIZE))];
      const roomId = newGroupId();
      const head = new Y.Doc();
      initGroup(head, { name: `Group ${layer}.${start / GROUP_SIZE}`, owner: members[0]!, members: members.slice(1), now: Date.now() });
      seed.groups.push({ roomId, members, head: Buffer.from(Y.encodeStateAsUpdate(head)).toString('base64') });
      for (const member of members) docsOf.get(member)!.push(roomHeadDoc(roomId));
    }
  }
  return { users, docsOf, seed };
}

interface Clients {
  child: ChildProcess;
  next: () => Promise<FromIdleClients>;
}

function startClients(slice: IdleSlice): Clients {
  const child = fork(path.join(HERE, 'idleClients.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ type: 'start', slice });
  const inbox: FromIdleClients[] = [];
  const waiting: ((m: FromIdleClients) => void)[] = [];
  child.on('message', (m: FromIdleClients) => {
    const take = waiting.shift();
    if (take) take(m);
    else inbox.push(m);
  });
  return { child, next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
}

interface Result {
  server: 'bare' | 'jeco';
  connectMs: number;
  refused: number;
  rssMiB: number;
  idleCpuPercent: number;
  connectCpuSeconds: number;
}

async function runOne(kind: 'bare' | 'jeco'): Promise<Result> {
  const { users, docsOf, seed } = plan();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-idle-'));
  let node: Node | undefined;
  const clients: Clients[] = [];
  try {
    await mkdir(path.join(dataDir, 'node'), { recursive: true });
    node = await startNode(kind === 'bare' ? { mode: 'bare' } : { mode: 'jeco', env: { JECO_PORT: '0', JECO_HOST: '127.0.0.1', JECO_DATA_DIR: path.join(dataDir, 'node'), JECO_LOG_LEVEL: 'warn' } });
    const { tokens } = await node.ask({ type: 'seed', plan: seed }, 'seeded');
    console.error(`${kind}: ${users.length} people and ${seed.groups.length} groups seeded`);
    const start = await node.ask({ type: 'stats' }, 'stats');
    const began = performance.now();
    const per = Math.ceil(users.length / CLIENTS);
    for (let c = 0; c < CLIENTS; c++) {
      const people = users.slice(c * per, (c + 1) * per).map((id) => ({ token: tokens[id]!, docs: docsOf.get(id)! }));
      if (people.length > 0) clients.push(startClients({ wsUrl: node.wsUrl, people }));
    }
    let refused = 0;
    for (const c of clients) {
      const m = await c.next();
      if (m.type === 'synced') refused += m.refused;
    }
    const connectMs = performance.now() - began;
    const connected = await node.ask({ type: 'stats' }, 'stats');
    console.error(`${kind}: all connected and synced in ${(connectMs / 1000).toFixed(1)} s`);
    // Let the last handshakes' after-work (projections, timers) settle, then measure idle.
    await new Promise((r) => setTimeout(r, 5_000));
    const before = await node.ask({ type: 'stats' }, 'stats');
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const after = await node.ask({ type: 'stats' }, 'stats');
    return {
      server: kind,
      connectMs,
      refused,
      rssMiB: after.rss / 2 ** 20,
      idleCpuPercent: ((after.cpuMicros - before.cpuMicros) / (SECONDS * 1e6)) * 100,
      connectCpuSeconds: (connected.cpuMicros - start.cpuMicros) / 1e6,
    };
  } finally {
    for (const c of clients) {
      c.child.send({ type: 'stop' });
      await Promise.race([c.next(), new Promise((r) => setTimeout(r, 10_000))]);
      c.child.kill('SIGKILL');
    }
    if (node) await stopNode(node);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const begun = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const results: Result[] = [];
  for (const kind of SERVERS) {
    const result = await runOne(kind);
    results.push(result);
    console.log(JSON.stringify(result));
  }
  const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const bare = results.find((r) => r.server === 'bare');
  const ratio = (r: Result, key: 'rssMiB' | 'idleCpuPercent' | 'connectCpuSeconds') => (r.server === 'jeco' && bare ? ` (${f(r[key] / bare[key], 1)}×)` : '');
  const rows = results.map(
    (r) =>
      `| ${r.server} | ${f(r.connectMs / 1000, 1)} | ${f(r.connectCpuSeconds, 1)}${ratio(r, 'connectCpuSeconds')} | ${r.refused} | ${f(r.rssMiB)}${ratio(r, 'rssMiB')} | ${f(r.idleCpuPercent, 2)}${ratio(r, 'idleCpuPercent')} |`,
  );
  const docs = USERS * (1 + HEADS);
  const lines = [
    `## Idle: ${USERS.toLocaleString('en')} people connected, doing nothing`,
    '',
    `\`npm run bench:idle -- --users ${USERS} --heads ${HEADS} --group-size ${GROUP_SIZE} --seconds ${SECONDS}\` (\`--write\` updates this section), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, run took ${Math.round((Date.now() - begun) / 1000)} s; load average (1 min) ${f(loadBefore, 1)} at the start, ${f(os.loadavg()[0]!, 1)} at the end, on cores shared with other work.`,
    `Each person: one socket with their inbox and ${HEADS} group heads (groups of ${GROUP_SIZE}), ${docs.toLocaleString('en')} doc connections in all, from ${CLIENTS} client processes, ${50} people at a time per process. Bare = Hocuspocus without hooks or persistence holding the same docs. Connect = until every doc of everyone synced; RSS of the server once idle; idle CPU = the server's CPU time over ${SECONDS} s with nobody doing anything, as a share of one core.`,
    '',
    '| server | connect, s | server CPU to connect, s | refused | RSS MiB | idle CPU, % of a core |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
  console.log(lines.join('\n'));
  if (opts.write) await writeBenchmarkSection(lines.join('\n'));
}

await main();
