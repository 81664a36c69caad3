import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `DELETE /api/auth/sessions`: signs out every session but this one: `{revoked}` says how many. */
export function revokeOtherDevicesRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/auth/sessions', { preHandler: requireUser(deps) }, async (request) => {
    const { session, user } = request.auth!;
    return { revoked: await deps.sessions.revokeOthers(user.id, session.tokenHash) };
  });
}
