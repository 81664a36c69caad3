/**
 * What the SQLite store costs on the message path, against better-sqlite3 doing the same
 * SQL with statements prepared once — the driver's floor — on another file with the same
 * schema and pragmas, in the same run. CPU time (user + system) and wall time per call,
 * one call at a time, so the figures are per operation rather than per batch:
 *
 *   append      a client update appended and committed (one fsync'd transaction; the
 *               group commit of one)
 *   write       a server write: the doc's log rows since the last one read, one row appended
 *   catch-up    the log rows after a known id (a node catching a doc up; a projection's read)
 *   role        a member's role in a room (the guard and membership ask it per doc opened)
 *   members     a group's members with their cards, name and push preview (every message
 *               projection reads them; 100 members)
 *
 *   npm run bench:store                       # print the table
 *   npm run bench:store -- --write            # also replace this section of docs/benchmarks.md
 *   options: --calls 2000
 *
 * CPU time is the whole process's (the store's writer thread included); it moves less
 * than wall time when other work shares the machine, but it moves too: compare the rows
 * of one run. Event loop is the time the main thread was busy per call
 * (`performance.eventLoopUtilization`): what the server's other connections wait for.
 * The driver runs on the main thread, so its event loop time is its wall time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { RoomId, UserId } from '#schema/ids';
import type { Store } from '../../sync-server/src/store/db/store';
import { openSqliteStore } from '../../sync-server/src/store/sqliteStore';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## Store: the SQLite message path against the driver';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    write: { type: 'boolean', default: false },
  },
});
const CALLS = Number(args.calls);
const UPDATE = Buffer.alloc(120, 7);
const GROUP = 'bench-group' as RoomId;
const MEMBERS = 100;

/** A group of {@link MEMBERS} people with accounts, written through the store (both sides read the same rows). */
async function seedGroup(store: Store): Promise<void> {
  const ids = Array.from({ length: MEMBERS }, (_, i) => `bench-member-${String(i).padStart(3, '0')}` as UserId);
  for (const [i, id] of ids.entries()) {
    await store.createUser({ id, username: `member${i}`, displayName: `Member ${i}`, email: null, passwordHash: 'x'.repeat(97), createdAt: 1 });
  }
  await store.saveRoomMembers(
    { id: GROUP, kind: 'group', createdBy: ids[0]!, createdAt: 1 },
    ids.map((userId) => ({ userId, role: 'member' as const })),
  );
}

interface Cost {
  cpuUs: number;
  wallUs: number;
  loopUs: number;
}

async function measure(calls: number, call: (i: number) => unknown): Promise<Cost> {
  // A warm-up: the first calls compile statements and fill caches for both sides.
  for (let i = 0; i < 50; i++) await call(i);
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  const loop = performance.eventLoopUtilization();
  for (let i = 0; i < calls; i++) await call(i);
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop);
  return { cpuUs: (used.user + used.system) / calls, wallUs: Number(process.hrtime.bigint() - wall) / 1000 / calls, loopUs: (busy.active * 1000) / calls };
}

async function storeCosts(dir: string): Promise<Record<string, Cost>> {
  const store = await openSqliteStore(path.join(dir, 'store.db'));
  try {
    await seedGroup(store);
    const room = 'bench-room' as RoomId;
    const user = 'bench-user' as UserId;
    let lastId = 0;
    return {
      append: await measure(CALLS, () => store.appendUpdate('bench-doc', UPDATE)),
      write: await measure(CALLS, () =>
        store.writeDoc(
          'bench-server-doc',
          (stored) => {
            lastId = stored.lastId;
            return UPDATE;
          },
          lastId,
        ),
      ),
      'catch-up': await measure(CALLS, () => store.loadUpdatesAfter('bench-doc', 0x7fffffff - 1)),
      role: await measure(CALLS, () => store.getMemberRole(room, user)),
      members: await measure(CALLS, () => store.getRoomMemberCards(GROUP)),
    };
  } finally {
    await store.close();
  }
}

