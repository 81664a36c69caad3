import type { FastifyInstance } from 'fastify';
import { inviteParams, type InvitePreview } from '#schema/api/invites';
import { inviteRateLimit, workingInvite } from '../../invites/inviteAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `GET /api/invites/:token`: what the link leads to — the group's name and member count,
 * and whether one is in it already — for a signed-in person holding a working link.
 */
export function getInviteRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/invites/:token', { preHandler: requireUser(deps), config: { rateLimit: inviteRateLimit(deps) } }, async (request, reply) => {
    const { token } = parseWith(inviteParams, request.params);
    const found = await workingInvite(deps.store, token);
    if (found === 'unknown') return sendError(reply, 'invite_unknown');
    if (found === 'revoked') return sendError(reply, 'invite_revoked');
    const members = await deps.store.getRoomMembers(found.room.id);
    const body: InvitePreview = {
      roomId: found.room.id,
      name: await deps.groups.nameOf(found.room),
      memberCount: members.length,
      member: members.some((m) => m.userId === request.auth!.user.id),
    };
    return body;
  });
}
