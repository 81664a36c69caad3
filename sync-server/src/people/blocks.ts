import * as Y from 'yjs';
import type { Store } from '../store/db/store';
import { parseDocName, roomOfDoc, type DocRef } from '#schema/docs/names';
import type { SyncContext } from '../sync/context';
import type { UserId } from '#schema/ids';
import { readMembers } from '#schema/docs/roomHead';
import { dmOpen, type BlockState } from '#schema/privacy';
import { decodeUpdateOnce } from '../sync/decodedUpdates';
import { ExpiringCache } from './expiringCache';

/**
 * How long a cached answer stands. Every node forgets its own answer when a block
 * changes through it; another node's change reaches it within this long.
 */
const CACHE_MS = 5_000;
/** Pairs kept in memory; past this many the oldest are dropped and asked of the store again. */
const CACHE_SIZE = 100_000;

/**
 * Who blocked whom, read from the store through a short cache, because the guard asks
 * on every DM write and presence on every change of who is online or typing. A cached "blocked" is
 * checked against the store before anything is refused (the store is the truth; a
 * refusal from a stale cache would lose an honest message after an unblock).
 */
export class Blocks {
  private readonly cache: ExpiringCache<boolean>;
  /** Connections made read-only by {@link holdsDmWrite}, and only those (a former member's stay read-only). */
  private readonly heldConnections = new WeakSet<object>();
  private readonly blockedListeners = new Set<(blocker: UserId, blocked: UserId) => void>();
  private readonly changedListeners = new Set<(blocker: UserId, blocked: UserId) => void>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new ExpiringCache({ ttlMs: CACHE_MS, max: CACHE_SIZE }, now);
  }

  /** Whether `blocker` blocked `blocked`; `fresh` skips the cache. */
  async isBlocked(blocker: UserId, blocked: UserId, fresh = false): Promise<boolean> {
    const key = `${blocker}>${blocked}`;
    const cached = fresh ? undefined : this.cache.get(key);
    if (cached !== undefined) return cached;
    const answer = await this.store.isBlocked(blocker, blocked);
    this.remember(key, answer);
    return answer;
  }

  /** The block state between `viewer` and `other`, seen from the viewer. */
  async between(viewer: UserId, other: UserId, fresh = false): Promise<BlockState> {
    const [blockedByThem, blockedByMe] = await Promise.all([this.isBlocked(other, viewer, fresh), this.isBlocked(viewer, other, fresh)]);
    return { blockedByThem, blockedByMe };
  }

  async block(blocker: UserId, blocked: UserId): Promise<void> {
    await this.store.blockUser(blocker, blocked, this.now());
    this.remember(`${blocker}>${blocked}`, true);
    for (const listener of this.blockedListeners) listener(blocker, blocked);
    for (const listener of this.changedListeners) listener(blocker, blocked);
  }

  /** Called after each block made through this node (presence drops what is already shown). */
  onBlocked(listener: (blocker: UserId, blocked: UserId) => void): () => void {
    this.blockedListeners.add(listener);
    return () => this.blockedListeners.delete(listener);
  }

  async unblock(blocker: UserId, blocked: UserId): Promise<void> {
    await this.store.unblockUser(blocker, blocked);
    this.remember(`${blocker}>${blocked}`, false);
    for (const listener of this.changedListeners) listener(blocker, blocked);
  }

  /** Called after each block or unblock made through this node (server-derived presence is worked out again). */
  onChanged(listener: (blocker: UserId, blocked: UserId) => void): () => void {
    this.changedListeners.add(listener);
    return () => this.changedListeners.delete(listener);
  }

  /** Forgets cached answers between two people, both ways: another node changed a block between them. */
  forget(a: UserId, b: UserId): void {
    this.cache.forget(`${a}>${b}`);
    this.cache.forget(`${b}>${a}`);
  }

  /**
   * For the update guard, before anything else: whether to hold this update back
   * because the doc is a DM between two people one of whom blocked the other. A held
   * update is dropped unacknowledged (the connection turns read-only, so Hocuspocus
   * answers "not synced"): the sender keeps it as pending, one tick forever as on
   * WhatsApp, and goes on receiving the chat. Closing the connection instead would cut
   * the sender off from the chat too. The first update after an unblock turns the
   * connection writable again. An update that changes nothing (every client answers
   * the server's first sync step with one) is never held.
   */
  async holdsDmWrite(connection: { readOnly: boolean }, ref: DocRef, userId: UserId, update: Uint8Array): Promise<boolean> {
    const peer = this.dmPeer(ref, userId);
    if (!peer) return false;
    const held = this.heldConnections.has(connection);
    // Held connections are asked of the store, so an unblock on another node frees them at once.
    const open = dmOpen(await this.between(userId, peer, held)) || (!held && dmOpen(await this.between(userId, peer, true)));
    if (open) {
      if (held) {
        this.heldConnections.delete(connection);
        connection.readOnly = false;
      }
      return false;
    }
    const { structs, ds } = decodeUpdateOnce(update);
    if (structs.length === 0 && ds.clients.size === 0) return false;
    this.heldConnections.add(connection);
    connection.readOnly = true;
    return true;
  }

  /**
   * For the update guard, once the update passed its rules: whether any of `added`
   * (the people an update adds to a group, {@link membersAddedToGroup}) blocked the writer.
   */
  async refusesGroupAdd(added: readonly UserId[], writer: UserId): Promise<boolean> {
    // The cache first (a group may add many at once); a "blocked" is confirmed from the store before refusing.
    for (const id of added) if ((await this.isBlocked(id, writer)) && (await this.isBlocked(id, writer, true))) return true;
    return false;
  }

  /** {@link holdsDmWrite} for the guard's `beforeSync` payload. */
  async holdsHookWrite(hook: { connection: { readOnly: boolean }; context: unknown; documentName: string; payload: Uint8Array }): Promise<boolean> {
    const user = (hook.context as Partial<SyncContext> | undefined)?.user;
    const ref = parseDocName(hook.documentName);
    if (!user || typeof user.id !== 'string' || !ref) return false;
    return this.holdsDmWrite(hook.connection, ref, user.id, hook.payload);
  }

  /** Whether presence (online, typing: `headPresence.ts`) may flow in this DM doc. */
  async dmPresenceOpen(ref: DocRef, userId: UserId): Promise<boolean> {
    const peer = this.dmPeer(ref, userId);
    return !peer || dmOpen(await this.between(userId, peer));
  }

  private dmPeer(ref: DocRef, userId: UserId): UserId | null {
    const room = roomOfDoc(ref);
    if (room?.kind !== 'dm') return null;
    const [a, b] = room.members;
    if (userId === a) return b;
    if (userId === b) return a;
    return null;
  }

  private remember(key: string, blocked: boolean): void {
    this.cache.set(key, blocked);
  }
}

/**
 * The people an update to a group's head adds to it (or creates it with), besides the
 * writer. Only room heads of groups are looked at; the head is small (meta and
 * members), so the update is tried on a copy and the members compared.
 */
export function membersAddedToGroup(head: Y.Doc, ref: DocRef, writer: UserId, update: Uint8Array): UserId[] {
  if (ref.kind !== 'roomHead' || roomOfDoc(ref)?.kind !== 'group') return [];
  // Nothing the head lacks (a device's sync reply on connect, most often) adds nobody: no copy.
  const { to } = Y.parseUpdateMeta(update);
  if ([...to].every(([client, clock]) => clock <= Y.getState(head.store, client))) return [];
  const before = readMembers(head);
  const after = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(after, Y.encodeStateAsUpdate(head));
    Y.applyUpdate(after, update);
    return [...readMembers(after).keys()].filter((id) => id !== writer && !before.has(id));
  } finally {
    after.destroy();
  }
}
