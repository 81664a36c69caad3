import 'fake-indexeddb/auto';
import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Replica } from '../../client/src/sync/replica';
import { TabChannel } from '../../client/src/sync/tabChannel';
import { SESSION_COOKIE } from '#schema/api/auth';
import { bucketDoc, roomHeadDoc, type DocName } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, type UserId } from '#schema/ids';
import * as Y from 'yjs';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/**
 * A new group's bucket is refused (`out_of_order:group-not-created`) until the server has
 * stored the group, a moment after its head synced: the app's replica retries without
 * telling the person "Reconnecting…", unless the wait grows long.
 */
describe("a new group's bucket, asked for before the server stored the group", async () => {
  const server = await startServer();
  afterAll(() => server.close());

  it('retries quietly at first, and says "Reconnecting…" only once the wait is long', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const room = newGroupId();
    // The head is loaded with Alice in it, but written by the server itself: projections
    // (which store a group after a member's change) never run, so the wait never ends.
    const head = await server.hocuspocus.openDirectConnection(roomHeadDoc(room), { server: true });
    await head.transact((doc) => initGroup(doc, { name: 'Picnic', owner: alice.id, members: [bob.id], now: Date.now() }));

    class CookieWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } });
        this.on('error', () => {});
      }
    }
    const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, WebSocketPolyfill: CookieWebSocket as never, delay: 50, minDelay: 20, maxDelay: 500 });
    const tabs = new TabChannel(alice.id);
    const waiting: { name: DocName; waiting: boolean; at: number }[] = [];
    const started = Date.now();
    const events = {
      refused: () => {},
      unsent: () => {},
      flushed: () => {},
      caughtUp: () => {},
      retrying: (name: DocName, on: boolean) => waiting.push({ name, waiting: on, at: Date.now() - started }),
    };
    const replica = new Replica(bucketDoc(room, 0), alice.id, { socket, tabs, events, carriesUnsent: false });
    try {
      // Refused and retried several times within the first 2 s (250 ms, doubling), quietly.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(replica.synced()).toBe(false);
      expect(replica.refusal()).toBeNull();
      expect(waiting).toEqual([]);
      // Still refused after 3 s: now it is worth saying.
      await waitFor(() => waiting.length > 0, { what: 'the replica to say it is waiting', timeoutMs: 5_000 });
      expect(waiting[0]).toMatchObject({ name: bucketDoc(room, 0), waiting: true });
      expect(waiting[0]!.at).toBeGreaterThanOrEqual(3_000);
    } finally {
      await replica.destroy();
      tabs.close();
      socket.destroy();
      await head.disconnect();
    }
  });

  /** A new group's first write, as its creator's device makes it. */
  function groupHead(owner: UserId, members: UserId[]): Uint8Array {
    const doc = new Y.Doc();
    initGroup(doc, { name: 'Picnic', owner, members, now: Date.now() });
    return Y.encodeStateAsUpdate(doc);
  }

  it('waits, never refuses, while the first write of the head is stored and not yet applied', async () => {
    const [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
    const room = newGroupId();
    // The head is loaded, empty, and its first write lands in the store: the moment between
    // the append and the apply of the creator's update (seconds, on a loaded server).
    const head = await server.hocuspocus.openDirectConnection(roomHeadDoc(room), { server: true });
    try {
      await server.store.appendUpdate(roomHeadDoc(room), groupHead(alice.id, [bob.id]));
      const device = connectClient(server.wsUrl, alice.token);
      await expect(device.open(bucketDoc(room, 0)).refused).resolves.toBe('out_of_order:group-not-created');
      await expect(device.open(roomHeadDoc(room)).refused).resolves.toBe('out_of_order:group-not-created');
    } finally {
      await head.disconnect();
    }
  });

  it('reads a stored head that is not loaded here: its members wait for the group, anyone else is refused', async () => {
    const [alice, bob, mallory] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob'), registerUser(server.url, 'Mallory')]);
    const room = newGroupId();
    // Written, as by another node or before a crash, and never projected into the group's tables.
    await server.store.appendUpdate(roomHeadDoc(room), groupHead(alice.id, [bob.id]));
    const bobsDevice = connectClient(server.wsUrl, bob.token);
    await expect(bobsDevice.open(bucketDoc(room, 0)).refused).resolves.toBe('out_of_order:group-not-created');
    await bobsDevice.open(roomHeadDoc(room)).synced;
    const mallorysDevice = connectClient(server.wsUrl, mallory.token);
    await expect(mallorysDevice.open(bucketDoc(room, 0)).refused).resolves.toBe('forbidden');
    await expect(mallorysDevice.open(roomHeadDoc(room)).refused).resolves.toBe('forbidden');
  });
});
