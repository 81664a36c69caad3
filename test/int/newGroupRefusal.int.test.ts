import 'fake-indexeddb/auto';
import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Replica } from '../../client/src/sync/replica';
import { TabChannel } from '../../client/src/sync/tabChannel';
import { SESSION_COOKIE } from '#schema/api/auth';
import { bucketDoc, roomHeadDoc, type DocName } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId } from '#schema/ids';
import { registerUser } from '../helpers/api';
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
});
