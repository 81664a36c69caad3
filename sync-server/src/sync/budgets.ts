import * as decoding from 'lib0/decoding';
import { syncRefusal } from '#schema/api/errors';
import type { SyncContext } from './context';
import type { UserBudgets } from './userBudgets';
import type { ChainedExtension } from './extensionChain';

/** Hocuspocus message type of an awareness update (`MessageType.Awareness`). */
const AWARENESS = 1;
/** How often users with nothing open are forgotten. */
const SWEEP_EVERY_MS = 60_000;

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
 * Awareness: the app states nothing in it (typing is a stateless signal, online is the
 * server's, both in `headPresence.ts`), so every state a client sends is dropped before
 * anyone sees it: nobody can appear in it, as themselves or as someone else. Its own
 * budget stays, as a client that sends it still costs a decode per message.
 */
export function budgetsExtension(deps: { budgets: UserBudgets }): ChainedExtension {
  const { budgets } = deps;
  const sweep = setInterval(() => budgets.sweep(), SWEEP_EVERY_MS);
  sweep.unref();

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

    beforeHandleMessage({ context, update }) {
      const user = userOf(context);
      if (!user) throw syncRefusal('unauthorized');
      const awareness = messageType(update) === AWARENESS;
      if (budgets.takeMessage(user.id, update.byteLength, awareness, arrivals.get(update)) !== null) throw syncRefusal('rate_limited');
    },

    beforeHandleAwareness({ states, connection }) {
      // Server-side and Redis-relayed awareness has no connection; the server sets none.
      if (connection) states.clear();
    },
  };
}
