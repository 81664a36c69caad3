import type { FastifyInstance } from 'fastify';
import { profileBody } from '#schema/api/people';
import { parseWith, sendError } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `PATCH /api/me` `{displayName?, about?, pushPreview?}`: changes my profile and answers it. */
export function updateProfileRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.patch('/api/me', { preHandler: requireUser(deps) }, async (request, reply) => {
    const body = parseWith(profileBody, request.body);
    const id = request.auth!.user.id;
    await deps.store.setProfile(id, body);
    const user = await deps.store.getUserById(id);
    if (!user) return sendError(reply, 'unauthorized');
    return { user: { ...toPublicUser(user), pushPreview: user.pushPreview } };
  });
}
