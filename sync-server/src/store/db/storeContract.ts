// Over 300 lines: one suite of numbered rules over one store per test, so a rule's number stays its name.
/**
 * The store contract suite: every {@link Store} implementation runs these numbered
 * rules, so SQLite and Postgres cannot drift apart. A failing test names its rule.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RoomId, UserId } from '#schema/ids';
import { privacyColumns, privacyOf, type FileRow, type LoadLogsAfter, type NewUser, type RoomRow, type SessionRow, type Store } from './store';
import { DEFAULT_PRIVACY } from '#schema/privacy';

/** How each test gets a store: {@link runStoreContract} opens one per test and closes it after. */
export type OpenStore = () => Promise<Store>;

/** The merge the sync server uses: Yjs updates fold into one update. */
function yMerge(snapshot: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  return Y.mergeUpdates(snapshot ? [snapshot, ...updates] : updates);
}

/** A doc whose every change is captured as an update, as the sync server receives them. */
function recordingDoc(): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  return { doc, updates };
}

/** Rebuilds a doc the way the server loads one: snapshot, then the log rows in order. */
function replay(loaded: { snapshot: Uint8Array | null; updates: Uint8Array[] }): Y.Doc {
  const doc = new Y.Doc();
  if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
  for (const update of loaded.updates) Y.applyUpdate(doc, update);
  return doc;
}

/** Appends `words` one Yjs update each to a text and an array, returning the updates in order. */
function wordsUpdates(words: readonly string[]): Uint8Array[] {
  const { doc, updates } = recordingDoc();
  for (const word of words) {
    doc.transact(() => {
      doc.getText('t').insert(doc.getText('t').length, word);
      doc.getArray<string>('a').push([word]);
    });
  }
  return updates;
}

function userId(): UserId {
  return crypto.randomUUID() as UserId;
}

function newUser(username: string, fields: Partial<NewUser> = {}): NewUser {
  return {
    id: userId(),
    username,
    displayName: username,
    email: `${username}@example.test`,
    passwordHash: `hash-of-${username}`,
    createdAt: 1_000,
    ...fields,
  };
}

function session(user: UserId, tokenHash: string, expiresAt: number, absoluteExpiresAt = expiresAt + 1_000_000): SessionRow {
  return { tokenHash, userId: user, createdAt: 1_000, expiresAt, absoluteExpiresAt, userAgent: null, lastActiveAt: null };
}

function group(createdBy: UserId, createdAt = 1_000): RoomRow {
  return { id: `g.${crypto.randomUUID()}` as RoomId, kind: 'group', createdBy, createdAt };
}

/**
 * Registers the contract as a `describe` block named after `name`. `open` is called
 * before every test and must hand back a store over an empty database; `cleanup` runs
 * once after the last test (removing temp files, dropping a database).
 */
