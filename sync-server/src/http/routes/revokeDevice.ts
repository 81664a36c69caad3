import type { FastifyInstance } from 'fastify';
import { deviceParams } from '#schema/api/people';
import { publicSessionId } from '../../auth/sessions';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';
import { clearSessionCookie } from '../sessionCookie';

/** `DELETE /api/auth/sessions/:id`: signs one of my sessions out; its live sync connections close at once. */
export function revokeDeviceRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete('/api/auth/sessions/:id', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { id } = parseWith(deviceParams, request.params);
    const { session, user } = request.auth!;
    // Only the user's own sessions are searched, so another account's id is simply not found.
    const target = (await deps.sessions.list(user.id)).find((row) => publicSessionId(row.tokenHash) === id);
    if (!target) return sendError(reply, 'not_found');
    await deps.sessions.revoke(target.tokenHash);
    if (target.tokenHash === session.tokenHash) clearSessionCookie(reply, deps.secureCookies());
    return reply.code(204).send();
  });
}
