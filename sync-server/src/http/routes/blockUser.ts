import type { FastifyInstance } from 'fastify';
import { blockParams } from '#schema/api/people';
import { parseUserId } from '#schema/ids';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `PUT /api/blocks/:id`: blocks a user (again is fine): 204. */
export function blockUserRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.put('/api/blocks/:id', { preHandler: requireUser(deps) }, async (request, reply) => {
    const id = parseUserId(parseWith(blockParams, request.params).id);
    const me = request.auth!.user.id;
    if (id === me) return sendError(reply, 'bad_request', 'You cannot block yourself.');
    if (!id || !(await deps.store.getUserById(id))) return sendError(reply, 'not_found');
    await deps.blocks.block(me, id);
    return reply.code(204).send();
  });
}
