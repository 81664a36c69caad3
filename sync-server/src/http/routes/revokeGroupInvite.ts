import type { FastifyInstance } from 'fastify';
import { groupInviteParams } from '#schema/api/invites';
import { groupManagedBy } from '../../invites/inviteAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `DELETE /api/groups/:roomId/invite`: a group admin turns the invite link off (none working is fine): 204. */
export function revokeGroupInviteRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/groups/:roomId/invite', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { roomId } = parseWith(groupInviteParams, request.params);
    const room = await groupManagedBy(deps.store, roomId, request.auth!.user.id);
    if (!room) return sendError(reply, 'forbidden', 'Only group admins can turn off the invite link.');
    await deps.store.revokeInvites(room.id, Date.now());
    return reply.code(204).send();
  });
}
