import type { FastifyInstance } from 'fastify';
import { groupInviteParams, type GroupInviteState } from '#schema/api/invites';
import { groupManagedBy } from '../../invites/inviteAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `GET /api/groups/:roomId/invite`: for a group admin, whether a link works now (the token itself is not kept). */
export function getGroupInviteRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/groups/:roomId/invite', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { roomId } = parseWith(groupInviteParams, request.params);
    const room = await groupManagedBy(deps.store, roomId, request.auth!.user.id);
    if (!room) return sendError(reply, 'forbidden');
    const invite = await deps.store.getActiveInvite(room.id);
    const body: GroupInviteState = { active: invite !== null, createdAt: invite?.createdAt ?? null, createdBy: invite?.createdBy ?? null };
    return body;
  });
}
