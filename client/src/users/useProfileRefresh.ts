import { onCleanup } from 'solid-js';
import { refreshUser } from './userDirectory';

/** How often the profiles on screen are asked for again, so a renamed peer shows the new name without a reload. */
const REFRESH_MS = 30_000;
/** At most this many profiles per round: the most recent chats' people come first in `ids`. */
const MAX_PER_ROUND = 40;

/**
 * Keeps the profiles of the people in `ids()` (DM peers of the chat list, contacts,
 * the members of an open group's info)
 * fresh: every half minute while the page is visible, and when it becomes visible.
 * Polling, bounded per round, rather than a server push: profiles change rarely, and
 * the chat index titles the server writes are another engineer's projections.
 */
export function useProfileRefresh(ids: () => readonly string[]): void {
  const round = () => {
    if (document.visibilityState !== 'visible') return;
    for (const id of new Set(ids().slice(0, MAX_PER_ROUND))) refreshUser(id);
  };
  const timer = setInterval(round, REFRESH_MS);
  document.addEventListener('visibilitychange', round);
  onCleanup(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', round);
  });
}