/** The same SQL through better-sqlite3 with statements prepared once, on a file the store migrated. */
async function driverCosts(dir: string): Promise<Record<string, Cost>> {
  const file = path.join(dir, 'driver.db');
  const seeding = await openSqliteStore(file);
  await seedGroup(seeding);
  await seeding.close();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const insert = db.prepare('insert into doc_updates (doc_name, "update") values (?, ?) returning id');
    const snapshotPast = db.prepare('select snapshot from doc_snapshots where doc_name = ? and covers_id > ?');
    const rowsAfter = db.prepare('select id, "update" from doc_updates where doc_name = ? and id > ? order by id');
    const role = db.prepare('select role from room_members where room_id = ? and user_id = ?');
    const members = db.prepare('select m.user_id, u.id, u.display_name, u.push_preview from room_members m left join users u on u.id = m.user_id where m.room_id = ? order by m.user_id');
    const append = db.transaction((doc: string) => insert.get(doc, UPDATE));
    append.immediate('warm');
    let lastId = 0;
    const write = db.transaction((doc: string) => {
      snapshotPast.get(doc, lastId);
      const rows = rowsAfter.all(doc, lastId) as { id: number }[];
      lastId = rows.at(-1)?.id ?? lastId;
      return insert.get(doc, UPDATE);
    });
    const catchUp = db.transaction((doc: string) => {
      snapshotPast.get(doc, 0x7fffffff - 1);
      return rowsAfter.all(doc, 0x7fffffff - 1);
    });
    return {
      append: await measure(CALLS, () => append.immediate('bench-doc')),
      write: await measure(CALLS, () => write.immediate('bench-server-doc')),
      'catch-up': await measure(CALLS, () => catchUp('bench-doc')),
      role: await measure(CALLS, () => role.get('bench-room', 'bench-user')),
      members: await measure(CALLS, () => members.all(GROUP)),
    };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-store-'));
  const load = os.loadavg()[0]!;
  try {
    // Alternating, twice each, so a change in the machine's load hits both sides.
    const runs = { store: [] as Record<string, Cost>[], driver: [] as Record<string, Cost>[] };
    for (let round = 0; round < 2; round++) {
      runs.driver.push(await driverCosts(await mkdtemp(path.join(dir, 'd'))));
      runs.store.push(await storeCosts(await mkdtemp(path.join(dir, 's'))));
    }
    const best = (side: Record<string, Cost>[], op: string, key: keyof Cost) => Math.min(...side.map((r) => r[op]![key]));
    const rows = ['append', 'write', 'catch-up', 'role', 'members'].map((op) => {
      const [s, d] = [best(runs.store, op, 'cpuUs'), best(runs.driver, op, 'cpuUs')];
      const [sw, dw] = [best(runs.store, op, 'wallUs'), best(runs.driver, op, 'wallUs')];
      const sl = best(runs.store, op, 'loopUs');
      return `| ${op} | ${s.toFixed(1)} | ${d.toFixed(1)} | ${(s / d).toFixed(2)}× | ${sw.toFixed(1)} | ${dw.toFixed(1)} | ${sl.toFixed(1)} |`;
    });
    const cpu = os.cpus();
    const section = [
      HEADING,
      '',
      `\`npm run bench:store -- --calls ${CALLS}\` (\`scripts/bench/store.ts\`; \`--write\` updates this section), ${new Date().toISOString().slice(0, 10)}, ${cpu.length} × ${cpu[0]?.model.trim()}, Node ${process.version}; load average (1 min) ${load.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end; run took ${((Date.now() - began) / 1000).toFixed(0)} s.`,
      `Per call, one at a time, ${CALLS} calls after a warm-up, the better of two alternating rounds. "Driver" is better-sqlite3 running the same SQL with statements prepared once, on a file with the same schema and pragmas (WAL, synchronous = FULL): the floor the store's own code adds to.`,
      '',
      '| operation | store CPU µs | driver CPU µs | store ÷ driver | store wall µs | driver wall µs | store event loop µs |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    console.log(section);
    if (args.write) await writeBenchmarkSection(section);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
