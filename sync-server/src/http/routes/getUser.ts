import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseUserId } from '#schema/ids';
import { parseWith, sendError } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

const params = z.object({ id: z.string().max(64) });

/**
 * `GET /api/users/:id`: a public profile with last seen, less what its owner hides from
 * the asker by blocking or by their privacy settings (`schema/privacy.ts`), and whether
 * the asker may add them to groups.
 */
export function getUserRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/users/:id', { preHandler: requireUser(deps) }, async (request, reply) => {
    const id = parseUserId(parseWith(params, request.params).id);
    const user = id ? await deps.store.getUserById(id) : null;
    if (!user) return sendError(reply, 'not_found');
    const asker = request.auth!.user.id;
    if (user.id === asker) return { user: toPublicUser(user) };
    return { user: toPublicUser(user, await deps.privacy.visibility(asker, user)) };
  });
}
