import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from './db/storeContract';
import { openSqliteStore } from './sqliteStore';
import { WAL_SIZE_LIMIT_BYTES, type LogWriter } from './sqliteWriter';
import { openStore, SQLITE_FILE_NAME } from './openStore';
import { threadCpuSeconds } from '../threadCpu';
import { newGroupId, type UserId } from '#schema/ids';
import { waitFor } from '../../../test/helpers/waitFor';

const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-sqlite-store-'));
let files = 0;

// A fresh file per test: the WAL, foreign keys and the migrator all run as in production.
runStoreContract('sqlite file', () => openSqliteStore(path.join(dir, `store-${files++}.sqlite`)));
runStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));

describe('sqlite store on disk', () => {
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('commits an append still waiting for its commit spacing when the store closes', async () => {
    const file = path.join(dir, 'close-spaced.sqlite');
    const store = await openSqliteStore(file, { commitSpacingMs: 100 });
    await store.appendUpdate('doc', new Uint8Array([1]));
    // Asked right after a commit: it waits for the spacing, and the store closes meanwhile.
    const waiting = store.appendUpdate('doc', new Uint8Array([2]));
    await store.close();
    expect(await waiting).toBeGreaterThan(0);
    const reopened = await openSqliteStore(file);
    expect((await reopened.loadDoc('doc')).updates).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
    await reopened.close();
  });

  it('keeps appended updates and reopens an existing file without migrating it again', async () => {
    const file = path.join(dir, 'reopen.sqlite');
    const first = await openSqliteStore(file);
    await first.appendUpdate('doc', new Uint8Array([1, 2, 3]));
    // A second connection sees the row before the first closes: the append had committed.
    const second = await openSqliteStore(file);
    expect((await second.loadDoc('doc')).updates).toEqual([new Uint8Array([1, 2, 3])]);
    await first.close();
    await second.close();
  });

  it('an append waiting for its commit leaves the event loop free, and resolves once the row is committed', async () => {
    const file = path.join(dir, 'writer-thread.sqlite');
    const store = await openSqliteStore(file);
    // Another connection holds the write lock, as a slow disk or another writer would.
    const other = new Database(file);
    other.exec('begin immediate');
    let settled = false;
    const append = store.appendUpdate('doc', new Uint8Array([4, 5, 6])).finally(() => (settled = true));
    // Timers still run while the append waits: the wait is not on this thread.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    other.exec('commit');
    const id = await append;
    expect(id).toBeGreaterThan(0);
    expect((await store.loadDoc('doc')).updates).toEqual([new Uint8Array([4, 5, 6])]);
    other.close();
    await store.close();
  });

  it('exclusive work on the main connection runs after every request asked before it has committed, and before any asked after it', async () => {
    const file = path.join(dir, 'writer-exclusive.sqlite');
    const store = await openSqliteStore(file);
    const { writer, sqlite } = store as unknown as { writer: LogWriter; sqlite: Database.Database };
    const count = (docName: string) => (sqlite.prepare('select count(*) as n from doc_updates where doc_name = ?').get(docName) as { n: number }).n;
    const before = [
      writer.commit([{ flush: { updates: [{ docName: 'x', update: new Uint8Array([1]) }], watermarks: [], clear: [] } }]),
      writer.commit([{ docName: 'x', update: new Uint8Array([2]) }]),
    ];
    const seen = writer.exclusive(() => [count('x'), count('y')]);
    const after = writer.commit([{ docName: 'y', update: new Uint8Array([3]) }]);
    expect(await seen).toEqual([2, 0]);
    await Promise.all([...before, after]);
    expect(count('y')).toBe(1);
    await store.close();
  });

  it("a write on the main connection waits for the writer thread's commit with the event loop free, not on SQLite's lock; a lazy one leaves the connection waiting for the disk again", async () => {
    const file = path.join(dir, 'main-connection-writes.sqlite');
    const store = await openSqliteStore(file);
    const { sqlite } = store as unknown as { sqlite: Database.Database };
    await store.createUser({ id: 'u_ann' as UserId, username: 'ann', displayName: 'Ann', email: null, passwordHash: 'x', createdAt: 1 });
    // Another connection holds the write lock, so the writer thread's append waits for it.
    const other = new Database(file);
    other.exec('begin immediate');
    const append = store.appendUpdate('doc', new Uint8Array([1]));
    // The group commit hands the append to the writer thread on the next turn.
    await new Promise((resolve) => setImmediate(resolve));
    let claimed = false;
    const claim = store.claimClientIds([7], 'u_ann' as UserId).then((owners) => {
      claimed = true;
      return owners;
    });
    // Timers run meanwhile: the claim is not sleeping on the lock on this thread.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(claimed).toBe(false);
    other.exec('commit');
    await append;
    expect(Object.fromEntries(await claim)).toEqual({ 7: 'u_ann' });
    // The claim committed without waiting for the disk (lazy), and the connection is back to FULL (2).
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    other.close();
    await store.close();
  });

  // Kernel thread ids and `/proc` are Linux's: elsewhere the store names no threads, and /metrics leaves the series out.
  it.runIf(process.platform === 'linux')("names its writer and upkeep threads by their kernel ids, by which /proc gives each one's CPU time; a store in memory has none", async () => {
    const store = await openSqliteStore(path.join(dir, 'threads.sqlite'));
    // A hundred commits one after another: each an fsync and its WAL frames, on the writer thread.
    for (let i = 0; i < 100; i++) await store.appendUpdate('doc', new Uint8Array(4096).fill(i));
    const threads = await store.threads();
    expect(threads.map((t) => t.name)).toEqual(['sqlite writer', 'sqlite upkeep']);
    const [writer, upkeep] = threads.map((t) => t.tid);
    expect(writer).not.toBe(upkeep);
    expect([writer, upkeep]).not.toContain(process.pid);
    expect(threadCpuSeconds(writer!)).toBeGreaterThan(0);
    expect(threadCpuSeconds(upkeep!)).toBeGreaterThanOrEqual(0);
    await store.close();
    // Closed: the threads have ended, and /proc no longer lists them.
    expect(threadCpuSeconds(writer!)).toBeNull();
    const memory = await openSqliteStore(':memory:');
    expect(await memory.threads()).toEqual([]);
    await memory.close();
  });

  it('a thread of its own checkpoints the WAL into the database file; no commit on the main connection or the writer thread does it first', async () => {
    const file = path.join(dir, 'checkpoints.sqlite');
    const store = await openSqliteStore(file);
    const { sqlite } = store as unknown as { sqlite: Database.Database };
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const sizeBefore = statSync(file).size;
    // About 6 MB through the writer thread: past the WAL's usual 1,000-page limit (4 MB).
    for (let i = 0; i < 24; i++) await Promise.all(Array.from({ length: 4 }, () => store.appendUpdate('doc', new Uint8Array(64 * 1024).fill(i))));
    // The pages reach the database file itself within the upkeep thread's second.
    await waitFor(() => statSync(file).size - sizeBefore > 5 * 2 ** 20, { what: 'the WAL checkpointed', timeoutMs: 5_000 });
    expect((await store.loadDoc('doc')).updates).toHaveLength(96);
    await store.close();
  });

  it('under appends back to back the WAL still starts over every second, and a quiet moment cuts its file back to the limit', async () => {
    const file = path.join(dir, 'wal-starts-over.sqlite');
    const store = await openSqliteStore(file);
    const wal = `${file}-wal`;
    // The WAL header's two salts change each time the WAL starts over from its beginning (SQLite's file format, "WAL file format").
    const salts = () => {
      const fd = openSync(wal, 'r');
      try {
        const header = Buffer.alloc(8);
        readSync(fd, header, 0, 8, 16);
        return header.toString('hex');
      } finally {
        closeSync(fd);
      }
    };
    const seen = new Set<string>();
    let written = 0;
    // 3.5 s of commits one after another, each overtaking the upkeep thread's lock-free passes;
    // on a machine too busy for that to reach past the WAL's limit and three starts, up to 20 s.
    const until = Date.now() + 3_500;
    const deadline = Date.now() + 20_000;
    while ((Date.now() < until || written <= WAL_SIZE_LIMIT_BYTES || seen.size < 3) && Date.now() < deadline) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.appendUpdate(`doc-${i}`, new Uint8Array(64 * 1024).fill(written % 251))));
      written += 8 * 64 * 1024;
      seen.add(salts());
    }
    // Started over at the checkpoints of the first, second and third second: at least two of them seen.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    // Quiet: the next checkpoint copies everything, the next commit starts the WAL over and cuts the file back.
    await waitFor(
      async () => {
        await store.appendUpdate('doc-0', new Uint8Array([1]));
        return statSync(wal).size <= WAL_SIZE_LIMIT_BYTES;
      },
      { what: 'the WAL file cut back', timeoutMs: 5_000 },
    );
    expect(written).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
    expect((await store.loadDoc('doc-3')).updates.length).toBe(written / (8 * 64 * 1024));
    await store.close();
  });

  it('a writer thread that dies fails only what was in flight: the next append starts another thread, and everything acknowledged stays', async () => {
    const file = path.join(dir, 'writer-dies.sqlite');
    const store = await openSqliteStore(file);
    await store.appendUpdate('doc', new Uint8Array([1]));
    // Fault injection: the thread is killed from outside, as a crash inside it would end it.
    const thread = (store as unknown as { writer: { writer: { worker: Worker } } }).writer.writer;
    for (let round = 0; round < 3; round++) {
      await thread.worker.terminate();
      // The thread is replaced on the next request, and that request is stored.
      await expect(store.appendUpdate('doc', new Uint8Array([10 + round]))).resolves.toBeGreaterThan(0);
    }
    expect((await store.loadDoc('doc')).updates).toEqual([new Uint8Array([1]), new Uint8Array([10]), new Uint8Array([11]), new Uint8Array([12])]);
    await store.close();
  });

  it('the upkeep thread compacts away from the event loop, and one that dies is replaced: the next compaction runs on another', async () => {
    const file = path.join(dir, 'upkeep-dies.sqlite');
    const store = await openSqliteStore(file);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (const word of ['one ', 'two ', 'three ']) doc.getText('t').insert(doc.getText('t').length, word);
    for (const update of updates) await store.appendUpdate('doc', update);
    const upkeep = (store as unknown as { writer: { upkeep: { worker: Worker } } }).writer.upkeep;
    await upkeep.worker.terminate();
    expect(await store.compactAside('doc')).toBe(3);
    const loaded = await store.loadDoc('doc');
    expect(loaded.updates).toEqual([]);
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, loaded.snapshot!);
    expect(replayed.getText('t').toString()).toBe('one two three ');
    await store.close();
  });

  it('openStore without a database URL makes the data dir and uses jeco.sqlite in it', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = await openStore({ databaseUrl: undefined, dataDir });
    expect(store.dialect).toBe('sqlite');
    await store.close();
    expect(existsSync(path.join(dataDir, SQLITE_FILE_NAME))).toBe(true);
  });

  it('openStore refuses a URL it does not know, without echoing credentials', async () => {
    const attempt = openStore({ databaseUrl: 'mysql://root:secret@db/jeco', dataDir: dir });
    await expect(attempt).rejects.toThrow(/postgres:\/\/ or postgresql:\/\/.*got mysql:/);
    await expect(attempt).rejects.not.toThrow(/secret/);
  });
});

