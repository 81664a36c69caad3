import { HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import type * as Y from 'yjs';
import type { SyncRefusal } from '../../../schema/api/errors';
import type { DocName } from '../../../schema/docs/names';
import type { UserId } from '../../../schema/ids';
import { readLocal, writeLocal } from '../storage/localCache';
import { Replica, type ReplicaEvents } from './replica';

export type ConnectionStatus = 'connected' | 'connecting' | 'offline';

/** Reconnect backoff ceiling: long enough not to hammer a server that is down, short enough that recovery feels prompt. */
const MAX_RECONNECT_DELAY_MS = 10_000;

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
 * the chat view and the background keep-alive of room heads all use one copy.
 */
export class ReplicaManager {
  readonly status: Accessor<ConnectionStatus>;
  /** Set when the server says the session is gone; local data stays readable. */
  readonly sessionEnded: Accessor<boolean>;
  private readonly setSessionEnded: (ended: boolean) => void;
  private readonly socket: HocuspocusProviderWebsocket;
  private readonly entries = new Map<DocName, Entry>();
  /** Closing replicas whose local changes still wait for the server, by name. */
  private readonly draining = new Map<DocName, Replica>();
  /** Docs with local edits the server has not acknowledged, kept across reloads so they are sent even if never reopened. */
  private readonly unsent: Set<DocName>;
  private readonly events: ReplicaEvents = {
    refused: (kind) => this.refused(kind),
    unsent: (name, pending) => {
      if (pending) this.unsent.add(name);
      else this.unsent.delete(name);
      writeLocal(this.unsentKey, [...this.unsent]);
    },
  };

  constructor(readonly userId: UserId) {
    const [status, setStatus] = createSignal<ConnectionStatus>('connecting');
    const [sessionEnded, setSessionEnded] = createSignal(false);
    this.status = status;
    this.sessionEnded = sessionEnded;
    this.setSessionEnded = setSessionEnded;
    this.socket = new HocuspocusProviderWebsocket({ url: syncUrl(), maxDelay: MAX_RECONNECT_DELAY_MS });
    this.unsent = new Set(readLocal<DocName[]>(this.unsentKey) ?? []);
    // Edits left unsent by an earlier session: reopened until one handshake has carried them to the server.
    for (const name of [...this.unsent]) {
      void this.open(name).whenSynced.then(() => {
        this.events.unsent(name, false);
        this.release(name);
      });
    }
    this.socket.on('status', ({ status }: { status: WebSocketStatus }) => {
      if (status === WebSocketStatus.Connected) setStatus('connected');
      else if (status === WebSocketStatus.Disconnected) setStatus('offline');
      // Retries while offline stay "offline", so the indicator does not flicker with each attempt.
      else setStatus((current) => (current === 'offline' ? 'offline' : 'connecting'));
    });
  }

  private get unsentKey(): string {
    return `unsent:${this.userId}`;
  }

  /** Opens (or shares) the replica of `name`; pair every call with {@link release}. */
  open(name: DocName): Replica {
    const entry = this.entries.get(name);
    if (entry) {
      entry.refs++;
      return entry.replica;
    }
    const replica = this.draining.get(name) ?? new Replica(name, this.userId, this.socket, this.events);
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
    this.socket.destroy();
  }
}
