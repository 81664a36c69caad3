import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import type * as Y from 'yjs';
import type { SyncRefusal } from '#schema/api/errors';
import { inboxDoc, type DocName } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import { RECONNECT, trackConnection, type ConnectionStatus } from './connectionStatus';
import { UnsentDocs } from './outbox';
import { Replica, type ReplicaEvents } from './replica';
import { TabChannel } from './tabChannel';

export type { ConnectionStatus } from './connectionStatus';

function syncUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/sync`;
}

interface Entry {
  replica: Replica;
  refs: number;
}

/**
 * The replicas of one signed-in user in this tab: one socket multiplexing every doc,
 * and per open doc a {@link Replica}, shared by reference count so that the chat list,
 * the chat view and the sends still draining after a chat closed all use one copy.
 */
export class ReplicaManager {
  readonly status: Accessor<ConnectionStatus>;
  /** Set when the server says the session is gone; local data stays readable. */
  readonly sessionEnded: Accessor<boolean>;
  private readonly setSessionEnded: (ended: boolean) => void;
  private readonly socket: HocuspocusProviderWebsocket;
  private readonly tabs: TabChannel;
  private readonly stopTracking: () => void;
  private readonly entries = new Map<DocName, Entry>();
  private readonly unsentDocs: UnsentDocs;
  /** Closing replicas whose local changes still wait for the server, by name. */
  private readonly draining = new Map<DocName, Replica>();
  private readonly events: ReplicaEvents = {
    refused: (kind) => this.refused(kind),
    unsent: (name, pending) => this.unsentDocs.mark(name, pending),
    flushed: (replica) => this.flushed(replica.name, replica.doc),
    retrying: (name, waiting) =>
      this.setRetrying((current) => {
        const next = new Set(current);
        if (waiting) next.add(name);
        else next.delete(name);
        return next;
      }),
    purged: () => this.entries.get(inboxDoc(this.userId))?.replica.forgetOldContent(),
    caughtUp: (replica) => this.caughtUp(replica),
  };
  /** Docs the server turned away for a while, waiting to retry. */
  private readonly retrying: Accessor<ReadonlySet<DocName>>;
  private readonly setRetrying: (update: (current: ReadonlySet<DocName>) => ReadonlySet<DocName>) => void;

  /**
   * `flushed` hears of every doc whose unsent edits the server has now stored;
   * `caughtUp` of every completed sync handshake.
   */
  constructor(
    readonly userId: UserId,
    private readonly flushed: (name: DocName, doc: Y.Doc) => void = () => undefined,
    private readonly caughtUp: (replica: Replica) => void = () => undefined,
  ) {
    this.unsentDocs = new UnsentDocs(userId);
    const [sessionEnded, setSessionEnded] = createSignal(false);
    this.sessionEnded = sessionEnded;
    this.setSessionEnded = setSessionEnded;
    this.socket = new HocuspocusProviderWebsocket({ url: syncUrl(), ...RECONNECT });
    const tracking = trackConnection(this.socket);
    const [retrying, setRetrying] = createSignal<ReadonlySet<DocName>>(new Set());
    this.retrying = retrying;
    this.setRetrying = setRetrying;
    // Connected, yet some docs are being turned away (a server without its database, a
    // node that cannot serve them yet): say so rather than "Online" while messages wait.
    this.status = () => {
      const socket = tracking.status();
      return socket === 'connected' && this.retrying().size > 0 ? 'reconnecting' : socket;
    };
    this.stopTracking = tracking.stop;
    this.tabs = new TabChannel(userId);
    // Edits left unsent by an earlier session: reopened until a handshake has carried them to the server.
    for (const name of this.unsentDocs.list()) {
      const replica = this.open(name);
      void replica.flushed().then(() => this.release(name));
    }
  }

  /** Opens (or shares) the replica of `name`; pair every call with {@link release}. */
  open(name: DocName): Replica {
    const entry = this.entries.get(name);
    if (entry) {
      entry.refs++;
      return entry.replica;
    }
    const replica = this.draining.get(name) ?? new Replica(name, this.userId, { socket: this.socket, tabs: this.tabs, events: this.events, carriesUnsent: this.unsentDocs.list().includes(name) });
    this.draining.delete(name);
    this.entries.set(name, { replica, refs: 1 });
    return replica;
  }

  release(name: DocName): void {
    const entry = this.entries.get(name);
    if (!entry || --entry.refs > 0) return;
    this.entries.delete(name);
    const { replica } = entry;
    if (!replica.hasUnsent) {
      void replica.destroy();
      return;
    }
    // A message written offline must still reach the server after its chat is closed.
    this.draining.set(name, replica);
    void replica.flushed().then(() => {
      if (this.draining.get(name) !== replica) return;
      this.draining.delete(name);
      void replica.destroy();
    });
  }

  /** Opens `name`, waits for its local copy, applies `change` to it and lets it go (it stays open until the server has it). */
  async change(name: DocName, change: (doc: Y.Doc) => void): Promise<void> {
    const replica = this.open(name);
    try {
      await replica.whenLoaded;
      change(replica.doc);
    } finally {
      this.release(name);
    }
  }

  /** Connects once more the open docs whose names `matches` and that the server refused for good. */
  retryRefused(matches: (name: DocName) => boolean): void {
    for (const [name, entry] of this.entries) if (matches(name)) entry.replica.retryRefused();
  }

  /** Marks the session ended without a server refusal (e.g. `/api/auth/me` answered 401). */
  endSession(): void {
    this.refused('unauthorized');
  }

  private refused(kind: SyncRefusal): void {
    if (kind !== 'unauthorized' || this.sessionEnded()) return;
    this.setSessionEnded(true);
    // Every doc would be refused the same way: stop the socket rather than retry in a loop.
    this.socket.disconnect();
  }

  /** Closes every replica and the socket; local data stays in IndexedDB. */
  async destroy(): Promise<void> {
    const replicas = [...this.entries.values()].map((e) => e.replica).concat([...this.draining.values()]);
    this.entries.clear();
    this.draining.clear();
    await Promise.all(replicas.map((r) => r.destroy()));
    this.tabs.close();
    this.stopTracking();
    this.socket.destroy();
  }
}
