import pg from 'pg';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { runStoreContract } from './db/storeContract';
import { withPgClient } from '../../../scripts/pgClient';
import { useTestDatabase } from '../../../test/helpers/pgDatabase';
import { hasPostgres } from '../../../test/helpers/services';
import { waitFor } from '../../../test/helpers/waitFor';
import { openPgStore, WRITE_LOCK_NAMESPACE } from './pgStore';
import { openStore } from './openStore';
import type { RoomId } from '#schema/ids';
import type { Store } from './db/store';

/** Every table the store owns; emptied before each contract test. */
const TABLES =
  'blocks, users, sessions, reset_tokens, rooms, room_members, former_members, disappearing_rooms, group_invites, client_ids, doc_updates, doc_snapshots, push_subscriptions, server_settings';

describe.skipIf(!(await hasPostgres()))('postgres store', () => {
  const dbUrl = useTestDatabase();

  runStoreContract('postgres', async () => {
    const store = await openPgStore(dbUrl);
    await withPgClient(dbUrl, (c) => c.query(`truncate ${TABLES} restart identity`));
    return store;
  });

  describe('beside the contract', () => {
    it('several processes opening at once migrate once and share one database', async () => {
      const stores = await Promise.all([openPgStore(dbUrl), openPgStore(dbUrl), openPgStore(dbUrl)]);
      await stores[0]!.appendUpdate('shared', new Uint8Array([7]));
      // The append resolved, so another pool's connection sees it committed.
      expect((await stores[2]!.loadDoc('shared')).updates).toEqual([new Uint8Array([7])]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('commits an append still waiting for its commit spacing when the store closes', async () => {
      const store = await openPgStore(dbUrl, { commitSpacingMs: 100 });
      const doc = `close-spaced-${Date.now()}`;
      await store.appendUpdate(doc, new Uint8Array([1]));
      // Asked right after a commit: it waits for the spacing, and the store closes meanwhile.
      const waiting = store.appendUpdate(doc, new Uint8Array([2]));
      await store.close();
      expect(await waiting).toBeGreaterThan(0);
      const reopened = await openPgStore(dbUrl);
      expect((await reopened.loadDoc(doc)).updates).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
      await reopened.close();
    });

    it('a row with a lower id that commits while compaction runs is kept, not folded away unseen', async () => {
      const store = await openPgStore(dbUrl);
      const late = new pg.Client({ connectionString: dbUrl });
      await late.connect();
      try {
        // Takes the lower id now and commits only after compaction has read the log.
        await late.query('begin');
        await late.query('insert into doc_updates (doc_name, update) values ($1, $2)', ['late', Buffer.from([1])]);
        await store.appendUpdate('late', new Uint8Array([2]));
        let committed: Promise<unknown> | undefined;
        const folded = await store.compact('late', (_snapshot, rows) => {
          committed = late.query('commit');
          return rows[0]!;
        });
        await committed;
        expect(folded).toBe(1);
        const loaded = await store.loadDoc('late');
        expect(loaded.snapshot).toEqual(new Uint8Array([2]));
        expect(loaded.updates).toEqual([new Uint8Array([1])]);
      } finally {
        await late.end();
        await store.close();
      }
    });

    it('a debounced compaction skips a doc another node is compacting or writing, and the next one folds it', async () => {
      const [a, b] = await Promise.all([openPgStore(dbUrl), openPgStore(dbUrl)]);
      const other = new pg.Client({ connectionString: dbUrl });
      await other.connect();
      try {
        const doc = new Y.Doc();
        doc.on('update', (update: Uint8Array) => void a.appendUpdate('busy', update));
        for (const word of ['one ', 'two ', 'three ']) doc.getText('t').insert(doc.getText('t').length, word);
        await waitFor(async () => (await a.countUpdates('busy')) === 3);
        // The doc's lock, as another node's compaction or server write holds it until its commit.
        await other.query('begin');
        await other.query('select pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK_NAMESPACE, 'busy']);
        expect(await b.compactAside('busy')).toBe(0);
        expect(await b.countUpdates('busy')).toBe(3);
        await other.query('commit');
        // The merge thread starts with the first merge: a store that never compacted runs none.
        expect(await b.threads()).toEqual([]);
        expect(await b.compactAside('busy')).toBe(3);
        expect(await a.countUpdates('busy')).toBe(0);
        // Named by its kernel id where there is one (Linux), for its CPU time at /metrics.
        expect((await b.threads()).map((t) => t.name)).toEqual(process.platform === 'linux' ? ['snapshot merge'] : []);
        expect(await a.threads()).toEqual([]);
        const loaded = await a.loadDoc('busy');
        const replayed = new Y.Doc();
        Y.applyUpdate(replayed, loaded.snapshot!);
        expect(replayed.getText('t').toString()).toBe('one two three ');
      } finally {
        await other.end();
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('two nodes appending to the same rooms at once, marks in opposite orders, never deadlock: every append is acknowledged', async () => {
      const [a, b] = await Promise.all([openPgStore(dbUrl), openPgStore(dbUrl)]);
      const rooms = Array.from({ length: 8 }, (_, i) => `g.00000000-0000-4000-8000-00000000000${i}` as RoomId);
      try {
        for (let round = 0; round < 20; round++) {
          // A projection cleared the marks: each round inserts them afresh, from both nodes.
          await withPgClient(dbUrl, (c) => c.query('delete from projection_marks'));
          const batch = (store: Store, order: RoomId[]) => order.map((roomId) => store.appendUpdate(`room/${roomId}/0`, new Uint8Array([round]), { roomId, bucket: 0 }));
          const results = await Promise.allSettled([...batch(a, rooms), ...batch(b, [...rooms].reverse())]);
          expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        }
        expect((await a.listProjectionMarks()).length).toBe(rooms.length);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('openStore takes postgres:// and postgresql:// URLs to Postgres', async () => {
      for (const scheme of ['postgres:', 'postgresql:']) {
        const u = new URL(dbUrl);
        u.protocol = scheme;
        const store = await openStore({ databaseUrl: u.toString(), dataDir: '/nonexistent' });
        expect(store.dialect).toBe('postgres');
        await store.ping();
        await store.close();
      }
    });
  });
});