// A directory of their own: the tests above remove theirs when they end.
const flushesDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-sqlite-flushes-'));
afterAll(() => rm(flushesDir, { recursive: true, force: true }));

describe.each([
  ['on disk, through the writer thread', () => openSqliteStore(path.join(flushesDir, `flushes-${files++}.sqlite`), { commitSpacingMs: 200 })],
  ['in memory, on this thread', () => openSqliteStore(':memory:', { commitSpacingMs: 200 })],
])('sqlite store %s: projection flushes among the appends', (_, open) => {
  const bytes = (n: number) => new Uint8Array([n, n, n]);
  const writerOf = (store: object) => (store as { writer: LogWriter }).writer;
  const rowsOf = (store: object, docName: string) => (store as { sqlite: Database.Database }).sqlite.prepare('select count(*) as n from doc_updates where doc_name = ?').get(docName) as { n: number };

  it("a projection's flush asked among appends commits in their transaction, not one of its own", async () => {
    const store = await open();
    const roomId = newGroupId();
    // A commit now, so that what is asked next waits for the spacing together.
    await store.appendUpdate('first', bytes(0));
    const before = store.writeStats.transactions;
    const flush = { updates: [{ docName: 'inbox', update: bytes(2) }], watermarks: [{ roomId, bucket: 0, length: 1, messages: 1 }], clear: [] };
    await Promise.all([store.appendUpdate('a', bytes(1)), store.projectRoom(roomId, async () => flush), store.appendUpdate('b', bytes(3))]);
    expect(store.writeStats.transactions - before).toBe(1);
    expect(['a', 'inbox', 'b'].map((docName) => rowsOf(store, docName).n)).toEqual([1, 1, 1]);
    expect(await store.getProjectionWatermarks(roomId)).toEqual([{ roomId, bucket: 0, length: 1, messages: 1 }]);
    await store.close();
  });

  it('a batch means what its items one after another would: a mark set after a flush outlives the flush that clears it', async () => {
    const store = await open();
    const roomId = newGroupId();
    const clearing = { flush: { updates: [], watermarks: [{ roomId, bucket: 0, length: 1, messages: 1 }], clear: [{ roomId, bucket: 0 }] } };
    await writerOf(store).commit([{ docName: 'a', update: bytes(1), mark: { roomId, bucket: 0 } }, clearing, { docName: 'b', update: bytes(2), mark: { roomId, bucket: 0 } }]);
    // b's message came after the projection: its room still waits for the next one, after a crash too.
    expect(await store.listProjectionMarks()).toEqual([{ roomId, bucket: 0 }]);
    await writerOf(store).commit([{ docName: 'c', update: bytes(3), mark: { roomId, bucket: 0 } }, clearing]);
    expect(await store.listProjectionMarks()).toEqual([]);
    await store.close();
  });

  it('a flush that fails is refused alone, undone to its savepoint: the appends and flushes beside it commit', async () => {
    const store = await open();
    const roomId = newGroupId();
    // A watermark without its length: the table refuses it (NOT NULL), after the flush's inbox update was written.
    const broken = { flush: { updates: [{ docName: 'inbox-broken', update: bytes(9) }], watermarks: [{ roomId, bucket: 0, length: null as unknown as number, messages: 0 }], clear: [] } };
    const fine = { flush: { updates: [{ docName: 'inbox-fine', update: bytes(8) }], watermarks: [{ roomId, bucket: 1, length: 2, messages: 2 }], clear: [] } };
    const [first, failed, flushed, last] = await writerOf(store).commit([{ docName: 'a', update: bytes(1) }, broken, fine, { docName: 'b', update: bytes(2) }]);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/NOT NULL/);
    expect(flushed).toBe(0);
    expect(typeof first === 'number' && typeof last === 'number' && last > first).toBe(true);
    expect(['a', 'b', 'inbox-fine', 'inbox-broken'].map((docName) => rowsOf(store, docName).n)).toEqual([1, 1, 1, 0]);
    expect(await store.getProjectionWatermarks(roomId)).toEqual([{ roomId, bucket: 1, length: 2, messages: 2 }]);
    // Through the store: the projection's promise is refused, an append asked beside it is acknowledged.
    const projected = store.projectRoom(roomId, async () => broken.flush);
    const appended = store.appendUpdate('c', bytes(3));
    await expect(projected).rejects.toThrow(/NOT NULL/);
    expect(await appended).toBeGreaterThan(0);
    await store.close();
  });

  it('every entry of a batch stores its own bytes, also those after a flush undone halfway through its updates', async () => {
    const store = await open();
    const stored = (docName: string) =>
      (store as unknown as { sqlite: Database.Database }).sqlite
        .prepare('select "update" as u from doc_updates where doc_name = ? order by id')
        .all(docName)
        .map((row) => [...(row as { u: Buffer }).u]);
    const sized = (n: number, length: number) => new Uint8Array(length).fill(n);
    // Its second update has no doc (NOT NULL): the first was written and is undone with it; the third is never reached.
    const halfway = {
      flush: {
        updates: [
          { docName: 'inbox-x', update: sized(20, 5) },
          { docName: null as unknown as string, update: sized(21, 7) },
          { docName: 'inbox-y', update: sized(22, 11) },
        ],
        watermarks: [],
        clear: [],
      },
    };
    const fine = { flush: { updates: [{ docName: 'inbox-z', update: sized(30, 2) }], watermarks: [], clear: [] } };
    const results = await writerOf(store).commit([{ docName: 'a', update: sized(10, 3) }, halfway, fine, { docName: 'b', update: sized(40, 4) }]);
    expect(results[1]).toBeInstanceOf(Error);
    expect(['a', 'inbox-x', 'inbox-y', 'inbox-z', 'b'].map(stored)).toEqual([[[10, 10, 10]], [], [], [[30, 30]], [[40, 40, 40, 40]]]);
    await store.close();
  });
});
