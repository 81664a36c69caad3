import type { FastifyInstance } from 'fastify';
import { passwordResetConfirmBody } from '#schema/api/auth';
import { hashPassword } from '../../auth/passwords';
import { hashToken } from '../../auth/sessions';
import { parseWith, sendError } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import type { HttpDeps } from '../deps';

/** `POST /api/auth/password-reset/confirm`: single-use token; every session of the user is revoked. */
export function confirmPasswordResetRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/password-reset/confirm', { config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(passwordResetConfirmBody, request.body);
    const userId = await deps.store.consumeResetToken(hashToken(body.token), Date.now());
    if (!userId) return sendError(reply, 'invalid_token');
    await deps.store.setPasswordHash(userId, await hashPassword(body.password));
    await deps.sessions.revokeAll(userId);
    return reply.code(204).send();
  });
}
