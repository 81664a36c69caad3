/**
 * Devices of the idle benchmark (`idle.ts`), a slice of them per process so that the
 * clients' own work does not stall the server's sockets. Gets its slice
 * (`IdleSlice`) as its first IPC message (too big for an argument); connects every person of the slice over one socket each
 * (their inbox and their group heads, as the app holds them), says `synced` with how
 * long that took, and stays connected, doing nothing, until it gets `stop`.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface IdleSlice {
  wsUrl: string;
  people: { token: string; docs: string[] }[];
}
export type FromIdleClients = { type: 'synced'; ms: number; refused: number } | { type: 'stopped' };

/** `ws` emits 'error' for a socket closed while connecting; the provider learns of failures from 'close'. */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

const slice = await new Promise<IdleSlice>((resolve) => process.once('message', (m: { type: 'start'; slice: IdleSlice }) => resolve(m.slice)));
const send = (message: FromIdleClients) => process.send!(message);
const began = performance.now();
let refused = 0;
const sockets: HocuspocusProviderWebsocket[] = [];
const providers: HocuspocusProvider[] = [];
const synced: Promise<void>[] = [];
/** People connect a few at a time, as they would over a morning, not in one instant. */
const AT_ONCE = 50;
for (let i = 0; i < slice.people.length; i += AT_ONCE) {
  const wave: Promise<void>[] = [];
  for (const person of slice.people.slice(i, i + AT_ONCE)) {
    const socket = new HocuspocusProviderWebsocket({ url: slice.wsUrl, WebSocketPolyfill: QuietWebSocket as never });
    sockets.push(socket);
    for (const name of person.docs) {
      const document = new Y.Doc();
      // As the app's replicas: no awareness on any doc, so nothing is renewed every 15 s;
      // "online" is the server's, and the server's Ping keeps the socket.
      const provider = new HocuspocusProvider({ name, document, awareness: null, token: person.token, websocketProvider: socket });
      provider.on('authenticationFailed', () => refused++);
      const done = new Promise<void>((resolve) => provider.on('synced', () => resolve()));
      wave.push(done);
      synced.push(done);
      provider.attach();
      providers.push(provider);
    }
  }
  await Promise.all(wave);
}
await Promise.all(synced);
send({ type: 'synced', ms: performance.now() - began, refused });
process.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  for (const provider of providers) provider.destroy();
  for (const socket of sockets) socket.destroy();
  send({ type: 'stopped' });
  process.exit(0);
});
