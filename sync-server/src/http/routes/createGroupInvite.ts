import type { FastifyInstance } from 'fastify';
import { groupInviteParams, type CreatedInvite } from '#schema/api/invites';
import { generateToken, hashToken } from '../../auth/sessions';
import { groupManagedBy } from '../../invites/inviteAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `POST /api/groups/:roomId/invite`: a group admin makes a new invite link (the one
 * before stops working). The token is answered once; the store keeps its hash only.
 */
export function createGroupInviteRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/groups/:roomId/invite', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { roomId } = parseWith(groupInviteParams, request.params);
    const me = request.auth!.user.id;
    const room = await groupManagedBy(deps.store, roomId, me);
    if (!room) return sendError(reply, 'forbidden', 'Only group admins can make an invite link.');
    const token = generateToken();
    const createdAt = Date.now();
    await deps.store.createInvite({ tokenHash: hashToken(token), roomId: room.id, createdBy: me, createdAt, revokedAt: null });
    const body: CreatedInvite = { token, createdAt };
    return reply.code(201).send(body);
  });
}
