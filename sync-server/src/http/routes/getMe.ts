import type { FastifyInstance } from 'fastify';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `GET /api/auth/me`: the signed-in user. Not the account's email: someone who signed
 * up with an address that was taken would see it missing and learn it has an account.
 */
export function getMeRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/auth/me', { preHandler: requireUser(deps) }, async (request) => ({ user: { ...toPublicUser(request.auth!.user), pushPreview: request.auth!.user.pushPreview } }));
}
