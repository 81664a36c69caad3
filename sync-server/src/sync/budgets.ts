import type { Connection, Document, Extension } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { syncRefusal } from '#schema/api/errors';
import type { Store } from '../store/db/store';
import type { UserId } from '#schema/ids';
import type { SyncContext } from './context';
import type { UserBudgets } from './userBudgets';

/** Hocuspocus message type of an awareness update (`MessageType.Awareness`). */
const AWARENESS = 1;
/** How often users with nothing open are forgotten. */
const SWEEP_EVERY_MS = 60_000;
/** A removed awareness state travels as this JSON. */
const NULL_STATE = new TextEncoder().encode('null');

/**
 * One awareness entry as a client sent it: the state's JSON is only measured, never
 * parsed here (Hocuspocus parses it next).
 */
interface AwarenessEntry {
  clientId: number;
  removed: boolean;
  stateBytes: number;
}

/**
 * The entries of an awareness frame (y-protocols' encoding: count, then per client its
 * id, clock and state JSON), or null when it is not one or cannot be read.
 */
function awarenessEntries(frame: Uint8Array): AwarenessEntry[] | null {
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== AWARENESS) return null;
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    const count = decoding.readVarUint(update);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(update);
      decoding.readVarUint(update); // clock
      const state = decoding.readVarUint8Array(update);
      entries.push({ clientId, removed: state.length === NULL_STATE.length && state.every((b, j) => b === NULL_STATE[j]), stateBytes: state.length });
    }
    return entries;
  } catch {
    return null;
  }
}

function messageType(frame: Uint8Array): number | null {
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder);
  } catch {
    return null;
  }
}

/**
 * When each frame came off a socket. Hocuspocus handles a doc connection's messages one
 * at a time, each after the last one's writes: a flood waits in its queue, and counted
 * when handled it would refill its own budget at the pace of the disk. Counted by
 * arrival, it is refused however busy the server is.
 */
const arrivals = new WeakMap<Uint8Array, number>();

/** Notes that `frame` arrived now (the socket layer calls this before handing it on). */
export function noteArrival(frame: Uint8Array): void {
  arrivals.set(frame, performance.now());
}

function userOf(context: unknown): SyncContext['user'] | null {
  const user = (context as Partial<SyncContext> | undefined)?.user;
  return user && typeof user.id === 'string' ? user : null;
}

/**
 * Design §5b: budgets are per user, not per connection. Every message of a user's doc
 * connections, over all their sockets and tabs on this node, counts against one set of
 * token buckets ({@link UserBudgets}): messages, bytes and awareness updates per second.
 * A message over any of them closes the doc connection that sent it as `rate_limited`,
 * which the client retries after a jittered pause. Doc slots (docs open at once) are
 * taken in `onAuthenticate` by the auth extension, which alone knows the user then, and
 * given back here when the connection closes.
 *
 * Awareness: a doc connection speaks for one awareness client id, bound on the first
 * state it sends (the provider's awareness id is its doc's client id). It may not bind
 * an id another user's connection or state holds on this doc, or one claimed in the
 * store by another user; states for any other id, and states over
 * `awarenessStateMaxBytes`, are dropped before anyone sees them. The states kept get
 * `user` rewritten to the authenticated user, so nobody appears as someone else.
 */
