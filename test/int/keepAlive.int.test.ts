import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { inboxDoc, roomHeadDoc } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { startDm } from '../helpers/dm';
import { watchPresence } from '../helpers/presence';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** The server pings after this much silence towards a socket, and closes one that sent nothing for {@link IDLE_TIMEOUT_MS}. */
const PING_AFTER_MS = 200;
const IDLE_TIMEOUT_MS = 600;
/** The client reconnects a socket that received nothing for this long (the app's provider: 30 s, against 20 s pings). */
const CLIENT_RECONNECT_MS = 450;

class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

/** A device as the app makes it (no awareness: nothing renewed), counting its socket's connects and closes. */
function device(wsUrl: string, token: string, names: string[]) {
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: QuietWebSocket as never, messageReconnectTimeout: CLIENT_RECONNECT_MS, delay: 50, minDelay: 20, maxDelay: 200 });
  let connects = 0;
  let closes = 0;
  socket.on('connect', () => connects++);
  socket.on('close', () => closes++);
  const providers = names.map((name) => {
    const provider = new HocuspocusProvider({ name, document: new Y.Doc(), awareness: null, token, websocketProvider: socket });
    provider.attach();
    return provider;
  });
  const stop = () => {
    for (const provider of providers) provider.destroy();
    socket.destroy();
  };
  afterAll(stop);
  return { socket, providers, connects: () => connects, closes: () => closes, stop };
}

describe('keep-alive of idle sync sockets', async () => {
  const server = await startServer({ env: { JECO_SYNC_PING_AFTER_MS: String(PING_AFTER_MS), JECO_SYNC_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) } });

  it('keeps a socket that says nothing open past the idle timeout, with no reconnect, and its docs served', async () => {
    const { alice, bob, room } = await startDm(server);
    const quiet = device(server.wsUrl, bob.token, [inboxDoc(bob.id as UserId), roomHeadDoc(room)]);
    const head = quiet.providers[1]!;
    // Listening from the start: the set is told once on connect, and Alice is in it already
    // (her own connection from starting the DM), so that message is the one that says so.
    const onHead = watchPresence({ provider: head });
    await waitFor(() => quiet.providers.every((p) => p.isSynced), { what: 'synced' });
    expect(quiet.connects()).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 6 * IDLE_TIMEOUT_MS));
    expect(quiet.connects()).toBe(1);
    expect(quiet.closes()).toBe(0);
    expect(quiet.socket.status).toBe(WebSocketStatus.Connected);
    // Still attached: someone arriving on the head is seen.
    const other = device(server.wsUrl, alice.token, [roomHeadDoc(room)]);
    await waitFor(() => onHead.online().includes(alice.id), { what: 'Alice seen arriving on the idle head' });
    other.stop();
  });

  it('closes a socket whose client does not answer the Ping (the timeout is real)', async () => {
    const carol = await registerUser(server.url, 'Carol');
    const deaf = device(server.wsUrl, carol.token, [inboxDoc(carol.id as UserId)]);
    await waitFor(() => deaf.providers[0]!.isSynced, { what: 'synced' });
    // Pings arrive (so the client itself sees traffic and keeps the socket) but are never answered.
    (deaf.socket as unknown as { sendPong(): void }).sendPong = () => {};
    await waitFor(() => deaf.closes() > 0, { what: 'the server to close the silent socket', timeoutMs: 6 * IDLE_TIMEOUT_MS });
  });

  it('closes a socket that keeps sending Pongs nobody asked for (Pongs skip the per-user budgets), after ignoring a few: a provider may send one left from its last socket', async () => {
    const flooder = new WebSocket(server.wsUrl);
    flooder.on('error', () => {});
    await new Promise((resolve) => flooder.once('open', resolve));
    let closedWith: number | undefined;
    flooder.once('close', (code) => (closedWith = code));
    // All within the first ping interval, so that none of them can be taken as an answer.
    for (let i = 0; i < 8; i++) flooder.send(new Uint8Array([10]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closedWith).toBeUndefined();
    flooder.send(new Uint8Array([10]));
    await waitFor(() => closedWith !== undefined, { what: 'the flooding socket to be closed' });
    expect(closedWith).toBe(1008);
  });
});
