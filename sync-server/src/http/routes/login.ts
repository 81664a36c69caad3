import type { FastifyInstance } from 'fastify';
import { loginBody } from '#schema/api/auth';
import { verifyPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import { toPublicUser, type HttpDeps } from '../deps';
import { setSessionCookie } from '../sessionCookie';

/** `POST /api/auth/login`: the same answer and the same time for an unknown user as for a wrong password. */
export function loginRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/login', { config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(loginBody, request.body);
    const user = await deps.store.getUserByUsername(body.username);
    // A deleted account answers like an unknown username, in the same time.
    const live = user && user.deletedAt === null ? user : null;
    const ok = await verifyPassword(live?.passwordHash ?? null, body.password);
    if (!live || !ok) return sendError(reply, 'bad_credentials');
    const { token, session } = await deps.sessions.create(live.id, request.headers['user-agent']);
    setSessionCookie(reply, token, session, deps.secureCookies());
    return reply.send({ user: toPublicUser(live), token });
  });
}
