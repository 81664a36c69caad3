import type { FastifyRequest } from 'fastify';
import { can } from '#schema/access';
import type { InviteRow, Store } from '../store/db/store';
import { parseRoomId, type RoomRef, type UserId } from '#schema/ids';
import { hashToken } from '../auth/sessions';
import type { HttpDeps } from '../http/deps';
import { requestToken } from '../http/sessionCookie';

/**
 * The group `roomId` names, when `userId` may manage its invite link (an admin or owner:
 * the `addMember` capability, as adding people by hand); null otherwise, an unknown
 * group alike, so a non-member learns nothing of it.
 */
export async function groupManagedBy(store: Store, roomId: string, userId: UserId): Promise<RoomRef | null> {
  const room = parseRoomId(roomId);
  if (room?.kind !== 'group') return null;
  return can((await store.getMemberRole(room.id, userId)) ?? undefined, 'addMember') ? room : null;
}

/**
 * The link a token opens, when it works: known, not revoked, and its maker still able to
 * add people (a link dies with its maker's admin role). Otherwise why not.
 */
export async function workingInvite(store: Store, token: string): Promise<{ invite: InviteRow; room: RoomRef } | 'unknown' | 'revoked'> {
  const invite = await store.getInvite(hashToken(token));
  const room = invite ? parseRoomId(invite.roomId) : null;
  if (!invite || room?.kind !== 'group') return 'unknown';
  if (invite.revokedAt !== null) return 'revoked';
  if (!can((await store.getMemberRole(room.id, invite.createdBy)) ?? undefined, 'addMember')) return 'revoked';
  return { invite, room };
}

/**
 * Opening and joining links is limited per person (`JECO_INVITE_RATE_PER_MIN`), so a
 * signed-in account cannot guess tokens at speed (they are 160 random bits anyway);
 * requests without a valid session count against their address.
 */
export function inviteRateLimit(deps: HttpDeps) {
  return {
    max: deps.config.inviteRatePerMin,
    timeWindow: 60_000,
    keyGenerator: async (request: FastifyRequest) => {
      const token = requestToken(request);
      const auth = token ? await deps.sessions.validate(token) : null;
      return auth ? `user:${auth.user.id}` : `ip:${request.ip}`;
    },
  };
}
