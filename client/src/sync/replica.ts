import { HocuspocusProvider, type HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { parseSyncRefusal, SYNC_REFUSALS, type SyncRefusal } from '../../../schema/api/errors';
import type { DocName } from '../../../schema/docs/names';

/**
 * If IndexedDB never answers (some private modes), the doc still syncs from the server
 * after this long instead of waiting forever.
 */
const LOCAL_LOAD_TIMEOUT_MS = 3000;

/** The IndexedDB database of one doc. The user id keeps accounts on a shared browser apart and lets sign-out find them all. */
export function localDbName(userId: string, name: DocName): string {
  return `${localDbPrefix(userId)}${name}`;
}

export function localDbPrefix(userId: string): string {
  return `jeco:${userId}:`;
}

/**
 * One document replica: a Y.Doc loaded from IndexedDB and kept in sync with the server
 * over the tab's shared socket. The UI may read `doc` as soon as `loaded()` is true,
 * which happens when the local copy is in, never waiting for the network.
 */
export class Replica {
  readonly doc = new Y.Doc();
  readonly loaded: Accessor<boolean>;
  /** Why the server refused this doc, when it did; the doc stays readable from the local copy. */
  readonly refusal: Accessor<SyncRefusal | null>;
  readonly unsynced: Accessor<number>;
  /** Resolves when `loaded()` turns true. */
  readonly whenLoaded: Promise<void>;
  private readonly persistence: IndexeddbPersistence;
  private readonly provider: HocuspocusProvider;
  private readonly setUnsynced: (n: number) => void;
  private destroyed = false;

  constructor(
    readonly name: DocName,
    userId: string,
    socket: HocuspocusProviderWebsocket,
    onRefused: (kind: SyncRefusal) => void,
  ) {
    const [loaded, setLoaded] = createSignal(false);
    const [refusal, setRefusal] = createSignal<SyncRefusal | null>(null);
    const [unsynced, setUnsynced] = createSignal(0);
    this.loaded = loaded;
    this.refusal = refusal;
    this.unsynced = unsynced;
    this.setUnsynced = setUnsynced;

    this.persistence = new IndexeddbPersistence(localDbName(userId, name), this.doc);
    this.provider = new HocuspocusProvider({ name, document: this.doc, token: null, websocketProvider: socket });

    const refuse = (reason: string | undefined) => {
      const kind = parseSyncRefusal(reason);
      if (!kind || SYNC_REFUSALS[kind].retry) return;
      setRefusal(kind);
      // A detached provider stays quiet on reconnects, so a refused doc is not retried in a loop.
      this.provider.detach();
      onRefused(kind);
    };
    this.provider.on('authenticationFailed', ({ reason }: { reason: string }) => refuse(reason));
    this.provider.on('close', ({ event }: { event: { reason?: string } }) => refuse(event.reason));
    this.provider.on('unsyncedChanges', ({ number }: { number: number }) => setUnsynced(number));

    // Attaching after the local load lets the first sync exchange only what the server lacks or has new.
    const timeout = new Promise((resolve) => setTimeout(resolve, LOCAL_LOAD_TIMEOUT_MS));
    this.whenLoaded = Promise.race([this.persistence.whenSynced, timeout]).then(() => {
      if (this.destroyed) return;
      setLoaded(true);
      this.provider.attach();
    });
  }

  /** Resolves once the server has acknowledged every local change made so far. */
  flushed(): Promise<void> {
    if (this.provider.unsyncedChanges === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = ({ number }: { number: number }) => {
        if (number > 0) return;
        this.provider.off('unsyncedChanges', check);
        resolve();
      };
      this.provider.on('unsyncedChanges', check);
    });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.setUnsynced(0);
    this.provider.destroy();
    await this.persistence.destroy();
    this.doc.destroy();
  }
}
