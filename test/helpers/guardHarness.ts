import * as Y from 'yjs';
import type { DocRef } from '#schema/docs/names';
import type { MemberRole } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';
import { checkUpdate, type GuardResult } from '../../sync-server/src/sync/updateGuard';

/**
 * Test support for the update guard: a server replica that applies an update only if
 * {@link checkUpdate} accepts it, with client id claims kept the way the guard
 * extension keeps them, and raw Yjs peers standing in for providers.
 */
export class GuardHarness {
  readonly server = new Y.Doc();
  readonly claims = new Map<number, UserId>();
  readonly roles = new Map<UserId, MemberRole>();
  /** The server's clock, which a test moves on by hand. */
  now = 1_700_000_000_000;

  constructor(readonly ref: DocRef) {}

  /** A peer replica of `userId` writing with client id `clientId`. */
  peer(userId: UserId, clientId: number): Peer {
    const doc = new Y.Doc();
    doc.clientID = clientId;
    return { userId, doc };
  }

  /** The guard's verdict on `update` from `userId`, without applying it. */
  check(userId: UserId, update: Uint8Array): GuardResult {
    return checkUpdate({
      doc: this.server,
      ref: this.ref,
      userId,
      role: this.roles.get(userId) ?? null,
      update,
      clientOwner: (id) => this.claims.get(id),
      clock: () => this.now,
    });
  }

  /** Checks `update` and applies it when accepted, claiming its new client ids. */
  send(userId: UserId, update: Uint8Array): GuardResult {
    const result = this.check(userId, update);
    if (result.ok) {
      for (const id of result.newClientIds) if (!this.claims.has(id)) this.claims.set(id, userId);
      Y.applyUpdate(this.server, update);
    }
    return result;
  }

  /** Sync step 2 from a peer: what it has that the server lacks. */
  push(peer: Peer): GuardResult {
    return this.send(peer.userId, Y.encodeStateAsUpdate(peer.doc, Y.encodeStateVector(this.server)));
  }

  /** The server's answer to a peer's sync step 1. */
  pull(peer: Peer): void {
    Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(this.server, Y.encodeStateVector(peer.doc)));
  }

  /**
   * The verdict on a write made on a copy of the peer, so a refused write does not stay
   * in the peer's replica (where every later update would depend on it).
   */
  attempt(peer: Peer, write: (doc: Y.Doc) => void): GuardResult {
    const fork = new Y.Doc();
    Y.applyUpdate(fork, Y.encodeStateAsUpdate(peer.doc));
    // Applying a state holding the peer's own client id makes Yjs pick a new one.
    fork.clientID = peer.doc.clientID;
    return this.check(peer.userId, GuardHarness.capture({ userId: peer.userId, doc: fork }, write));
  }

  /** Runs `write` on the peer and returns the update it emitted (what a provider sends live). */
  static capture(peer: Peer, write: (doc: Y.Doc) => void): Uint8Array {
    const updates: Uint8Array[] = [];
    const listener = (update: Uint8Array) => updates.push(update);
    peer.doc.on('update', listener);
    try {
      peer.doc.transact(() => write(peer.doc));
    } finally {
      peer.doc.off('update', listener);
    }
    return Y.mergeUpdates(updates);
  }
}

export interface Peer {
  userId: UserId;
  doc: Y.Doc;
}
