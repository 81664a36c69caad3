import type * as Y from 'yjs';
import { readMessages } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { initDm } from '#schema/docs/roomHead';
import { dmRoomId, newMessageId, type RoomId, type UserId } from '#schema/ids';
import { registerUser, type TestUser } from './api';
import { connectClient, type OpenDoc, type TestClient } from './client';
import type { TestServer } from './server';

/** A new message by `authorId`, as a client writes it. */
export function message(authorId: UserId, text: string) {
  return { id: newMessageId(), authorId, createdAt: Date.now(), text };
}

/** The texts of a bucket's messages people wrote (not the server's system lines), in the agreed order. */
export function texts(doc: Y.Doc): string[] {
  return readMessages(doc)
    .filter((m) => !m.event)
    .map((m) => m.text);
}

export interface DmPair {
  alice: TestUser;
  bob: TestUser;
  room: RoomId;
  a: TestClient;
  b: TestClient;
  /** Bucket 0 as each side has it open, synced. */
  aBucket: OpenDoc;
  bBucket: OpenDoc;
}

/** `me` starts a DM with `peer` on `client` (initialises its head) and opens its first bucket, synced. */
export async function openDm(client: TestClient, me: UserId, peer: UserId): Promise<{ room: RoomId; bucket: OpenDoc }> {
  const room = dmRoomId(me, peer);
  const head = client.open(roomHeadDoc(room));
  await head.synced;
  initDm(head.doc, me, Date.now());
  const bucket = client.open(bucketDoc(room, 0));
  await bucket.synced;
  return { room, bucket };
}

/** Where a server answers: an in-process test server or a server process. */
type Endpoint = Pick<TestServer, 'url' | 'wsUrl'>;

/**
 * Alice and Bob sign up (each on their own server node, if given two), Alice starts
 * their DM, and both open its first bucket.
 */
export async function startDm(aliceServer: Endpoint, bobServer: Endpoint = aliceServer): Promise<DmPair> {
  const alice = await registerUser(aliceServer.url, 'Alice');
  const bob = await registerUser(bobServer.url, 'Bob');
  const room = dmRoomId(alice.id, bob.id);
  const a = connectClient(aliceServer.wsUrl, alice.token);
  const b = connectClient(bobServer.wsUrl, bob.token);
  const head = a.open(roomHeadDoc(room));
  await head.synced;
  initDm(head.doc, alice.id, Date.now());
  const aBucket = a.open(bucketDoc(room, 0));
  const bBucket = b.open(bucketDoc(room, 0));
  await Promise.all([aBucket.synced, bBucket.synced]);
  return { alice, bob, room, a, b, aBucket, bBucket };
}
