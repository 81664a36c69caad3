import type { Store } from '../store/db/store';
import type { UserId } from '#schema/ids';
import type { SyncContext } from './context';
import type { ChainedExtension } from './extensionChain';

/** "Last seen" is written at most this often per user while they stay connected. */
const LAST_SEEN_EVERY_MS = 60_000;
/** Disconnects of one user within this window make one "last seen" write. */
const DISCONNECT_COALESCE_MS = 500;

/**
 * Keeps each user's "last seen" (design §3: the server keeps it; "online" is worked
 * out from connections, `headPresence.ts`). Written when a connection opens, at most
 * once a minute while the user's signals (typing, receipt reports) flow, and when their connections
 * close. That is enough: clients read it only while the person is offline.
 */
export function presenceExtension(deps: { store: Store; log: (error: unknown, what: string) => void }): ChainedExtension {
  const lastWrite = new Map<UserId, number>();
  const closing = new Map<UserId, NodeJS.Timeout>();

  const seen = (userId: UserId, force: boolean) => {
    const now = Date.now();
    if (!force && now - (lastWrite.get(userId) ?? 0) < LAST_SEEN_EVERY_MS) return;
    lastWrite.set(userId, now);
    deps.store.setLastSeen(userId, now).catch((error) => deps.log(error, 'last seen'));
  };

  return {
    extensionName: 'presence',
    async connected({ context }) {
      const user = (context as SyncContext | undefined)?.user;
      if (user) seen(user.id, false);
    },
    onStateless({ connection }) {
      const user = (connection?.context as SyncContext | undefined)?.user;
      if (user) seen(user.id, false);
    },
    async onDisconnect({ context }) {
      const user = (context as SyncContext | undefined)?.user;
      if (!user || closing.has(user.id)) return;
      // A tab closing drops all its doc connections at once: write "last seen" once for them.
      closing.set(
        user.id,
        setTimeout(() => {
          closing.delete(user.id);
          seen(user.id, true);
        }, DISCONNECT_COALESCE_MS).unref(),
      );
    },
    async onDestroy() {
      for (const timer of closing.values()) clearTimeout(timer);
    },
  };
}
