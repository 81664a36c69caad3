import type { FastifyInstance } from 'fastify';
import { inviteParams, type JoinedInvite } from '#schema/api/invites';
import { inviteRateLimit, workingInvite } from '../../invites/inviteAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `POST /api/invites/:token/join`: joins the group a working link leads to, through the
 * path every membership change takes (the server writes the member into the group's
 * head; projections add the "joined" line, the SQL members and the chat lists). Answers
 * once the group's docs open to the new member. Joining again is fine.
 */
export function joinInviteRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/invites/:token/join', { preHandler: requireUser(deps), config: { rateLimit: inviteRateLimit(deps) } }, async (request, reply) => {
    const { token } = parseWith(inviteParams, request.params);
    const found = await workingInvite(deps.store, token);
    if (found === 'unknown') return sendError(reply, 'invite_unknown');
    if (found === 'revoked') return sendError(reply, 'invite_revoked');
    await deps.groups.join(found.room, request.auth!.user.id, found.invite.createdBy);
    const body: JoinedInvite = { roomId: found.room.id };
    return body;
  });
}
