import { createEffect, onCleanup } from 'solid-js';
import type { UserId } from '#schema/ids';
import { refreshUser } from '../users/userDirectory';

/** How often a DM's "last seen" is asked for again while the peer is away. */
const LAST_SEEN_REFRESH_MS = 60_000;
/** A little longer than the server takes to write "last seen" after a disconnect. */
const LAST_SEEN_SETTLE_MS = 2_000;

/**
 * Keeps a DM peer's "last seen" (the server's, in the user directory) fresh: asked again
 * whenever the peer goes away, and each minute while away.
 */
export function useLastSeen(peer: UserId, peerOnline: () => boolean): void {
  createEffect(() => {
    if (peerOnline()) return;
    refreshUser(peer);
    // The server writes "last seen" just after the peer's connections close: ask once more then.
    const soon = setTimeout(() => refreshUser(peer), LAST_SEEN_SETTLE_MS);
    const timer = setInterval(() => refreshUser(peer), LAST_SEEN_REFRESH_MS);
    onCleanup(() => {
      clearTimeout(soon);
      clearInterval(timer);
    });
  });
}
