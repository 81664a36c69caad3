import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { appendMessage, messageCount, readMessages } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { advanceReceipt, comparePositions, encodeReceiptAdvance, readReceiptAggregate, RECEIPT_AGGREGATE_KEY, type Position, type ReceiptKind } from '#schema/docs/receipts';
import { addMembers, initGroup, removeMember } from '#schema/docs/roomHead';
import { newGroupId, type RoomId } from '#schema/ids';
import { api, registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from '../guard/attack';
import { startDm } from '../helpers/dm';
import { groupWorld, newMessage } from '../guard/groupWorld';

interface Member {
  user: TestUser;
  head: OpenDoc;
  bucket: OpenDoc;
}

const report = (m: Member, kind: ReceiptKind, to: Position) => m.head.provider.sendStateless(encodeReceiptAdvance(kind, to));
const lastPosition = (doc: Y.Doc): Position => ({ bucket: 0, index: messageCount(doc) - 1 });
const covers = (p: Position | null | undefined, to: Position) => !!p && comparePositions(p, to) >= 0;

/** A group of `size` people, each with a socket of their own holding the head and bucket 0. */
async function group(server: TestServer, size: number): Promise<{ room: RoomId; members: Member[] }> {
  const users = await Promise.all(Array.from({ length: size }, (_, i) => registerUser(server.url, `Member${i}`)));
  const room = newGroupId();
  const owner = connectClient(server.wsUrl, users[0]!.token);
  const created = owner.open(roomHeadDoc(room));
  await created.synced;
  initGroup(created.doc, { name: 'Big group', owner: users[0]!.id, members: users.slice(1).map((u) => u.id), now: Date.now() });
  await owner.settled();
  await server.projections.idle();
  owner.close();
  const members = await Promise.all(
    users.map(async (user) => {
      const client = connectClient(server.wsUrl, user.token);
      const head = client.open(roomHeadDoc(room));
      const bucket = client.open(bucketDoc(room, 0));
      await Promise.all([head.synced, bucket.synced]);
      return { user, head, bucket };
    }),
  );
  return { room, members };
}

describe('receipts go to the server and come back as one aggregate per room', async () => {
  const server = await startServer();

  it('in a group where everyone reports receiving and reading every message, a member gets a constant number of head updates per message, not one per member', async () => {
    const size = 12;
    const { members } = await group(server, size);
    // Like the app: a device that receives a message reports it delivered, and read (the chat is open).
    for (const m of members) {
      m.bucket.doc.on('update', (_update: Uint8Array, origin: unknown) => {
        if (origin !== m.bucket.provider) return;
        const to = lastPosition(m.bucket.doc);
        report(m, 'delivered', to);
        report(m, 'read', to);
      });
    }
    const watcher = members[size - 1]!;
    let headUpdates = 0;
    watcher.head.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === watcher.head.provider) headUpdates++;
    });

    const messages = 6;
    for (let i = 0; i < messages; i++) {
      const sender = members[i % (size - 1)]!;
      appendMessage(sender.bucket.doc, newMessage(sender.user.id, `message ${i}`));
      const to = lastPosition(sender.bucket.doc);
      // The sender has its own message, and has the chat open.
      report(sender, 'read', to);
      await waitFor(() => covers(readReceiptAggregate(watcher.head.doc)?.read, to), { what: `everyone to have read message ${i}` });
    }
    const reports = messages * size * 2;
    // Each flush writes the aggregate at most once; a message's reports land in one or two flushes, each moving delivered and read.
    expect(headUpdates).toBeGreaterThanOrEqual(messages);
    expect(headUpdates).toBeLessThanOrEqual(messages * 3);
    expect(headUpdates * size).toBeLessThan(reports);
    // Every member reads the same aggregate: read up to the last message.
    const last = lastPosition(watcher.bucket.doc);
    for (const m of members) await waitFor(() => covers(readReceiptAggregate(m.head.doc)?.read, last), { what: 'each member sees the aggregate' });
    expect(readMessages(watcher.bucket.doc).filter((m) => !m.event)).toHaveLength(messages);
  });

  it('Message info asks the server who received and read a message, and when; others are refused', async () => {
    const { room, members } = await group(server, 3);
    const [alice, bob, carol] = members as [Member, Member, Member];
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'Chapter 3 by Friday'));
    const sent = lastPosition(alice.bucket.doc);
    await waitFor(() => messageCount(carol.bucket.doc) === messageCount(alice.bucket.doc), { what: 'Carol has the message' });
    const before = Date.now();
    report(alice, 'read', sent);
    report(bob, 'read', sent);
    report(carol, 'delivered', sent);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.delivered, sent), { what: 'delivered to everyone' });
    expect(covers(readReceiptAggregate(alice.head.doc)?.read, sent)).toBe(false);

    const query = `/api/rooms/${room}/receipts?bucket=${sent.bucket}&index=${sent.index}`;
    const info = await api(server.url, 'GET', query, { token: alice.user.token });
    expect(info.status).toBe(200);
    const byUser = new Map((info.body.receipts as { userId: string; deliveredAt: number | null; readAt: number | null }[]).map((r) => [r.userId, r]));
    expect(byUser.get(bob.user.id)?.readAt).toBeGreaterThanOrEqual(before);
    expect(byUser.get(bob.user.id)?.deliveredAt).toBe(byUser.get(bob.user.id)?.readAt);
    expect(byUser.get(carol.user.id)?.deliveredAt).toBeGreaterThanOrEqual(before);
    expect(byUser.get(carol.user.id)?.readAt).toBeNull();

    // A later message is not covered by anyone's receipts yet.
    const later = await api(server.url, 'GET', `/api/rooms/${room}/receipts?bucket=0&index=${sent.index + 1}`, { token: bob.user.token });
    expect(later.body).toEqual({ receipts: [] });

    const stranger = await registerUser(server.url, 'Stranger');
    expect((await api(server.url, 'GET', query, { token: stranger.token })).status).toBe(403);
    expect((await api(server.url, 'GET', query)).status).toBe(401);
    expect((await api(server.url, 'GET', `/api/rooms/${room}/receipts?bucket=-1&index=0`, { token: alice.user.token })).status).toBe(400);
    expect((await api(server.url, 'GET', `/api/rooms/not-a-room/receipts?bucket=0&index=0`, { token: alice.user.token })).status).toBe(403);
  });

  it('a malformed report, one that goes backwards, or one past the head bucket changes nothing', async () => {
    const { members } = await group(server, 2);
    const [alice, bob] = members as [Member, Member];
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'one'));
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'two'));
    const two = lastPosition(alice.bucket.doc);
    const one = { bucket: 0, index: two.index - 1 };
    report(alice, 'read', two);
    report(bob, 'read', one);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, one), { what: 'read up to one' });
    for (let round = 0; round < 3; round++) {
      report(bob, 'read', { bucket: 0, index: 0 });
      bob.head.provider.sendStateless('{"type":"receipt","kind":"read","to":{"bucket":0,"index":-4}}');
      bob.head.provider.sendStateless('not json');
      // Past the head bucket: names no message.
      report(bob, 'read', { bucket: 5, index: 0 });
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(readReceiptAggregate(alice.head.doc)?.read).toEqual(one);
    // Bob is still served: his next honest report moves the aggregate.
    report(bob, 'read', two);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, two), { what: 'read up to two' });
  });

  it('someone added later counts from when they joined: old messages stay read, new ones wait for them', async () => {
    const { room, members } = await group(server, 2);
    const [alice, bob] = members as [Member, Member];
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'before Dan'));
    const before = lastPosition(alice.bucket.doc);
    report(alice, 'read', before);
    report(bob, 'read', before);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, before), { what: 'read by both' });
    await waitFor(() => messageCount(server.hocuspocus.documents.get(bucketDoc(room, 0))!) === messageCount(alice.bucket.doc), { what: 'server has the bucket' });

    const dan = await registerUser(server.url, 'Dan');
    addMembers(alice.head.doc, [dan.id], alice.user.id, Date.now());
    await server.projections.idle();
    await waitFor(() => readReceiptAggregate(alice.head.doc) !== null, { what: 'aggregate' });
    // Give the server a flush or two: adding Dan must not take "read" back from the old message.
    await new Promise((r) => setTimeout(r, 600));
    expect(covers(readReceiptAggregate(alice.head.doc)?.read, before)).toBe(true);

    await waitFor(() => messageCount(alice.bucket.doc) > before.index + 1, { what: 'the "added" line' });
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'hello Dan'));
    const after = lastPosition(alice.bucket.doc);
    report(alice, 'read', after);
    report(bob, 'read', after);
    await new Promise((r) => setTimeout(r, 600));
    expect(covers(readReceiptAggregate(alice.head.doc)?.read, after)).toBe(false);
    const danClient = connectClient(server.wsUrl, dan.token);
    const danHead = danClient.open(roomHeadDoc(room));
    await danHead.synced;
    danHead.provider.sendStateless(encodeReceiptAdvance('read', after));
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, after), { what: 'read by all three' });
  });

  it('someone removed stops holding the room back', async () => {
    const { members } = await group(server, 3);
    const [alice, bob, carol] = members as [Member, Member, Member];
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'anyone?'));
    const sent = lastPosition(alice.bucket.doc);
    report(alice, 'read', sent);
    report(bob, 'read', sent);
    await new Promise((r) => setTimeout(r, 600));
    // Carol never reported: not read by everyone.
    expect(covers(readReceiptAggregate(alice.head.doc)?.read, sent)).toBe(false);
    removeMember(alice.head.doc, carol.user.id);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, sent), { what: 'read by everyone still in the group' });
  });

  it('receipts written into the head by an app from before are folded in: the aggregate and Message info count them, with their times', async () => {
    const { room, members } = await group(server, 2);
    const [alice, bob] = members as [Member, Member];
    appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'from before'));
    const sent = lastPosition(alice.bucket.doc);
    await waitFor(() => messageCount(bob.bucket.doc) === messageCount(alice.bucket.doc), { what: 'Bob has it' });
    // The earlier form: each member's own keys in the head, which the guard still accepts.
    advanceReceipt(alice.head.doc, alice.user.id, 'read', sent, 1_000);
    advanceReceipt(bob.head.doc, bob.user.id, 'delivered', sent, 2_000);
    advanceReceipt(bob.head.doc, bob.user.id, 'read', sent, 3_000);
    await waitFor(() => covers(readReceiptAggregate(alice.head.doc)?.read, sent), { what: 'the aggregate to count the keys' });
    const info = await api(server.url, 'GET', `/api/rooms/${room}/receipts?bucket=${sent.bucket}&index=${sent.index}`, { token: alice.user.token });
    expect(info.body.receipts).toContainEqual({ userId: bob.user.id, deliveredAt: 2_000, readAt: 3_000 });
  });

  it('refuses a member writing the aggregate themselves', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => doc.getMap('meta').set(RECEIPT_AGGREGATE_KEY, { delivered: { bucket: 9, index: 9 }, read: { bucket: 9, index: 9 } }),
      reason: 'rejected_update:server-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
  });

  it('in a DM, both people count and neither may write the aggregate', async () => {
    const { alice, room, b, aBucket, bBucket } = await startDm(server);
    // startDm's own head replica is not returned; Alice reads the head on a second device.
    const aHead = connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room));
    const bHead = b.open(roomHeadDoc(room));
    await Promise.all([aHead.synced, bHead.synced]);
    appendMessage(aBucket.doc, newMessage(alice.id, 'lunch?'));
    const sent = lastPosition(aBucket.doc);
    await waitFor(() => messageCount(bBucket.doc) === messageCount(aBucket.doc), { what: 'Bob has it' });
    aHead.provider.sendStateless(encodeReceiptAdvance('read', sent));
    bHead.provider.sendStateless(encodeReceiptAdvance('delivered', sent));
    await waitFor(() => covers(readReceiptAggregate(aHead.doc)?.delivered, sent), { what: 'delivered to Bob' });
    expect(readReceiptAggregate(aHead.doc)?.read).toBeNull();

    let closedWith: string | undefined;
    bHead.provider.on('close', ({ event }: { event: { reason: string } }) => (closedWith ??= event.reason));
    bHead.doc.getMap('meta').set(RECEIPT_AGGREGATE_KEY, { delivered: sent, read: sent });
    await waitFor(() => closedWith, { what: "the server to close Bob's head" });
    expect(closedWith).toBe('rejected_update:server-only');
    expect(readReceiptAggregate(server.hocuspocus.documents.get(roomHeadDoc(room))!)?.read).toBeNull();
  });
});