export function runStoreContract(name: string, open: OpenStore, cleanup?: () => Promise<void>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });
    if (cleanup) afterAll(cleanup);

    async function addUser(username: string, fields: Partial<NewUser> = {}): Promise<NewUser> {
      const user = newUser(username, fields);
      expect(await store.createUser(user)).toEqual({ ok: true });
      return user;
    }

    it('1. createUser stores a user that every getter finds, with no last-seen time yet', async () => {
      const ann = await addUser('ann', { displayName: 'Ann Lee', email: 'ann@example.test' });
      const expected = { ...ann, lastSeenAt: null, about: null, ...privacyColumns(DEFAULT_PRIVACY), pushPreview: true, photo: null, deletedAt: null };
      expect(await store.getUserById(ann.id)).toEqual(expected);
      expect(await store.getUserByUsername('ann')).toEqual(expected);
      expect(await store.getUserByUsername('ANN')).toEqual(expected);
      expect(await store.getUserByEmail('ann@example.test')).toEqual(expected);
      expect(await store.getUserById(userId())).toBeNull();
      expect(await store.getUserByUsername('nobody')).toBeNull();
      expect(await store.getUserByEmail('nobody@example.test')).toBeNull();
    });

    it('2. createUser refuses a taken username (case-insensitively) and a taken email; many users may have no email', async () => {
      await addUser('ann', { email: 'ann@example.test' });
      expect(await store.createUser(newUser('ann', { email: 'other@example.test' }))).toEqual({ conflict: 'username' });
      expect(await store.createUser(newUser('ANN', { email: 'other@example.test' }))).toEqual({ conflict: 'username' });
      expect(await store.createUser(newUser('bob', { email: 'ann@example.test' }))).toEqual({ conflict: 'email' });
      await addUser('cy', { email: null });
      await addUser('dee', { email: null });
      expect(await store.getUserByUsername('bob')).toBeNull();
    });

    it('3. getUsersByIds returns the known users, whole and once each, and skips unknown ids', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await addUser('cy');
      const found = await store.getUsersByIds([ann.id, bob.id, userId()]);
      expect(found.map((u) => u.username).sort()).toEqual(['ann', 'bob']);
      expect(await store.getUsersByIds([])).toEqual([]);
      // Whole rows, each user once however often named, and more ids than one statement may bind.
      const many = [bob.id, ...Array.from({ length: 2000 }, () => userId()), bob.id];
      expect(await store.getUsersByIds(many)).toEqual([await store.getUserById(bob.id)]);
    });

    it('4. searchUsers matches a username or display-name prefix case-insensitively, ordered by username, at most limit', async () => {
      await addUser('zed', { displayName: 'Mario Rossi' });
      await addUser('mario', { displayName: 'Someone' });
      await addUser('marianne', { displayName: 'Marianne' });
      await addUser('bob', { displayName: 'Robert' });
      await addUser('amy', { displayName: 'Not a MAR prefix' });
      const names = async (q: string, limit = 20) => (await store.searchUsers(q, limit)).map((u) => u.username);
      expect(await names('mar')).toEqual(['marianne', 'mario', 'zed']);
      expect(await names('MAR')).toEqual(['marianne', 'mario', 'zed']);
      expect(await names('mario r')).toEqual(['zed']);
      expect(await names('mar', 2)).toEqual(['marianne', 'mario']);
      expect(await names('rob')).toEqual(['bob']);
      expect(await names('xyz')).toEqual([]);
    });

    it('5. searchUsers treats % and _ in the query literally', async () => {
      await addUser('a_b', { displayName: 'Under Score' });
      await addUser('axb', { displayName: 'Percent 100% sure' });
      const names = async (q: string) => (await store.searchUsers(q, 20)).map((u) => u.username);
      expect(await names('a_')).toEqual(['a_b']);
      expect(await names('%')).toEqual([]);
      expect(await names('percent 100%')).toEqual(['axb']);
      expect(await names('percent 1_0')).toEqual([]);
      expect(await names('\\')).toEqual([]);
    });

    it('6. setPasswordHash and setLastSeen change only the named user', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await store.setPasswordHash(ann.id, 'new-hash');
      await store.setLastSeen(ann.id, 5_000);
      expect(await store.getUserById(ann.id)).toMatchObject({ passwordHash: 'new-hash', lastSeenAt: 5_000 });
      expect(await store.getUserById(bob.id)).toMatchObject({ passwordHash: bob.passwordHash, lastSeenAt: null });
    });

    it('7. sessions: create, get, touch slides the idle expiry only, delete', async () => {
      const ann = await addUser('ann');
      const row = session(ann.id, 'h1', 2_000, 9_000);
      await store.createSession(row);
      expect(await store.getSession('h1')).toEqual(row);
      await store.touchSession('h1', 3_000);
      expect(await store.getSession('h1')).toEqual({ ...row, expiresAt: 3_000 });
      await store.deleteSession('h1');
      expect(await store.getSession('h1')).toBeNull();
      expect(await store.getSession('never')).toBeNull();
    });

    it('46. getSessions reads many sessions at once, leaving out unknown hashes; markSessionsActive marks exactly the sessions named', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await store.createSession(session(ann.id, 'a1', 9_000));
      await store.createSession(session(ann.id, 'a2', 9_000));
      await store.createSession(session(bob.id, 'b1', 9_000));
      expect((await store.getSessions(['b1', 'never', 'a1'])).map((s) => s.tokenHash).sort()).toEqual(['a1', 'b1']);
      expect(await store.getSessions([])).toEqual([]);
      await store.markSessionsActive(['a1', 'b1', 'never'], 7_000);
      await store.markSessionsActive([], 8_000);
      expect((await store.getSessions(['a1', 'a2', 'b1'])).map((s) => [s.tokenHash, s.lastActiveAt]).sort()).toEqual([
        ['a1', 7_000],
        ['a2', null],
        ['b1', 7_000],
      ]);
    });

    it('8. deleteUserSessions removes every session of that user and no other', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await store.createSession(session(ann.id, 'a1', 2_000));
      await store.createSession(session(ann.id, 'a2', 2_000));
      await store.createSession(session(bob.id, 'b1', 2_000));
      await store.deleteUserSessions(ann.id);
      expect(await store.getSession('a1')).toBeNull();
      expect(await store.getSession('a2')).toBeNull();
      expect(await store.getSession('b1')).not.toBeNull();
    });

    it('9. deleteExpiredSessions removes idle- or absolutely-expired sessions and counts them', async () => {
      const ann = await addUser('ann');
      await store.createSession(session(ann.id, 'idle', 1_500, 9_000));
      await store.createSession(session(ann.id, 'absolute', 9_000, 1_800));
      await store.createSession(session(ann.id, 'edge', 2_000, 9_000));
      await store.createSession(session(ann.id, 'live', 2_001, 9_000));
      expect(await store.deleteExpiredSessions(2_000)).toBe(3);
      expect(await store.getSession('live')).not.toBeNull();
      expect(await store.getSession('idle')).toBeNull();
      expect(await store.deleteExpiredSessions(2_000)).toBe(0);
    });

    it('10. a reset token is single use: the second consume returns null', async () => {
      const ann = await addUser('ann');
      await store.createResetToken({ tokenHash: 'r1', userId: ann.id, expiresAt: 5_000 });
      expect(await store.consumeResetToken('r1', 1_000)).toBe(ann.id);
      expect(await store.consumeResetToken('r1', 1_000)).toBeNull();
      expect(await store.consumeResetToken('unknown', 1_000)).toBeNull();
    });

    it('11. an expired reset token returns null and is deleted', async () => {
      const ann = await addUser('ann');
      await store.createResetToken({ tokenHash: 'r1', userId: ann.id, expiresAt: 5_000 });
      expect(await store.consumeResetToken('r1', 5_000)).toBeNull();
      // Gone, not merely refused: an earlier clock cannot bring it back.
      expect(await store.consumeResetToken('r1', 1_000)).toBeNull();
    });

    it('12. saveRoomMembers creates the room once and replaces its member list', async () => {
      const [ann, bob, cy] = [userId(), userId(), userId()];
      const room = group(ann, 1_000);
      expect(await store.getRoom(room.id)).toBeNull();
      await store.saveRoomMembers(room, [
        { userId: ann, role: 'owner' },
        { userId: bob, role: 'member' },
      ]);
      expect(await store.getRoom(room.id)).toEqual(room);
      await store.saveRoomMembers({ ...room, createdAt: 7_000, createdBy: cy }, [
        { userId: ann, role: 'owner' },
        { userId: cy, role: 'admin' },
      ]);
      expect(await store.getRoom(room.id)).toEqual(room);
      const members = await store.getRoomMembers(room.id);
      expect(members.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
        [
          { userId: ann, role: 'owner' },
          { userId: cy, role: 'admin' },
        ].sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      await store.saveRoomMembers(room, []);
      expect(await store.getRoomMembers(room.id)).toEqual([]);
      expect(await store.getRoomMembers(group(ann).id)).toEqual([]);
    });

    it('13. getMemberRole reads the projected memberships', async () => {
      const [ann, bob] = [userId(), userId()];
      const first = group(ann);
      const second = group(bob);
      await store.saveRoomMembers(first, [
        { userId: ann, role: 'owner' },
        { userId: bob, role: 'admin' },
      ]);
      await store.saveRoomMembers(second, [{ userId: bob, role: 'owner' }]);
      expect(await store.getMemberRole(first.id, ann)).toBe('owner');
      expect(await store.getMemberRole(first.id, bob)).toBe('admin');
      expect(await store.getMemberRole(second.id, ann)).toBeNull();
      expect(await store.getMemberRole(second.id, bob)).toBe('owner');
    });

    it('34. saveRoomMembers records who departed with the last bucket they may read, keeping the later one', async () => {
      const [ann, bob, cy] = [userId(), userId(), userId()];
      const room = group(ann);
      await store.saveRoomMembers(room, [
        { userId: ann, role: 'owner' },
        { userId: bob, role: 'member' },
        { userId: cy, role: 'member' },
      ]);
      expect(await store.getFormerThrough(room.id, bob)).toBeNull();
      await store.saveRoomMembers(
        room,
        [
          { userId: ann, role: 'owner' },
          { userId: cy, role: 'member' },
        ],
        [{ userId: bob, throughBucket: 3 }],
      );
      expect(await store.getMemberRole(room.id, bob)).toBeNull();
      expect(await store.getFormerThrough(room.id, bob)).toBe(3);
      expect(await store.getFormerThrough(room.id, cy)).toBeNull();
      // Added back, then gone again later: the span moves on, never back.
      await store.saveRoomMembers(
        room,
        [
          { userId: ann, role: 'owner' },
          { userId: bob, role: 'member' },
        ],
        [{ userId: cy, throughBucket: 5 }],
      );
      expect(await store.getMemberRole(room.id, bob)).toBe('member');
      await store.saveRoomMembers(room, [{ userId: ann, role: 'owner' }], [{ userId: bob, throughBucket: 7 }]);
      expect(await store.getFormerThrough(room.id, bob)).toBe(7);
      await store.saveRoomMembers(room, [{ userId: ann, role: 'owner' }], [{ userId: bob, throughBucket: 2 }]);
      expect(await store.getFormerThrough(room.id, bob)).toBe(7);
      expect(await store.getFormerThrough(room.id, cy)).toBe(5);
      // Per room.
      expect(await store.getFormerThrough(group(ann).id, bob)).toBeNull();
    });

    it('41. disappearing rooms: turned on from a bucket, the period changed keeping where the pass is, checked never moves back, off removes the row', async () => {
      const ann = userId();
      const room = group(ann);
      await store.saveRoomMembers(room, [{ userId: ann, role: 'owner' }]);
      const mine = async () => (await store.listDisappearing()).filter((r) => r.roomId === room.id);
      expect(await mine()).toEqual([]);
      await store.setDisappearing(room.id, { afterMs: 86_400_000, since: 1_000, fromBucket: 2 });
      expect(await mine()).toEqual([{ roomId: room.id, afterMs: 86_400_000, since: 1_000, checkedBucket: 2 }]);
      await store.setDisappearingChecked(room.id, 4);
      await store.setDisappearingChecked(room.id, 3);
      await store.setDisappearing(room.id, { afterMs: 604_800_000, since: 9_000, fromBucket: 9 });
      expect(await mine()).toEqual([{ roomId: room.id, afterMs: 604_800_000, since: 1_000, checkedBucket: 4 }]);
      await store.setDisappearing(room.id, null);
      expect(await mine()).toEqual([]);
    });

    it('42. invites: a new link revokes the working one; revoking ends it; a link is found by its hash, revoked or not', async () => {
      const ann = userId();
      const room = group(ann);
      const other = group(ann);
      await store.saveRoomMembers(room, [{ userId: ann, role: 'owner' }]);
      await store.saveRoomMembers(other, [{ userId: ann, role: 'owner' }]);
      expect(await store.getActiveInvite(room.id)).toBeNull();
      await store.createInvite({ tokenHash: 'h1', roomId: room.id, createdBy: ann, createdAt: 10, revokedAt: null });
      await store.createInvite({ tokenHash: 'o1', roomId: other.id, createdBy: ann, createdAt: 11, revokedAt: null });
      expect(await store.getActiveInvite(room.id)).toEqual({ tokenHash: 'h1', roomId: room.id, createdBy: ann, createdAt: 10, revokedAt: null });
      await store.createInvite({ tokenHash: 'h2', roomId: room.id, createdBy: ann, createdAt: 20, revokedAt: null });
      expect((await store.getInvite('h1'))?.revokedAt).toBe(20);
      expect((await store.getActiveInvite(room.id))?.tokenHash).toBe('h2');
      expect(await store.revokeInvites(room.id, 30)).toBe(1);
      expect(await store.revokeInvites(room.id, 31)).toBe(0);
      expect(await store.getActiveInvite(room.id)).toBeNull();
      expect((await store.getInvite('h2'))?.revokedAt).toBe(30);
      expect(await store.getInvite('nope')).toBeNull();
      // Per room: the other group's link still works.
      expect((await store.getActiveInvite(other.id))?.tokenHash).toBe('o1');
    });

    it('14. claimClientIds: the first claim wins, a second user gets the first owner back; uint32 ids fit; one call claims many', async () => {
      const [ann, bob] = [userId(), userId()];
      const owners = async (ids: number[], user: UserId) => Object.fromEntries(await store.claimClientIds(ids, user));
      expect(await owners([42], ann)).toEqual({ 42: ann });
      expect(await owners([42], bob)).toEqual({ 42: ann });
      expect(await owners([42], ann)).toEqual({ 42: ann });
      expect(await owners([0xffff_ffff], bob)).toEqual({ 4294967295: bob });
      expect(await owners([0xffff_ffff, 43, 42], ann)).toEqual({ 4294967295: bob, 43: ann, 42: ann });
      expect(await owners([], ann)).toEqual({});
      const many = Array.from({ length: 500 }, (_, i) => 1_000_000 + i);
      const claimed = await store.claimClientIds(many, bob);
      expect(claimed.size).toBe(500);
      expect([...claimed.values()].every((owner) => owner === bob)).toBe(true);
      expect(Object.fromEntries(await store.getClientIdOwners([42, 7, 1_000_001]))).toEqual({ 42: ann, 1000001: bob });
      expect(Object.fromEntries(await store.claimClientIds([7], ann))).toEqual({ 7: ann });
    });

    it('15. appendUpdate and loadDoc keep the bytes and the append order, per doc', async () => {
      const updates = wordsUpdates(['hello', ' ', 'world']);
      for (const update of updates) await store.appendUpdate('room/a', update);
      await store.appendUpdate('room/b', wordsUpdates(['other'])[0]!);
      const loaded = await store.loadDoc('room/a');
      expect(loaded.snapshot).toBeNull();
      expect(loaded.updates.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
      expect(loaded.updates.every((u) => u.constructor === Uint8Array)).toBe(true);
      const doc = replay(loaded);
      expect(doc.getText('t').toString()).toBe('hello world');
      expect(doc.getArray('a').toArray()).toEqual(['hello', ' ', 'world']);
      expect(await store.loadDoc('room/none')).toEqual({ snapshot: null, updates: [], lastId: 0 });
    });

    it('16. docExists and countUpdates see only their own doc', async () => {
      expect(await store.docExists('room/a')).toBe(false);
      expect(await store.countUpdates('room/a')).toBe(0);
      for (const update of wordsUpdates(['x', 'y'])) await store.appendUpdate('room/a', update);
      await store.appendUpdate('room/a/0', wordsUpdates(['z'])[0]!);
      expect(await store.docExists('room/a')).toBe(true);
      expect(await store.countUpdates('room/a')).toBe(2);
      expect(await store.countUpdates('room/a/0')).toBe(1);
      expect(await store.docExists('room')).toBe(false);
    });

    it('17. compact folds the snapshot and rows into a new snapshot and removes the rows', async () => {
      const updates = wordsUpdates(['a', 'b', 'c', 'd', 'e']);
      for (const update of updates.slice(0, 3)) await store.appendUpdate('doc', update);
      const seen: Array<{ snapshot: Uint8Array | null; rows: number[][] }> = [];
      const merge = (snapshot: Uint8Array | null, rows: Uint8Array[]) => {
        seen.push({ snapshot, rows: rows.map((r) => Array.from(r)) });
        return yMerge(snapshot, rows);
      };
      expect(await store.compact('doc', merge)).toBe(3);
      expect(seen[0]).toEqual({ snapshot: null, rows: updates.slice(0, 3).map((u) => Array.from(u)) });
      const first = await store.loadDoc('doc');
      expect(first.updates).toEqual([]);
      expect(first.snapshot).not.toBeNull();
      expect(replay(first).getText('t').toString()).toBe('abc');
      expect(await store.countUpdates('doc')).toBe(0);
      expect(await store.docExists('doc')).toBe(true);

      for (const update of updates.slice(3)) await store.appendUpdate('doc', update);
      expect(await store.compact('doc', merge)).toBe(2);
      expect(Array.from(seen[1]!.snapshot!)).toEqual(Array.from(first.snapshot!));
      const second = await store.loadDoc('doc');
      expect(second.updates).toEqual([]);
      expect(replay(second).getText('t').toString()).toBe('abcde');
      expect(replay(second).getArray('a').toArray()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('18. compact with no rows to fold returns 0, never calls merge and writes nothing', async () => {
      let calls = 0;
      const merge = (snapshot: Uint8Array | null, rows: Uint8Array[]) => {
        calls++;
        return yMerge(snapshot, rows);
      };
      expect(await store.compact('doc', merge)).toBe(0);
      expect(await store.docExists('doc')).toBe(false);
      await store.appendUpdate('doc', wordsUpdates(['a'])[0]!);
      await store.compact('doc', merge);
      const before = await store.loadDoc('doc');
      expect(await store.compact('doc', merge)).toBe(0);
      expect(calls).toBe(1);
      expect(await store.loadDoc('doc')).toEqual(before);
    });

    it('19. rows appended during the merge callback survive compaction', async () => {
      const updates = wordsUpdates(['one', 'two', 'three']);
      await store.appendUpdate('doc', updates[0]!);
      await store.appendUpdate('doc', updates[1]!);
      let appended: Promise<number> | undefined;
      const folded = await store.compact('doc', (snapshot, rows) => {
        appended = store.appendUpdate('doc', updates[2]!);
        return yMerge(snapshot, rows);
      });
      await appended;
      expect(folded).toBe(2);
      const loaded = await store.loadDoc('doc');
      expect(loaded.updates.map((u) => Array.from(u))).toEqual([Array.from(updates[2]!)]);
      expect(replay(loaded).getText('t').toString()).toBe('onetwothree');
      expect(await store.countUpdates('doc')).toBe(1);
    });

    it('20. concurrent compactions of one doc fold each row exactly once', async () => {
      const updates = wordsUpdates(['p', 'q', 'r', 's']);
      for (const update of updates) await store.appendUpdate('doc', update);
      const results = await Promise.all([store.compact('doc', yMerge), store.compact('doc', yMerge), store.compact('doc', yMerge)]);
      expect(results.reduce((a, b) => a + b, 0)).toBe(4);
      const loaded = await store.loadDoc('doc');
      expect(loaded.updates).toEqual([]);
      expect(replay(loaded).getText('t').toString()).toBe('pqrs');
    });

    it('21. a merge that throws leaves the snapshot and rows as they were', async () => {
      for (const update of wordsUpdates(['k', 'l'])) await store.appendUpdate('doc', update);
      const before = await store.loadDoc('doc');
      await expect(
        store.compact('doc', () => {
          throw new Error('merge failed');
        }),
      ).rejects.toThrow('merge failed');
      expect(await store.loadDoc('doc')).toEqual(before);
    });

    it('23. writeDoc hands each writer the stored state and appends its update, one writer at a time', async () => {
      for (const update of wordsUpdates(['m'])) await store.appendUpdate('counter', update);
      // Ten concurrent read-modify-writes of one key: none may work from a stale copy.
      const increment = () =>
        store.writeDoc('counter', (stored) => {
          const doc = replay(stored);
          const before = Y.encodeStateVector(doc);
          const counter = doc.getMap<number>('m');
          counter.set('n', (counter.get('n') ?? 0) + 1);
          return Y.encodeStateAsUpdate(doc, before);
        });
      await Promise.all(Array.from({ length: 10 }, increment));
      const doc = replay(await store.loadDoc('counter'));
      expect(doc.getMap<number>('m').get('n')).toBe(10);
      expect(doc.getText('t').toString()).toBe('m');
      await store.writeDoc('counter', () => null);
      expect(await store.countUpdates('counter')).toBe(11);
    });

    it('35. a compaction asked for while a server write of the doc is being applied folds that write once it commits', async () => {
      // A large write, so that its row takes a while to reach the store: time enough for the compaction to look too early.
      const [first, replaced] = wordsUpdates(['old', 'new'.repeat(1_000_000)]);
      await store.appendUpdate('doc', first!);
      await store.compact('doc', yMerge);
      let compaction: Promise<number> | undefined;
      await store.writeDoc('doc', () => {
        // As the purge does: the write is applied in memory here, and the compaction is asked for at once.
        queueMicrotask(() => {
          compaction = store.compact('doc', yMerge);
        });
        return replaced!;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(await compaction).toBe(1);
      expect(await store.countUpdates('doc')).toBe(0);
      expect(
        replay(await store.loadDoc('doc'))
          .getText('t')
          .toString(),
      ).toBe(`old${'new'.repeat(1_000_000)}`);
    });

    it('24. a writeDoc callback that throws appends nothing', async () => {
      await expect(
        store.writeDoc('doc', () => {
          throw new Error('write failed');
        }),
      ).rejects.toThrow('write failed');
      expect(await store.docExists('doc')).toBe(false);
    });

    it("25. createFile stores a file row that getFile and getFiles return; userFileBytes sums an uploader's sizes", async () => {
      const ann = userId();
      const room = group(ann);
      const file = (id: string, size: number, fields: Partial<FileRow> = {}): FileRow => ({
        id,
        roomId: room.id,
        uploaderId: ann,
        name: `${id}.jpg`,
        mime: 'image/jpeg',
        size,
        width: 640,
        height: 480,
        thumbhash: 'AAAA',
        sha256: 'a'.repeat(64),
        thumbSha256: 'b'.repeat(64),
        createdAt: 1_000,
        referencedAt: null,
        deletedAt: null,
        ...fields,
      });
      expect(await store.userFileBytes(ann)).toBe(0);
      const big = file('f1', 3_000_000_000);
      const doc = file('f2', 5, { name: 'notes.pdf', mime: 'application/pdf', width: null, height: null, thumbhash: null, thumbSha256: null });
      await store.createFile(big);
      await store.createFile(doc);
      await store.createFile(file('f3', 7, { uploaderId: userId() }));
      expect(await store.getFile('f1')).toEqual(big);
      expect(await store.getFile('f2')).toEqual(doc);
      expect(await store.getFile('nope')).toBeNull();
      expect((await store.getFiles(['f2', 'nope', 'f1'])).sort((a, b) => a.id.localeCompare(b.id))).toEqual([big, doc]);
      expect(await store.getFiles([])).toEqual([]);
      expect(await store.userFileBytes(ann)).toBe(3_000_000_005);
      await expect(store.createFile(file('f1', 1))).rejects.toThrow();
    });

    it('37. a file is marked sent once and deleted once; the sweep lists unsent and deleted files past the cutoff; retiring or removing rows names the blobs they freed', async () => {
      const ann = userId();
      const room = group(ann);
      const file = (id: string, fields: Partial<FileRow> = {}): FileRow => ({
        id,
        roomId: room.id,
        uploaderId: ann,
        name: `${id}.bin`,
        mime: 'application/octet-stream',
        size: 10,
        width: null,
        height: null,
        thumbhash: null,
        sha256: 'c'.repeat(64),
        thumbSha256: null,
        createdAt: 1_000,
        referencedAt: null,
        deletedAt: null,
        ...fields,
      });
      await store.createFile(file('sent'));
      await store.createFile(file('unsent', { sha256: 'd'.repeat(64), thumbSha256: 'e'.repeat(64) }));
      await store.createFile(file('late', { createdAt: 5_000, sha256: 'f'.repeat(64) }));
      await store.markFilesReferenced(['sent', 'nope'], 2_000);
      await store.markFilesReferenced(['sent'], 3_000);
      expect((await store.getFile('sent'))?.referencedAt).toBe(2_000);
      await store.markFilesReferenced([], 3_000);

      // Other tests' rows may share the store: look at this room's.
      const unused = async (before: number) =>
        (await store.unusedFiles(before, 100))
          .filter((f) => f.roomId === room.id)
          .map((f) => f.id)
          .sort();
      expect(await unused(4_000)).toEqual(['unsent']);
      expect(await unused(6_000)).toEqual(['late', 'unsent']);
      expect(await store.unusedFiles(6_000, 1)).toHaveLength(1);

      // The blobs a live row no longer names come back with the rows retired or removed
      // (rule 43); these replace the earlier `blobInUse` checks of the same blobs.
      const marked = await store.markFilesDeleted(['sent', 'nope'], 7_000);
      expect(marked.files.map((f) => f.id)).toEqual(['sent']);
      expect(marked.files[0]?.deletedAt).toBe(7_000);
      expect(marked.freed).toEqual(['c'.repeat(64)]);
      expect(await store.markFilesDeleted(['sent'], 8_000)).toEqual({ files: [], freed: [] });
      expect((await store.getFile('sent'))?.deletedAt).toBe(7_000);
      expect(await unused(7_000)).not.toContain('sent');
      expect(await unused(7_001)).toContain('sent');

      expect((await store.deleteFiles(['sent', 'unsent'])).sort()).toEqual(['c'.repeat(64), 'd'.repeat(64), 'e'.repeat(64)]);
      expect(await store.getFile('sent')).toBeNull();
      expect(await store.deleteFiles([])).toEqual([]);
      expect(await store.markFilesDeleted([], 9_000)).toEqual({ files: [], freed: [] });
    });

    it("43. retiring or removing file rows names the blobs no live row names any more, decided in that transaction: of two at once freeing one blob's last rows, exactly one names it", async () => {
      const ann = userId();
      const room = group(ann);
      const blob = () => randomBytes(32).toString('hex');
      const file = (id: string, sha256: string, thumbSha256: string | null = null): FileRow => ({
        id: `${room.id}.${id}`,
        roomId: room.id,
        uploaderId: ann,
        name: `${id}.bin`,
        mime: 'application/octet-stream',
        size: 10,
        width: null,
        height: null,
        thumbhash: null,
        sha256,
        thumbSha256,
        createdAt: 1_000,
        referencedAt: null,
        deletedAt: null,
      });
      // A live row keeps its blob, as bytes or as thumbnail.
      const [kept, thumb] = [blob(), blob()];
      await store.createFile(file('keeper', blob(), kept));
      await store.createFile(file('copy', kept, thumb));
      expect(await store.deleteFiles([`${room.id}.copy`])).toEqual([thumb]);

      for (let round = 0; round < 10; round++) {
        const shared = blob();
        await store.createFile(file(`a${round}`, shared));
        await store.createFile(file(`b${round}`, shared));
        const [a, b] = [`${room.id}.a${round}`, `${room.id}.b${round}`];
        const [first, second] =
          round % 2 === 0 ? await Promise.all([store.deleteFiles([a]), store.deleteFiles([b])]) : await Promise.all([store.markFilesDeleted([a], 2_000).then((m) => m.freed), store.deleteFiles([b])]);
        expect([...first, ...second]).toEqual([shared]);
      }
    });

    it("44. a blob that is someone's profile photo is never named freed, whichever file rows naming it go", async () => {
      const photoOwner = newUser(`photo${randomBytes(3).toString('hex')}`, { email: `photo${randomBytes(3).toString('hex')}@example.test` });
      expect(await store.createUser(photoOwner)).toEqual({ ok: true });
      const room = group(photoOwner.id);
      const photo = randomBytes(32).toString('hex');
      await store.setProfile(photoOwner.id, { photo });
      // The same bytes sent as a file (anyone may download a photo and send it), then deleted and swept.
      const copy: FileRow = {
        id: `${room.id}.photo-copy`,
        roomId: room.id,
        uploaderId: photoOwner.id,
        name: 'me.webp',
        mime: 'image/webp',
        size: 10,
        width: null,
        height: null,
        thumbhash: null,
        sha256: photo,
        thumbSha256: null,
        createdAt: 1_000,
        referencedAt: null,
        deletedAt: null,
      };
      await store.createFile(copy);
      expect((await store.markFilesDeleted([copy.id], 2_000)).freed).toEqual([]);
      expect(await store.deleteFiles([copy.id])).toEqual([]);
      // Once it is nobody's photo any more, its last row going frees it.
      await store.createFile({ ...copy, id: `${room.id}.photo-copy-2`, deletedAt: null });
      await store.setProfile(photoOwner.id, { photo: null });
      expect(await store.deleteFiles([`${room.id}.photo-copy-2`])).toEqual([photo]);
    });

    it('26. appends arriving together share one transaction; each resolves with its row id, in order', async () => {
      const updates = wordsUpdates(Array.from({ length: 50 }, (_, i) => `w${i} `));
      const before = store.writeStats.transactions;
      const ids = await Promise.all(updates.map((u, i) => store.appendUpdate(i % 2 ? 'a' : 'b', u)));
      expect(store.writeStats.transactions - before).toBe(1);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(50);
      expect((await store.loadDoc('a')).updates.length + (await store.loadDoc('b')).updates.length).toBe(50);
    });

    it('27. loadUpdatesAfter returns the rows after an id, and the snapshot again once compaction folded rows past it', async () => {
      const updates = wordsUpdates(['one', 'two', 'three', 'four']);
      const first = await store.appendUpdate('doc', updates[0]!);
      const second = await store.appendUpdate('doc', updates[1]!);
      expect((await store.loadDoc('doc')).lastId).toBe(second);
      const after = await store.loadUpdatesAfter('doc', first);
      expect(after.updates.map((u) => Array.from(u))).toEqual([Array.from(updates[1]!)]);
      expect(after.lastId).toBe(second);
      expect(await store.loadUpdatesAfter('doc', second)).toEqual({ updates: [], lastId: second });
      await store.compact('doc', yMerge);
      const third = await store.appendUpdate('doc', updates[2]!);
      // Rows after `first` were folded: the snapshot comes back with the newer row, and replaying both gives the whole doc.
      const caught = await store.loadUpdatesAfter('doc', first);
      expect(caught.lastId).toBe(third);
      const doc = new Y.Doc();
      for (const u of caught.updates) Y.applyUpdate(doc, u);
      expect(doc.getText('t').toString()).toBe('onetwothree');
      expect((await store.loadUpdatesAfter('doc', third)).updates).toEqual([]);
    });

    it('28. projection marks are written with their append; projectRoom stores watermarks, inbox updates and clears marks in one transaction', async () => {
      const room = 'g.00000000-0000-4000-8000-000000000001' as RoomId;
      await Promise.all([store.appendUpdate('bucket', wordsUpdates(['x'])[0]!, { roomId: room, bucket: 0 }), store.appendUpdate('bucket', wordsUpdates(['y'])[0]!, { roomId: room, bucket: 0 })]);
      expect(await store.listProjectionMarks()).toEqual([{ roomId: room, bucket: 0 }]);
      expect(await store.getProjectionWatermarks(room)).toEqual([]);
      const before = store.writeStats.transactions;
      await store.projectRoom(room, async (watermarks) => {
        expect(watermarks).toEqual([]);
        return { updates: [{ docName: 'inbox', update: wordsUpdates(['z'])[0]! }], watermarks: [{ roomId: room, bucket: 0, length: 2, messages: 2 }], clear: [{ roomId: room, bucket: 0 }] };
      });
      expect(store.writeStats.transactions - before).toBe(1);
      expect(await store.listProjectionMarks()).toEqual([]);
      expect(await store.getProjectionWatermarks(room)).toEqual([{ roomId: room, bucket: 0, length: 2, messages: 2 }]);
      expect(await store.countUpdates('inbox')).toBe(1);
      await store.projectRoom(room, async (watermarks) => {
        expect(watermarks).toEqual([{ roomId: room, bucket: 0, length: 2, messages: 2 }]);
        return { updates: [], watermarks: [{ roomId: room, bucket: 0, length: 3, messages: 2 }], clear: [] };
      });
      expect(await store.getProjectionWatermarks(room)).toEqual([{ roomId: room, bucket: 0, length: 3, messages: 2 }]);
    });

    it('45. the log reader a projection is given reads several docs at once, each as loadUpdatesAfter would, in the order asked', async () => {
      const room = 'g.00000000-0000-4000-8000-000000000002' as RoomId;
      const [one, two] = wordsUpdates(['one', 'two']);
      const [bOne, bThree] = wordsUpdates(['one', 'three']);
      const a1 = await store.appendUpdate('a', one!);
      await store.appendUpdate('b', bOne!);
      const a2 = await store.appendUpdate('a', two!);
      await store.compact('b', yMerge);
      const b2 = await store.appendUpdate('b', bThree!);
      const asked = [
        { docName: 'b', afterId: 0 },
        { docName: 'a', afterId: a1 },
        { docName: 'none', afterId: 0 },
        { docName: 'a', afterId: a2 },
        // The same doc again, past its snapshot: the rows after, and no snapshot.
        { docName: 'b', afterId: b2 - 1 },
      ];
      let read: Awaited<ReturnType<LoadLogsAfter>> = [];
      await store.projectRoom(room, async (_watermarks, load) => {
        read = await load(asked);
        return { updates: [], watermarks: [], clear: [] };
      });
      const expected = await Promise.all(asked.map(({ docName, afterId }) => store.loadUpdatesAfter(docName, afterId)));
      expect(read.map((r) => ({ updates: r.updates.map((u) => Array.from(u)), lastId: r.lastId }))).toEqual(expected.map((r) => ({ updates: r.updates.map((u) => Array.from(u)), lastId: r.lastId })));
      // What a reader replays: b from its snapshot and the row after it, a from the row after a1, nothing past the end.
      const doc = new Y.Doc();
      for (const u of read[0]!.updates) Y.applyUpdate(doc, u);
      expect(doc.getText('t').toString()).toBe('onethree');
      expect(read[0]!.lastId).toBe(b2);
      expect(read[1]!.lastId).toBe(a2);
      expect(read[2]).toEqual({ updates: [], lastId: 0 });
      expect(read[3]).toEqual({ updates: [], lastId: a2 });
      expect(read[4]!.updates.map((u) => Array.from(u))).toEqual([Array.from(bThree!)]);
      expect(read[4]!.lastId).toBe(b2);
    });

    it('29. writeDoc after a known row hands the writer only the rows since, and their last id', async () => {
      const updates = wordsUpdates(['one', 'two', 'three']);
      const first = await store.appendUpdate('doc', updates[0]!);
      await store.appendUpdate('doc', updates[1]!);
      const third = await store.appendUpdate('doc', updates[2]!);
      let seen: { updates: number[][]; lastId: number; snapshot: Uint8Array | null } | undefined;
      await store.writeDoc(
        'doc',
        (stored) => {
          seen = { updates: stored.updates.map((u) => Array.from(u)), lastId: stored.lastId, snapshot: stored.snapshot };
          return null;
        },
        first,
      );
      expect(seen).toEqual({ updates: [Array.from(updates[1]!), Array.from(updates[2]!)], lastId: third, snapshot: null });
    });

    it('47. appendDerived appends every update given in one transaction, after what was appended before; none appends nothing', async () => {
      const [one, two, three] = wordsUpdates(['one', 'two', 'three']);
      await store.appendUpdate('head-a', one!);
      const before = store.writeStats.transactions;
      await store.appendDerived([
        { docName: 'head-a', update: two! },
        { docName: 'head-b', update: three! },
      ]);
      expect(store.writeStats.transactions - before).toBe(1);
      expect((await store.loadDoc('head-a')).updates).toEqual([one, two]);
      expect((await store.loadDoc('head-b')).updates).toEqual([three]);
      await store.appendDerived([]);
      expect(store.writeStats.transactions - before).toBe(1);
    });

    it('48. compactAside folds the rows into a garbage-collected snapshot; rows appended while it runs stay, and beside another compaction of the doc nothing is lost or folded twice', async () => {
      const words = Array.from({ length: 40 }, (_, i) => `w${i} `);
      const updates = wordsUpdates(words);
      for (const update of updates.slice(0, 20)) await store.appendUpdate('doc', update);
      const [folded] = await Promise.all([store.compactAside('doc'), ...updates.slice(20, 30).map((u) => store.appendUpdate('doc', u))]);
      expect(folded).toBeGreaterThanOrEqual(20);
      const once = await store.loadDoc('doc');
      expect(once.snapshot).not.toBeNull();
      expect(replay(once).getText('t').toString()).toBe(words.slice(0, 30).join(''));
      // Two compactions of one doc at once, with appends between.
      await Promise.all([store.compactAside('doc'), store.compact('doc', yMerge), ...updates.slice(30).map((u) => store.appendUpdate('doc', u))]);
      const twice = await store.loadDoc('doc');
      expect(replay(twice).getText('t').toString()).toBe(words.join(''));
      expect(replay(twice).getArray('a').toArray()).toEqual(words);
      expect(await store.compactAside('empty')).toBe(0);
    });

    it('30. setProfile changes only the fields given, of the named user', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await store.setProfile(ann.id, { about: 'Out hiking' });
      expect(await store.getUserById(ann.id)).toMatchObject({ displayName: ann.displayName, about: 'Out hiking' });
      await store.setProfile(ann.id, { displayName: 'Annie' });
      expect(await store.getUserById(ann.id)).toMatchObject({ displayName: 'Annie', about: 'Out hiking' });
      await store.setProfile(ann.id, { about: null });
      expect(await store.getUserById(ann.id)).toMatchObject({ displayName: 'Annie', about: null });
      await store.setProfile(ann.id, { photo: 'b'.repeat(64) });
      expect(await store.getUserById(ann.id)).toMatchObject({ displayName: 'Annie', photo: 'b'.repeat(64) });
      await store.setProfile(ann.id, { photo: null });
      expect((await store.getUserById(ann.id))!.photo).toBeNull();
      expect(await store.getUserById(bob.id)).toMatchObject({ displayName: bob.displayName, about: null, photo: null });
    });

    it("31. listUserSessions lists one user's sessions oldest first, with their device and last use", async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      await store.createSession({ ...session(ann.id, 'a2', 9_000), createdAt: 2_000, userAgent: 'Firefox' });
      await store.createSession(session(ann.id, 'a1', 9_000));
      await store.createSession(session(bob.id, 'b1', 9_000));
      await store.markSessionsActive(['a2'], 4_000);
      const listed = await store.listUserSessions(ann.id);
      expect(listed.map((s) => s.tokenHash)).toEqual(['a1', 'a2']);
      expect(listed[1]).toMatchObject({ userAgent: 'Firefox', lastActiveAt: 4_000 });
      expect(listed[0]).toMatchObject({ userAgent: null, lastActiveAt: null });
    });

    it('32. blocks are one-directional, idempotent and listed newest first', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      const cat = await addUser('cat');
      await store.blockUser(ann.id, bob.id, 1_000);
      await store.blockUser(ann.id, bob.id, 5_000);
      await store.blockUser(ann.id, cat.id, 2_000);
      expect(await store.isBlocked(ann.id, bob.id)).toBe(true);
      expect(await store.isBlocked(bob.id, ann.id)).toBe(false);
      expect(await store.listBlocked(ann.id)).toEqual([
        { userId: cat.id, at: 2_000 },
        { userId: bob.id, at: 1_000 },
      ]);
      await store.unblockUser(ann.id, bob.id);
      expect(await store.isBlocked(ann.id, bob.id)).toBe(false);
      expect(await store.listBlocked(bob.id)).toEqual([]);
    });

    it('33. a new user has the default privacy settings; setPrivacy changes only the settings given, of the named user', async () => {
      const ann = await addUser('ann');
      const bob = await addUser('bob');
      expect(privacyOf((await store.getUserById(ann.id))!)).toEqual(DEFAULT_PRIVACY);
      await store.setPrivacy(ann.id, { lastSeen: 'nobody', readReceipts: false });
      expect(privacyOf((await store.getUserById(ann.id))!)).toEqual({ ...DEFAULT_PRIVACY, lastSeen: 'nobody', readReceipts: false });
      await store.setPrivacy(ann.id, { profile: 'contacts', groupAdd: 'contacts', readReceipts: true });
      expect(privacyOf((await store.getUserById(ann.id))!)).toEqual({ lastSeen: 'nobody', profile: 'contacts', readReceipts: true, groupAdd: 'contacts' });
      await store.setPrivacy(ann.id, {});
      // Read back the same through every way of reading users.
      const [viaSearch] = await store.searchUsers('ann', 1);
      const [viaIds] = await store.getUsersByIds([ann.id]);
      expect(privacyOf(viaSearch!)).toEqual(privacyOf(viaIds!));
      expect(privacyOf(viaIds!).readReceipts).toBe(true);
      expect(privacyOf((await store.getUserById(bob.id))!)).toEqual(DEFAULT_PRIVACY);
    });

    it('38. deleteAccount anonymises the row and drops its sessions, reset tokens and push subscriptions; only the named user', async () => {
      const ann = await addUser('ann', { displayName: 'Ann Lee', email: 'ann@example.test' });
      const bob = await addUser('bob');
      await store.setProfile(ann.id, { about: 'hi', photo: 'a'.repeat(64) });
      await store.setLastSeen(ann.id, 3_000);
      await store.createSession(session(ann.id, 'a1', 9_000));
      await store.createSession(session(bob.id, 'b1', 9_000));
      await store.createResetToken({ tokenHash: 'r1', userId: ann.id, expiresAt: 9_000 });
      const sub = { endpoint: 'https://push.example.test/a', sessionHash: 'a1', userId: ann.id, p256dh: 'k', auth: 'x', createdAt: 1_000 };
      await store.push.saveSubscription(sub);
      await store.push.saveSubscription({ ...sub, endpoint: 'https://push.example.test/b', sessionHash: 'b1', userId: bob.id });

      await store.deleteAccount(ann.id, 5_000, 'Deleted account');
      const row = (await store.getUserById(ann.id))!;
      expect(row).toMatchObject({ username: 'ann', displayName: 'Deleted account', email: null, about: null, photo: null, lastSeenAt: null, passwordHash: '', deletedAt: 5_000 });
      expect(await store.getUserByEmail('ann@example.test')).toBeNull();
      expect(await store.listUserSessions(ann.id)).toEqual([]);
      expect(await store.consumeResetToken('r1', 1_000)).toBeNull();
      expect((await store.push.subscriptionsOf([ann.id, bob.id])).map((s) => s.endpoint)).toEqual(['https://push.example.test/b']);
      expect(await store.searchUsers('ann', 5)).toEqual([]);
      expect(await store.searchUsers('deleted', 5)).toEqual([]);
      expect((await store.getUserById(bob.id))!.deletedAt).toBeNull();
      expect(await store.listUserSessions(bob.id)).toHaveLength(1);
      // Deleting again keeps the first time.
      await store.deleteAccount(ann.id, 6_000, 'Deleted account');
      expect((await store.getUserById(ann.id))!.deletedAt).toBe(5_000);
    });

    it('39. releaseUsername frees the username of an account deleted long enough ago, and nothing else', async () => {
      const ann = await addUser('ann');
      await addUser('bob');
      await store.deleteAccount(ann.id, 5_000, 'Deleted account');
      expect(await store.releaseUsername('bob', 10_000)).toBe(false);
      expect(await store.releaseUsername('ann', 4_999)).toBe(false);
      expect(await store.createUser(newUser('ann'))).toEqual({ conflict: 'username' });
      expect(await store.releaseUsername('ANN', 5_000)).toBe(true);
      expect((await store.getUserById(ann.id))!.username).toBe(`~${ann.id}`);
      expect(await store.getUserByUsername('bob')).not.toBeNull();
      await addUser('ann');
      expect((await store.getUserByUsername('ann'))!.id).not.toBe(ann.id);
    });

    it('40. setEmail gives the address to the user unless another account has it', async () => {
      const ann = await addUser('ann', { email: 'ann@example.test' });
      const bob = await addUser('bob', { email: null });
      expect(await store.setEmail(bob.id, 'ANN@example.test')).toBe('taken');
      expect((await store.getUserById(bob.id))!.email).toBeNull();
      expect(await store.setEmail(bob.id, 'Bob@Example.test')).toBe('ok');
      expect((await store.getUserByEmail('bob@example.test'))!.id).toBe(bob.id);
      expect(await store.setEmail(ann.id, 'ann@example.test')).toBe('ok');
      expect(await store.setEmail(ann.id, 'ann2@example.test')).toBe('ok');
      expect(await store.getUserByEmail('ann@example.test')).toBeNull();
    });

    it('41. member cards carry a name and the push preview setting, never the password hash, for ids or for a room in one read', async () => {
      const ann = await addUser('ann', { displayName: 'Ann Archer' });
      const bob = await addUser('bob', { displayName: 'Bob Builder' });
      await store.setProfile(bob.id, { pushPreview: false });
      const stranger = userId();
      const annCard = { id: ann.id, displayName: 'Ann Archer', pushPreview: true };
      const bobCard = { id: bob.id, displayName: 'Bob Builder', pushPreview: false };
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect((await store.getMemberCards([bob.id, stranger, ann.id, bob.id])).sort(byId)).toEqual([annCard, bobCard].sort(byId));
      expect(await store.getMemberCards([])).toEqual([]);
      expect(await store.getMemberCards([bob.id, ...Array.from({ length: 2000 }, () => userId())])).toEqual([bobCard]);

      const room = group(ann.id);
      // room_members does not reference users: an id with no account is still listed, with no card.
      await store.saveRoomMembers(room, [
        { userId: ann.id, role: 'owner' },
        { userId: bob.id, role: 'member' },
        { userId: stranger, role: 'member' },
      ]);
      const cards = await store.getRoomMemberCards(room.id);
      expect(cards.map((row) => row.userId)).toEqual((await store.getRoomMembers(room.id)).map((m) => m.userId));
      expect(new Map(cards.map((row) => [row.userId, row.card]))).toEqual(
        new Map([
          [ann.id, annCard],
          [bob.id, bobCard],
          [stranger, null],
        ]),
      );
      expect(await store.getRoomMemberCards(group(ann.id).id)).toEqual([]);
    });

    it('22. ping answers and dialect names the implementation', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(['sqlite', 'postgres']).toContain(store.dialect);
    });
  });
}
