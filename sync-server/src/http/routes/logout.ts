import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';
import { clearSessionCookie } from '../sessionCookie';

/** `POST /api/auth/logout`: revokes this session (its live sync connections close too). */
export function logoutRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/logout', { preHandler: requireUser(deps) }, async (request, reply) => {
    await deps.sessions.revoke(request.auth!.session.tokenHash);
    clearSessionCookie(reply, deps.secureCookies());
    return reply.code(204).send();
  });
}
