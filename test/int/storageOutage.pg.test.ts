import 'fake-indexeddb/auto';
import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SESSION_COOKIE } from '#schema/api/auth';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { initDm } from '#schema/docs/roomHead';
import { dmRoomId } from '#schema/ids';
import { Replica, type ReplicaEvents } from '../../client/src/sync/replica';
import { TabChannel } from '../../client/src/sync/tabChannel';
import { api, registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { message } from '../helpers/dm';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres } from '../helpers/services';
import { startTcpProxy, targetOf, viaProxy } from '../helpers/tcpProxy';
import { waitFor } from '../helpers/waitFor';

/** Outages in one run: a blip that passes once proves little. */
const OUTAGES = 3;
const OUTAGE_MS = 2000;
/** The app's retry delay doubles up to 10 s; after a 2 s outage the next attempt comes within a few seconds. */
const FLUSHED_WITHIN_MS = 20_000;

/**
 * The app's own replica (client/src/sync/replica.ts, in Node with fake-indexeddb)
 * against the real server whose Postgres goes away: the server refuses its writes as
 * `unavailable` instead of a reason the app ignores, the app says it is reconnecting,
 * retries with backoff, and sends everything once Postgres is back.
 */
describe.skipIf(!(await hasPostgres()))('the app through a Postgres outage', () => {
  const databaseUrl = useTestDatabase();

  it('retries writes refused as unavailable, shows it is reconnecting, and sends everything afterwards', { timeout: 120_000 }, async () => {
    const pg = await startTcpProxy(targetOf(databaseUrl, 5432));
    const server = await startServer({ databaseUrl: viaProxy(databaseUrl, pg) });
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const room = dmRoomId(alice.id, bob.id);
    const setup = connectClient(server.wsUrl, alice.token);
    initDm((await openSynced(setup.open(roomHeadDoc(room)))).doc, alice.id, Date.now());
    await setup.settled();

    // The browser sends the session cookie with the upgrade; so does this socket.
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } });
        this.on('error', () => undefined);
      }
    }
    const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, WebSocketPolyfill: BrowserLikeWebSocket as never, delay: 50, minDelay: 20, maxDelay: 500 });
    const waiting: boolean[] = [];
    const refusedForGood: string[] = [];
    const events: ReplicaEvents = {
      refused: (kind) => refusedForGood.push(kind),
      unsent: () => undefined,
      flushed: () => undefined,
      caughtUp: () => undefined,
      retrying: (_name, isWaiting) => waiting.push(isWaiting),
    };
    const replica = new Replica(bucketDoc(room, 0), alice.id, { socket, tabs: new TabChannel(alice.id), events, carriesUnsent: false });
    await within(replica.whenSynced, 20_000, 'the replica to sync');

    for (let i = 0; i < OUTAGES; i++) {
      const before = waiting.length;
      pg.cut();
      appendMessage(replica.doc, message(alice.id, `during outage ${i}`));
      await waitFor(() => waiting.slice(before).includes(true), { timeoutMs: 10_000, what: 'the app to be told to retry' });
      expect(replica.hasUnsent).toBe(true);
      // The API says the same, in its error shape: 503, worth retrying.
      const me = await api(server.url, 'GET', '/api/auth/me', { token: alice.token });
      expect([me.status, me.body?.error?.kind]).toEqual([503, 'unavailable']);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      pg.restore();
      await within(replica.flushed(), FLUSHED_WITHIN_MS, `outage ${i}: the unsent message to be sent`);
      await waitFor(() => waiting.at(-1) === false, { what: 'the app to stop saying it is reconnecting' });
    }
    expect(refusedForGood).toEqual([]);

    // Bob, reading from the server, has every message once, in order.
    const reader = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
    await within(reader.synced, 20_000, 'a reader to sync');
    await waitFor(() => readMessages(reader.doc).length === OUTAGES, { what: 'every message on the server' });
    expect(readMessages(reader.doc).map((m) => m.text)).toEqual(Array.from({ length: OUTAGES }, (_, i) => `during outage ${i}`));
    await replica.destroy();
    socket.destroy();
    await server.close();
  });
});

async function openSynced<T extends { synced: Promise<void> }>(open: T): Promise<T> {
  await within(open.synced, 20_000, 'the room head to sync');
  return open;
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
