import { expect } from 'vitest';
import type * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import type { Message } from '#schema/docs/message';
import { parseSyncRefusal, SYNC_REFUSALS } from '#schema/api/errors';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId, type RoomId, type UserId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc, type TestClient } from '../helpers/client';
import type { TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { contentOf } from './docContent';

/** One person at the table: their socket and their replicas of the group's head and bucket 0. */
export interface Seat {
  user: TestUser;
  client: TestClient;
  head: OpenDoc;
  bucket: OpenDoc;
}

export interface GroupWorld {
  server: TestServer;
  room: RoomId;
  /** The group's owner. */
  alice: Seat;
  /** A member who only watches: the "other member's replica". */
  bob: Seat;
  /** A member who attacks. */
  mallory: Seat;
  /** Alice's message, already in bucket 0 on every replica. */
  aliceMessage: Message;
  /** The server's own replica of a loaded doc. */
  serverDoc(name: string): Y.Doc;
  /** Bob posts a message and Alice receives it: the server still serves the others. */
  stillServed(): Promise<Message>;
}

export function newMessage(authorId: UserId, text: string): Message {
  return { id: newMessageId(), authorId, createdAt: Date.now(), text };
}

/** What people wrote in a bucket, in order; the server's system lines are left out. */
export const texts = (doc: Y.Doc) =>
  readMessages(doc)
    .filter((m) => !m.event)
    .map((m) => m.text);

/** Where a message sits in a bucket's array (the server's "created" line comes first). */
export const indexOf = (doc: Y.Doc, id: string) => readMessages(doc).findIndex((m) => m.id === id);

/** A bucket's system lines as `type actor target`, e.g. `removed <alice id> <bob id>`. */
export const systemLines = (doc: Y.Doc) =>
  readMessages(doc)
    .filter((m) => m.event)
    .map((m) => [m.event!.type, m.authorId, m.event!.target ?? m.event!.name ?? ''].join(' '));

/** Connects `user` to the group's head and bucket 0 and waits for both to sync. */
export async function takeSeat(server: TestServer, room: RoomId, user: TestUser): Promise<Seat> {
  const client = connectClient(server.wsUrl, user.token);
  const head = client.open(roomHeadDoc(room));
  const bucket = client.open(bucketDoc(room, 0));
  await Promise.all([head.synced, bucket.synced]);
  return { user, client, head, bucket };
}

/**
 * A fresh group on `server`: Alice (owner) created it with Bob and Mallory as members
 * and posted one message, which everyone has. Each test gets its own, so a closed
 * connection or a refused change never leaks into the next test.
 */
export async function groupWorld(server: TestServer): Promise<GroupWorld> {
  const [aliceUser, bobUser, malloryUser] = await Promise.all(['Alice', 'Bob', 'Mallory'].map((name) => registerUser(server.url, name)));
  const room = newGroupId();
  const creator = connectClient(server.wsUrl, aliceUser!.token);
  const created = creator.open(roomHeadDoc(room));
  await created.synced;
  initGroup(created.doc, { name: 'Climbing', owner: aliceUser!.id, members: [bobUser!.id, malloryUser!.id], now: Date.now() });
  await creator.settled();
  await server.projections.idle();
  creator.close();

  const alice = await takeSeat(server, room, aliceUser!);
  const aliceMessage = newMessage(aliceUser!.id, 'meet at the crag at 9');
  appendMessage(alice.bucket.doc, aliceMessage);
  await alice.client.settled();
  const [bob, mallory] = await Promise.all([takeSeat(server, room, bobUser!), takeSeat(server, room, malloryUser!)]);
  for (const seat of [bob, mallory]) expect(texts(seat.bucket.doc)).toEqual([aliceMessage.text]);

  const serverDoc = (name: string) => {
    const doc = server.hocuspocus.documents.get(name);
    if (!doc) throw new Error(`${name} is not loaded on the server`);
    return doc;
  };
  return {
    server,
    room,
    alice,
    bob,
    mallory,
    aliceMessage,
    serverDoc,
    async stillServed() {
      const message = newMessage(bob.user.id, `still here ${Math.random()}`);
      appendMessage(bob.bucket.doc, message);
      await waitFor(() => texts(alice.bucket.doc).includes(message.text), { what: "Bob's message to reach Alice" });
      await bob.client.settled();
      return message;
    },
  };
}

/** The reason of the first close of `target`'s doc connection, once it comes. */
export function nextClose(target: OpenDoc): { reason: () => string | undefined; closed: Promise<string> } {
  let reason: string | undefined;
  const closed = new Promise<string>((resolve) => {
    // A per-doc close carries only its reason on the wire (the provider reports code 1000).
    target.provider.on('close', ({ event }: { event: { reason: string } }) => {
      reason ??= event.reason;
      resolve(reason);
    });
  });
  return { reason: () => reason, closed };
}

/** Waits until `replica` holds exactly what the server's replica holds. */
export async function expectSameAsServer(world: GroupWorld, name: string, replica: Y.Doc): Promise<void> {
  await waitFor(() => JSON.stringify(contentOf(replica)) === JSON.stringify(contentOf(world.serverDoc(name))), {
    what: `the replica of ${name} to match the server`,
  });
}

/**
 * Re-attaches `target` after each retryable close as the app's replica does: after a
 * delay that starts at 250 ms and doubles, with jitter (a fixed short delay can keep
 * several docs of one user refused in turn for ever); returns the reasons seen.
 */
export function retryLikeTheClient(target: OpenDoc): string[] {
  const reasons: string[] = [];
  let delay = 250;
  target.provider.on('close', ({ event }: { event: { reason: string } }) => {
    reasons.push(event.reason);
    const kind = parseSyncRefusal(event.reason);
    if (!kind || !SYNC_REFUSALS[kind].retry) return;
    setTimeout(
      () => {
        target.provider.detach();
        target.provider.attach();
      },
      delay * (0.5 + Math.random()),
    );
    delay = Math.min(delay * 2, 4_000);
  });
  target.provider.on('synced', () => {
    delay = 250;
  });
  return reasons;
}