export function budgetsExtension(deps: { budgets: UserBudgets; store: Store; awarenessStateMaxBytes: number }): Extension {
  const { budgets } = deps;
  /** The awareness client id each doc connection speaks for, once bound. */
  const awarenessIds = new WeakMap<Connection, number>();
  /** The client ids whose states the message being handled may set, per connection (decided in beforeHandleMessage). */
  const allowedStates = new WeakMap<Connection, Set<number>>();
  const sweep = setInterval(() => budgets.sweep(), SWEEP_EVERY_MS);
  sweep.unref();

  /** Whether another user holds `clientId` on `document`: a live connection bound to it, or a state naming them. */
  function heldByOther(document: Document, clientId: number, userId: UserId): boolean {
    for (const other of document.getConnections()) {
      if (userOf(other.context)?.id === userId) continue;
      if (awarenessIds.get(other) === clientId || document.getClients(other).has(clientId)) return true;
    }
    // States relayed from other nodes (Redis) have no connection here, but carry their rewritten user.
    const state = document.awareness.getStates().get(clientId) as { user?: { id?: unknown } } | undefined;
    const holder = state?.user?.id;
    return typeof holder === 'string' && holder !== userId;
  }

  async function mayBind(document: Document, clientId: number, userId: UserId): Promise<boolean> {
    if (heldByOther(document, clientId, userId)) return false;
    // A store that cannot answer is no proof the id is free: the state waits for the next renewal.
    const owners = await deps.store.getClientIdOwners([clientId]).catch(() => undefined);
    if (!owners) return false;
    const owner = owners.get(clientId);
    return owner === undefined || owner === userId;
  }

  /**
   * Which of the frame's awareness states this connection may set: at most one, its
   * own. The first state it ever sends binds its id; a frame gets one try at binding,
   * so a frame full of ids costs one look-up.
   */
  async function allowedAwareness(connection: Connection, userId: UserId, entries: AwarenessEntry[]): Promise<Set<number>> {
    // Removals of other clients are what an honest provider sends when their states time
    // out (Hocuspocus drops them anyway); oversized states never go further.
    const states = entries.filter((e) => !e.removed && e.stateBytes <= deps.awarenessStateMaxBytes);
    const bound = awarenessIds.get(connection);
    if (bound !== undefined) return new Set(states.some((e) => e.clientId === bound) ? [bound] : []);
    const first = states[0];
    if (!first || !(await mayBind(connection.document, first.clientId, userId))) return new Set();
    // Checked again after the await: another connection may have bound it meanwhile.
    if (awarenessIds.has(connection) || heldByOther(connection.document, first.clientId, userId)) return new Set();
    awarenessIds.set(connection, first.clientId);
    return new Set([first.clientId]);
  }

  return {
    extensionName: 'budgets',
    // After auth (300), before the guard (200): a flood is refused before anything decodes it.
    priority: 250,

    async onDestroy() {
      clearInterval(sweep);
    },

    async connected({ context }) {
      const slot = (context as Partial<SyncContext> | undefined)?.docSlot;
      if (slot) slot.live = true;
    },

    async onDisconnect({ context }) {
      const slot = (context as Partial<SyncContext> | undefined)?.docSlot;
      if (slot) budgets.closeDoc(slot);
    },

    async beforeHandleMessage({ connection, context, update }) {
      const user = userOf(context);
      if (!user) throw syncRefusal('unauthorized');
      const awareness = messageType(update) === AWARENESS;
      if (budgets.takeMessage(user.id, update.byteLength, awareness, arrivals.get(update)) !== null) throw syncRefusal('rate_limited');
      if (!awareness) return;
      const entries = awarenessEntries(update);
      allowedStates.set(connection, entries && !connection.readOnly ? await allowedAwareness(connection, user.id, entries) : new Set());
    },

    async beforeHandleAwareness({ states, connection, context }) {
      // Server-side and Redis-relayed awareness has no connection and was checked where it came in.
      if (!connection) return;
      const user = userOf(context ?? connection.context);
      const allowed = allowedStates.get(connection);
      allowedStates.delete(connection);
      if (!user || !allowed) {
        states.clear();
        return;
      }
      // What is left besides the allowed states is either someone else's id, an oversized
      // state, or the empty state Hocuspocus' scratch awareness holds for itself.
      for (const [clientId, state] of states) {
        if (allowed.has(clientId)) state.user = { id: user.id, name: user.displayName };
        else states.delete(clientId);
      }
    },
  };
}
