import type { FastifyInstance } from 'fastify';
import { changePasswordBody } from '#schema/api/people';
import { hashPassword, verifyPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `POST /api/auth/password`: the current password is asked again, so an unlocked
 * device left behind cannot take the account; every other session is signed out, as a
 * changed password usually means someone else may know the old one. Rate limited like
 * login, since it checks a password.
 */
export function changePasswordRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/password', { preHandler: requireUser(deps), config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(changePasswordBody, request.body);
    const { session, user } = request.auth!;
    if (!(await verifyPassword(user.passwordHash, body.currentPassword))) return sendError(reply, 'bad_credentials', 'The current password is wrong.');
    await deps.store.setPasswordHash(user.id, await hashPassword(body.newPassword));
    const revoked = await deps.sessions.revokeOthers(user.id, session.tokenHash);
    return { revoked };
  });
}
