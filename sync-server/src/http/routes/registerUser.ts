import type { FastifyInstance } from 'fastify';
import { registerBody } from '../../../../schema/api/auth';
import { newUserId } from '../../../../schema/ids';
import { hashPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { setSessionCookie } from '../sessionCookie';
import { authRateLimit } from '../authRateLimit';

/** `POST /api/auth/register`: creates the user and signs them in. */
export function registerUserRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/register', { config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(registerBody, request.body);
    const user = {
      id: newUserId(),
      username: body.username,
      displayName: body.displayName ?? body.username,
      email: body.email ?? null,
      passwordHash: await hashPassword(body.password),
      createdAt: Date.now(),
    };
    const created = await deps.store.createUser(user);
    if ('conflict' in created) return sendError(reply, created.conflict === 'username' ? 'username_taken' : 'email_taken');
    const { token, session } = await deps.sessions.create(user.id);
    setSessionCookie(reply, token, session, deps.secureCookies());
    return reply.code(201).send({ user: toPublicUser({ ...user, lastSeenAt: null }), token });
  });
}
