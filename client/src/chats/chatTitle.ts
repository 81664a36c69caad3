import type { ChatEntry } from '#schema/docs/inbox';
import { displayNameOf } from '../users/userDirectory';

/** The chat's title: the group name, or the DM peer's current name when known. */
export function chatTitle(entry: ChatEntry): string {
  return entry.peerId ? displayNameOf(entry.peerId, entry.title) : entry.title;
}
