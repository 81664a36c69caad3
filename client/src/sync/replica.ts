import { HocuspocusProvider, type HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import * as Y from 'yjs';
import { ServerPresence } from './presence';
import { parseSyncRefusal, SYNC_REFUSALS, type SyncRefusal } from '#schema/api/errors';
import { onMessagesRemoved } from '#schema/docs/bucketPurge';
import { onPreviewRewritten } from '#schema/docs/inbox';
import { parseDocName, type DocName } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import { RetryPacer } from './retryPacer';
import { TAB_ORIGIN, type TabChannel } from './tabChannel';

/**
 * If IndexedDB never answers (some private modes), the doc still syncs from the server
 * after this long instead of waiting forever.
 */
const LOCAL_LOAD_TIMEOUT_MS = 3000;
/** The refusal of a bucket of a group the server has not stored yet: an expected wait (see {@link RetryPacer}). */
const GROUP_NOT_STORED = ':group-not-created';

/** The IndexedDB database of one doc. The user id keeps accounts on a shared browser apart and lets sign-out find them all. */
export function localDbName(userId: string, name: DocName): string {
  return `${localDbPrefix(userId)}${name}`;
}

export function localDbPrefix(userId: string): string {
  return `jeco:${userId}:`;
}

export interface ReplicaEvents {
  /** The server refused this doc for good (not a retryable refusal). */
  refused(kind: SyncRefusal): void;
  /** Local edits the server has not acknowledged appeared (true) or were all acknowledged (false). */
  unsent(name: DocName, pending: boolean): void;
  /** The server acknowledged every edit this replica held unsent: they are durably stored. */
  flushed(replica: Replica): void;
  /** The server turned this doc away for a while and it waits to retry (true), or it synced again (false). */
  retrying?(name: DocName, waiting: boolean): void;
  /**
   * The server purged a message of this bucket: the inbox's stored copy may still hold
   * the chat list's old preview of it, overwritten since by newer messages
   * (call {@link Replica.forgetOldContent} on the inbox).
   */
  purged?(replica: Replica): void;
  /** A sync handshake completed: the replica holds everything the server has (until the connection drops). */
  caughtUp(replica: Replica): void;
}

export interface ReplicaOptions {
  socket: HocuspocusProviderWebsocket;
  tabs: TabChannel;
  events: ReplicaEvents;
  /** An earlier session left edits to this doc unsent: they count as unsent until a handshake carries them. */
  carriesUnsent: boolean;
}

/**
 * One document replica: a Y.Doc loaded from IndexedDB and kept in sync with the server
 * over the tab's shared socket. The UI may read `doc` as soon as `loaded()` is true,
 * which happens when the local copy is in, never waiting for the network.
 */
export class Replica {
  readonly doc = new Y.Doc();
  /**
   * Who else has this doc open somewhere ("online"), as the server tells it: room heads
   * only (`sync-server/src/sync/headPresence.ts`); empty elsewhere and while not connected.
   * The provider has no awareness: this client states nothing in it.
   */
  readonly present: Accessor<ReadonlySet<UserId>>;
  /** Who else types on this room head, by user, with the names the server gave; never stored. */
  readonly typing: Accessor<ReadonlyMap<UserId, string>>;
  private readonly serverPresence: ServerPresence;
  readonly loaded: Accessor<boolean>;
  /** Why the server refused this doc, when it did; the doc stays readable from the local copy. */
  readonly refusal: Accessor<SyncRefusal | null>;
  /** Resolves when `loaded()` turns true. */
  readonly whenLoaded: Promise<void>;
  /** Resolves after the first completed sync handshake with the server: both sides then hold the same state. */
  readonly whenSynced: Promise<void>;
  /** True once `whenSynced` has resolved. */
  readonly synced: Accessor<boolean>;
  private resolveSynced!: () => void;
  private readonly persistence: IndexeddbPersistence;
  private provider: HocuspocusProvider | null = null;
  /** Whether this tab made edits the server has not acknowledged yet. */
  private unsent = false;
  private readonly flushWaiters: Array<() => void> = [];
  private destroyed = false;
  /** Refused for a while and not synced since: when to try again, and "Reconnecting…" meanwhile. */
  private readonly retries: RetryPacer;
  private readonly socket: HocuspocusProviderWebsocket;
  private readonly events: ReplicaEvents;
  private readonly syncListeners = new Set<() => void>();
  private leaveTabs: () => void = () => undefined;
  /** A rewrite of the local copy under way (see {@link forgetOldContent}); destroy waits for it. */
  private rewriting: Promise<void> | null = null;
  private rewriteAgain = false;
  private clearRefusal: () => void = () => undefined;

  constructor(
    readonly name: DocName,
    userId: string,
    { socket, tabs, events, carriesUnsent }: ReplicaOptions,
  ) {
    this.serverPresence = new ServerPresence(userId);
    this.present = this.serverPresence.present;
    this.typing = this.serverPresence.typing;
    this.socket = socket;
    this.events = events;
    this.unsent = carriesUnsent;
    this.retries = new RetryPacer((waiting) => this.events.retrying?.(this.name, waiting));
    const [loaded, setLoaded] = createSignal(false);
    const [refusal, setRefusal] = createSignal<SyncRefusal | null>(null);
    this.loaded = loaded;
    this.refusal = refusal;
    this.clearRefusal = () => setRefusal(null);

    const [synced, setSynced] = createSignal(false);
    this.synced = synced;
    this.whenSynced = new Promise((resolve) => (this.resolveSynced = resolve));
    void this.whenSynced.then(() => setSynced(true));
    this.persistence = new IndexeddbPersistence(localDbName(userId, name), this.doc);
    this.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (this.isOwnEdit(origin)) this.setUnsent(true);
    });
    const kind = parseDocName(name)?.kind;
    if (kind === 'bucket') {
      onMessagesRemoved(this.doc, () => {
        this.forgetOldContent();
        this.events.purged?.(this);
      });
    }
    // The chat list's preview of an edited or deleted message: the old words are in the inbox's rows too.
    if (kind === 'inbox') onPreviewRewritten(this.doc, () => this.forgetOldContent());

    const timeout = new Promise((resolve) => setTimeout(resolve, LOCAL_LOAD_TIMEOUT_MS));
    this.whenLoaded = Promise.race([this.persistence.whenSynced, timeout]).then(() => {
      if (this.destroyed) return;
      setLoaded(true);
      this.leaveTabs = tabs.join(name, this.doc, (origin) => this.isOwnEdit(origin));
      // Made only now, so the local copy does not go out as one big update: the sync
      // handshake that follows exchanges just what either side lacks.
      this.provider = this.connect((kind) => setRefusal(kind));
    });
  }

  /**
   * Whether an update was made in this tab: not loaded from IndexedDB, not received
   * from the server, not received from another tab (that tab owes it to the server).
   */
  private isOwnEdit(origin: unknown): boolean {
    return origin !== this.persistence && origin !== TAB_ORIGIN && (this.provider === null || origin !== this.provider);
  }

  private connect(setRefusal: (kind: SyncRefusal) => void): HocuspocusProvider {
    const provider = new HocuspocusProvider({ name: this.name, document: this.doc, awareness: null, token: null, websocketProvider: this.socket });
    // `fromServer`: the server closed or refused this doc; otherwise the whole socket
    // closed, and the provider re-authenticates by itself when it reconnects.
    const refuse = (reason: string | undefined, fromServer: boolean) => {
      // One line in the console per refusal: a doc that stays unsynced can be traced there.
      // (The server answers this client's own close of the doc with "provider_initiated".)
      if (fromServer && reason !== 'provider_initiated') console.info(`${this.name}: refused by the server (${reason ?? 'no reason'})`);
      const kind = parseSyncRefusal(reason);
      if (!kind) {
        // A reason the app does not know ("Reset Connection", "permission-denied": a
        // server fault, or a newer server) must not leave the doc's edits stalled
        // silently: try again, backing off.
        if (fromServer) this.retryLater(provider);
        return;
      }
      if (SYNC_REFUSALS[kind].retry) {
        this.retryLater(provider, reason?.endsWith(GROUP_NOT_STORED) === true);
        return;
      }
      setRefusal(kind);
      // Edits to a refused doc can never be sent: stop carrying them from session to session.
      // An ended session is different: signing in again sends them.
      if (kind !== 'unauthorized') this.events.unsent(this.name, false);
      // A detached provider stays quiet on reconnects, so a refused doc is not retried in a loop.
      this.serverPresence.clear();
      provider.detach();
      this.events.refused(kind);
    };
    this.serverPresence.listen(provider);
    provider.on('authenticationFailed', ({ reason }: { reason: string }) => refuse(reason, true));
    // A doc-level CLOSE from the server arrives as code 1000 with its reason; a socket close has its own code.
    provider.on('close', ({ event }: { event: { code?: number; reason?: string } }) => refuse(event.reason, event.code === 1000 && !!event.reason));
    provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number !== 0 || !this.unsent) return;
      this.setUnsent(false);
      this.events.flushed(this);
    });
    provider.on('synced', ({ state }: { state: boolean }) => {
      if (!state) return;
      this.retries.synced();
      this.resolveSynced();
      for (const listener of this.syncListeners) listener();
      this.events.caughtUp(this);
    });
    provider.attach();
    return provider;
  }

  /**
   * A retryable refusal closed this doc's connection while the socket stays up: attach
   * again after a growing delay, which runs a fresh auth and sync handshake.
   */
  private retryLater(provider: HocuspocusProvider, expected = false): void {
    this.retries.later(() => {
      if (this.destroyed || this.provider !== provider) return;
      this.serverPresence.clear();
      provider.detach();
      provider.attach();
    }, expected);
  }

  /**
   * Connects a doc the server refused for good once more, with a fresh auth and sync
   * handshake: for when the reason may be gone (the user was added back to a group).
   */
  retryRefused(): void {
    if (this.destroyed || !this.provider || this.refusal() === null) return;
    this.clearRefusal();
    this.provider.attach();
  }

  /** Calls `listener` after every completed sync handshake: the first, and each one after a reconnect. */
  onSynced(listener: () => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  /**
   * Sends a message to the server on this doc's connection, outside the document
   * (receipts, typing). Only while synced: returns false otherwise, and the caller sends again
   * after the next sync ({@link onSynced}).
   */
  sendStateless(payload: string): boolean {
    if (this.destroyed || !this.provider?.isSynced || this.refusal() !== null) return false;
    this.provider.sendStateless(payload);
    return true;
  }

  /**
   * The server purged a message (deleted for everyone, or edited), or rewrote the chat
   * list's preview of one: the doc in memory dropped the old content, but y-indexeddb
   * keeps every update as a row, so the row that brought it still holds it. Store the doc's state as one row and delete the
   * older ones, after the change is done (Yjs garbage-collects it at the end of the
   * transaction, and y-indexeddb then stores the change itself).
   */
  forgetOldContent(): void {
    this.rewriteAgain = true;
    if (this.rewriting || this.destroyed) return;
    const rewrite = async () => {
      // A purge during a rewrite may have come after the state was encoded: go again.
      // Destroying waits for this (the database stays open), so a replica synced only briefly still forgets.
      while (this.rewriteAgain) {
        this.rewriteAgain = false;
        await new Promise((resolve) => setTimeout(resolve, 0));
        // IndexedDB never answered (the replica loaded on the timeout): nothing to rewrite.
        // Should it answer later, the next load applies the purge over the old rows and comes here.
        if (!this.persistence.synced) return;
        await storeState(this.persistence, true);
      }
    };
    this.rewriting = rewrite().finally(() => (this.rewriting = null));
  }

  private setUnsent(unsent: boolean): void {
    if (this.unsent === unsent) return;
    this.unsent = unsent;
    this.events.unsent(this.name, unsent);
    if (!unsent) for (const resolve of this.flushWaiters.splice(0)) resolve();
  }

  /**
   * Whether this replica is in sync with the server now: connected, handshake done, not
   * refused. What is appended then lands after the true end of a list (not reactive).
   */
  inSync(): boolean {
    return !this.destroyed && this.provider?.synced === true && this.refusal() === null;
  }

  /** Whether this tab has edits to this doc that the server has not acknowledged. */
  get hasUnsent(): boolean {
    return this.unsent;
  }

  /** Resolves once the server has acknowledged every local edit made so far. */
  flushed(): Promise<void> {
    if (!this.unsent) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.retries.stop();
    this.leaveTabs();
    this.provider?.destroy();
    this.serverPresence.clear();
    // Its last requests are queued by now; closing the database lets them finish.
    await this.rewriting;
    await this.persistence.destroy();
    this.doc.destroy();
  }
}