describe('receipt aggregates are derived data', async () => {
  // A long flush window, so that reports sent together always land in one flush.
  const server = await startServer({ env: { JECO_RECEIPTS_FLUSH_MS: '1000' } });

  it("one flush writes every room's moved aggregate in one commit, and each room's members see their own", async () => {
    const rooms = await Promise.all([group(server, 2), group(server, 2), group(server, 2)]);
    for (const { members } of rooms) {
      const [alice, bob] = members as [Member, Member];
      appendMessage(alice.bucket.doc, newMessage(alice.user.id, 'hello'));
      await waitFor(() => messageCount(bob.bucket.doc) === messageCount(alice.bucket.doc), { what: 'Bob has it' });
    }
    await server.projections.idle();
    // Every commit that writes a room head from here on: the docs each one writes.
    const store = server.store;
    const commits: string[][] = [];
    const { appendDerived, writeDoc } = store;
    store.appendDerived = (updates) => {
      commits.push(updates.map((u) => u.docName));
      return appendDerived.call(store, updates);
    };
    store.writeDoc = (docName, ...rest) => {
      commits.push([docName]);
      return writeDoc.call(store, docName, ...rest);
    };
    for (const { members } of rooms) for (const m of members) report(m, 'read', lastPosition(m.bucket.doc));
    for (const { members } of rooms) {
      for (const m of members) await waitFor(() => covers(readReceiptAggregate(m.head.doc)?.read, lastPosition(m.bucket.doc)), { what: 'each member to see their room read' });
    }
    // Three heads, one commit (one per head before).
    expect(commits.map((docs) => [...docs].sort())).toEqual([rooms.map(({ room }) => roomHeadDoc(room)).sort()]);
    // And in the log: a restart shows the same aggregates.
    const restarted = await server.restart();
    for (const { room, members } of rooms) {
      const client = connectClient(restarted.wsUrl, members[0]!.user.token);
      const head = client.open(roomHeadDoc(room));
      await head.synced;
      expect(covers(readReceiptAggregate(head.doc)?.read, lastPosition(members[0]!.bucket.doc))).toBe(true);
      client.close();
    }
  });
});
