import type { FastifyInstance } from 'fastify';
import { DELETED_ACCOUNT_NAME, deleteAccountBody } from '#schema/api/people';
import { verifyPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import type { HttpDeps } from '../deps';
import { clearSessionCookie } from '../sessionCookie';
import { requireUser } from '../requireUser';

/**
 * `DELETE /api/me` `{password}`: deletes the account of the session's user. The
 * password is asked again, so an unlocked device left behind cannot delete it; rate
 * limited like sign-in, since it checks a password. Every session goes (live sync
 * connections close at once), with the push subscriptions; the profile becomes
 * "Deleted account" for everyone, while messages already sent stay in the others'
 * chats under that name. The username stays taken for `JECO_USERNAME_GRACE_MS`.
 */
export function deleteAccountRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/me', { preHandler: requireUser(deps), config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(deleteAccountBody, request.body);
    const { user } = request.auth!;
    if (!(await verifyPassword(user.passwordHash, body.password))) return sendError(reply, 'bad_credentials', 'The password is wrong.');
    await deps.store.deleteAccount(user.id, Date.now(), DELETED_ACCOUNT_NAME);
    // The rows are gone already; this closes the live connections of every session.
    await deps.sessions.revokeAll(user.id);
    request.log.info({ userId: user.id }, 'account deleted');
    clearSessionCookie(reply, deps.secureCookies());
    return reply.code(204).send();
  });
}
