import type { FastifyInstance } from 'fastify';
import { blockParams } from '#schema/api/people';
import { parseUserId } from '#schema/ids';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `DELETE /api/blocks/:id`: unblocks a user (not blocked is fine): 204. */
export function unblockUserRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/blocks/:id', { preHandler: requireUser(deps) }, async (request, reply) => {
    const id = parseUserId(parseWith(blockParams, request.params).id);
    if (!id) return sendError(reply, 'not_found');
    await deps.blocks.unblock(request.auth!.user.id, id);
    return reply.code(204).send();
  });
}
