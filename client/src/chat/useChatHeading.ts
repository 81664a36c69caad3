import type { UserId } from '#schema/ids';
import { formatMoment } from '../time/formatTime';
import { displayNameOf, userById } from '../users/userDirectory';
import type { OpenChat } from './useFormerNotice';
import { useLastSeen } from './useLastSeen';

interface HeadingOptions extends OpenChat {
  /** Whether a user has Jeco open on a chat this device watches (the chat list's heads). */
  isOnline: (userId: UserId) => boolean;
  /** Why one is no longer in the group, if so: then "You" is not among its members. */
  formerNotice: () => string | null;
}

/**
 * What the chat header says: the chat's title, and under it a DM peer's presence
 * ("online", "last seen …") or a group's members. A DM's peer is the other member.
 */
export function useChatHeading({ replicas, room, head, me, meta, members, entry, isOnline, formerNotice }: HeadingOptions): { peer: UserId | undefined; title: () => string; subtitle: () => string } {
  const peer = room.kind === 'dm' ? room.members.find((id) => id !== me) : undefined;
  const title = () => (peer ? displayNameOf(peer, entry()?.title ?? '…') : (meta()?.name ?? entry()?.title ?? 'Group'));
  const peerOnline = () => !!peer && (head.present().has(peer) || isOnline(peer));
  if (peer) useLastSeen(peer, peerOnline);
  const subtitle = () => {
    if (peer) {
      // Offline, whether the peer is there is unknown, and a "last seen" would be stale.
      if (replicas.status() === 'offline') return 'waiting for network';
      if (peerOnline()) return 'online';
      const profile = userById(peer);
      if (profile?.lastSeenAt) return `last seen ${formatMoment(profile.lastSeenAt)}`;
      return profile ? `@${profile.username}` : '';
    }
    // Oneself last, as "You", the way chat apps list members.
    const others = [...members().keys()].filter((id) => id !== me).map((id) => displayNameOf(id));
    return [...others.sort((a, b) => a.localeCompare(b)), ...(members().has(me) && !formerNotice() ? ['You'] : [])].join(', ');
  };
  return { peer, title, subtitle };
}
