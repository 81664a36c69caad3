import type { FastifyInstance } from 'fastify';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `GET /api/auth/me`: the signed-in user. */
export function getMeRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/auth/me', { preHandler: requireUser(deps) }, async (request) => {
    const user = request.auth!.user;
    return { user: { ...toPublicUser(user), email: user.email } };
  });
}
