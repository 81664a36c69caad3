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
 *   commit      one group commit as the load benchmark's 10 x 10 at 1,000 msgs/s makes
 *               them: 16 appends to 10 rooms' buckets with their marks and one projection
 *               flush of 10 inbox updates, into a log of 20,000 rows, through the writer
 *               thread (`LogWriter.commit`); the driver runs the same statements in one
 *               transaction
 *   commit, paced  the same, one every 12 ms (the load's rate, about 80 a second) rather
 *               than back to back: each then starts from threads at rest
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
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { RoomId, UserId } from '#schema/ids';
import type { Store } from '../../sync-server/src/store/db/store';
import { toBuffer } from '../../sync-server/src/store/rows';
import { openSqliteStore } from '../../sync-server/src/store/sqliteStore';
import { isFlush, type LogItem, type LogWriter } from '../../sync-server/src/store/sqliteWriter';
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

/** Buckets and inboxes the commits write to, named as the server names them (random ids scatter them over the log's index). */
const BUCKET_DOCS = Array.from({ length: 10 }, () => `room/g.${randomUUID()}/0`);
const INBOX_DOCS = Array.from({ length: 100 }, () => `inbox/${randomUUID()}`);
/** Rows already in the log when the commits are measured, over the same docs: a log with a history, as a server's is. */
const HISTORY_ROWS = 20_000;
/** The load benchmark's commits at 1,000 msgs/s over 10 × 10: about 80 a second. */
const COMMIT_EVERY_MS = 12;
/** Paced commits take `COMMIT_EVERY_MS` each: 800 of them at the default 2,000 calls, about 10 s a side and round. */
const PACED_CALLS = Math.max(50, Math.round(CALLS / 2.5));

/**
 * The `k`-th of ten group commits as the load benchmark's 10 × 10 at 1,000 msgs/s makes
 * them: 16 appends spread over 10 rooms' buckets with their marks, and a projection's
 * flush of 10 inbox updates among them (ten commits cover the 100 inboxes). The updates
 * are views into one larger buffer, as updates decoded from socket frames are.
 */
function commitItems(k: number): LogItem[] {
  const frame = new Uint8Array(16 * 1024).map((_, i) => i & 255);
  const roomOf = (docName: string) => docName.split('/')[1] as RoomId;
  const appends: LogItem[] = Array.from({ length: 16 }, (_, i) => {
    const docName = BUCKET_DOCS[(i + k) % BUCKET_DOCS.length]!;
    return { docName, update: frame.subarray(i * 160, i * 160 + UPDATE.length), mark: { roomId: roomOf(docName), bucket: 0 } };
  });
  const flush: LogItem = {
    flush: {
      updates: INBOX_DOCS.slice(k * 10, k * 10 + 10).map((docName, j) => ({ docName, update: frame.subarray(4096 + j * 300, 4096 + j * 300 + 200) })),
      watermarks: [{ roomId: roomOf(BUCKET_DOCS[k]!), bucket: 0, length: 10, messages: 10 }],
      clear: [{ roomId: roomOf(BUCKET_DOCS[k]!), bucket: 0 }],
    },
  };
  return [...appends.slice(0, 8), flush, ...appends.slice(8)];
}
/** Made once: both sides copy the bytes they are given (the store for its thread, the driver for its statements). */
const COMMITS = Array.from({ length: 10 }, (_, k) => commitItems(k));

/** The history's rows, a third of them to inboxes, in batches of a thousand. */
function historyBatches(): LogItem[][] {
  const rows = Array.from({ length: HISTORY_ROWS }, (_, i): LogItem => ({ docName: i % 3 ? BUCKET_DOCS[i % BUCKET_DOCS.length]! : INBOX_DOCS[i % INBOX_DOCS.length]!, update: UPDATE }));
  return Array.from({ length: HISTORY_ROWS / 1000 }, (_, b) => rows.slice(b * 1000, b * 1000 + 1000));
}

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

/** `everyMs`: each call starts that long after the one before (a server's commits come at a rate, not back to back), and wall time is the calls' own. */
async function measure(calls: number, call: (i: number) => unknown, everyMs = 0): Promise<Cost> {
  // A warm-up: the first calls compile statements and fill caches for both sides.
  for (let i = 0; i < 50; i++) await call(i);
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const began = performance.now();
  let wallMs = 0;
  for (let i = 0; i < calls; i++) {
    const wait = began + i * everyMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const start = performance.now();
    await call(i);
    wallMs += performance.now() - start;
  }
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop);
  return { cpuUs: (used.user + used.system) / calls, wallUs: (wallMs * 1000) / calls, loopUs: (busy.active * 1000) / calls };
}

async function storeCosts(dir: string): Promise<Record<string, Cost>> {
  const store = await openSqliteStore(path.join(dir, 'store.db'));
  const writer = (store as unknown as { writer: LogWriter }).writer;
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
      commit: await (async () => {
        for (const batch of historyBatches()) await writer.commit(batch);
        return measure(CALLS, (i) => writer.commit(COMMITS[i % COMMITS.length]!));
      })(),
      'commit, paced': await measure(PACED_CALLS, (i) => writer.commit(COMMITS[i % COMMITS.length]!), COMMIT_EVERY_MS),
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
    // As the writer thread appends (`sqliteWriter.worker.mjs`): without `returning id`.
    const appendRow = db.prepare('insert into doc_updates (doc_name, "update") values (?, ?)');
    const mark = db.prepare('insert into projection_marks (room_id, bucket) values (?, ?) on conflict do nothing');
    const clearMark = db.prepare('delete from projection_marks where room_id = ? and bucket = ?');
    const watermark = db.prepare(
      'insert into projection_watermarks (room_id, bucket, length, messages) values (?, ?, ?, ?) on conflict (room_id, bucket) do update set length = excluded.length, messages = excluded.messages',
    );
    const commit = db.transaction((items: LogItem[]) => {
      for (const item of items) {
        if (isFlush(item)) {
          for (const u of item.flush.updates) appendRow.run(u.docName, toBuffer(u.update));
          for (const w of item.flush.watermarks) watermark.run(w.roomId, w.bucket, w.length, w.messages);
          for (const m of item.flush.clear) clearMark.run(m.roomId, m.bucket);
          continue;
        }
        appendRow.run(item.docName, toBuffer(item.update));
        if (item.mark) mark.run(item.mark.roomId, item.mark.bucket);
      }
    });
    return {
      append: await measure(CALLS, () => append.immediate('bench-doc')),
      write: await measure(CALLS, () => write.immediate('bench-server-doc')),
      'catch-up': await measure(CALLS, () => catchUp('bench-doc')),
      role: await measure(CALLS, () => role.get('bench-room', 'bench-user')),
      members: await measure(CALLS, () => members.all(GROUP)),
      commit: await (async () => {
        for (const batch of historyBatches()) commit.immediate(batch);
        return measure(CALLS, (i) => commit.immediate(COMMITS[i % COMMITS.length]!));
      })(),
      'commit, paced': await measure(PACED_CALLS, (i) => commit.immediate(COMMITS[i % COMMITS.length]!), COMMIT_EVERY_MS),
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
    const rows = ['append', 'write', 'catch-up', 'role', 'members', 'commit', 'commit, paced'].map((op) => {
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
