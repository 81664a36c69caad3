import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { afterAll } from 'vitest';
import WebSocket from 'ws';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { waitFor } from './waitFor';

export interface OpenDoc {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  /** Resolves once the first sync with the server finished. */
  synced: Promise<void>;
  /** Resolves with the refusal reason if the server refused the doc. */
  refused: Promise<string>;
}

export interface TestClient {
  socket: HocuspocusProviderWebsocket;
  open(name: string, doc?: Y.Doc, awareness?: Awareness): OpenDoc;
  /** Waits until the server has acknowledged every local change of every open doc. */
  settled(): Promise<void>;
  close(): void;
}

/**
 * `ws` emits 'error' when a socket that is still connecting gets closed, on the next
 * tick; the provider's destroy() removes its listeners first, and an unheard 'error'
 * event would crash the test process. The provider learns of failures from 'close'.
 */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

const clients = new Set<TestClient>();
afterAll(() => {
  for (const client of clients) client.close();
  clients.clear();
});

/**
 * A real provider client, as the browser app uses it: one multiplexed socket and a
 * provider per doc, authenticated with `token`.
 */
export function connectClient(wsUrl: string, token: string): TestClient {
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: QuietWebSocket as never, delay: 50, minDelay: 20, maxDelay: 500, jitter: true });
  const providers: HocuspocusProvider[] = [];
  const client: TestClient = {
    socket,
    open(name, doc = new Y.Doc(), awareness) {
      let refuse!: (reason: string) => void;
      const refused = new Promise<string>((resolve) => (refuse = resolve));
      let markSynced!: () => void;
      const synced = new Promise<void>((resolve) => (markSynced = resolve));
      const provider = new HocuspocusProvider({
        name,
        document: doc,
        // As the app: no awareness unless a test brings one (to check the server drops it).
        awareness: awareness ?? null,
        token,
        websocketProvider: socket,
        onSynced: () => markSynced(),
        onAuthenticationFailed: ({ reason }) => refuse(reason),
      });
      provider.attach();
      providers.push(provider);
      return { doc, provider, synced, refused };
    },
    async settled() {
      await waitFor(() => providers.every((p) => p.hasUnsyncedChanges === false), { what: 'all changes acknowledged' });
    },
    close() {
      for (const provider of providers) provider.destroy();
      socket.destroy();
      clients.delete(client);
    },
  };
  clients.add(client);
  return client;
}
