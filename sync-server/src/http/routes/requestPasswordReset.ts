import type { FastifyInstance } from 'fastify';
import { passwordResetBody } from '#schema/api/auth';
import { generateToken, hashToken } from '../../auth/sessions';
import { parseWith } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import type { HttpDeps } from '../deps';

/**
 * `POST /api/auth/password-reset`: always 202, so the answer never tells whether an
 * account has that email. The mail goes out after the answer, so timing does not tell either.
 */
export function requestPasswordResetRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/api/auth/password-reset', { config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const { email } = parseWith(passwordResetBody, request.body);
    reply.code(202).send();
    try {
      const user = await deps.store.getUserByEmail(email);
      if (!user) return;
      const token = generateToken();
      await deps.store.createResetToken({ tokenHash: hashToken(token), userId: user.id, expiresAt: Date.now() + deps.config.resetTokenTtlMs });
      const link = `${deps.publicUrl()}/reset?token=${token}`;
      const minutes = Math.round(deps.config.resetTokenTtlMs / 60_000);
      await deps.mailer.send({
        to: email,
        subject: 'Reset your Jeco password',
        text: `Hello ${user.displayName},\n\nSomeone (hopefully you) asked to reset the password of the Jeco account "${user.username}".\nOpen this link within ${minutes} minutes to choose a new one:\n\n${link}\n\nIf it was not you, ignore this mail; your password stays as it is.\n`,
      });
    } catch (error) {
      request.log.error({ err: error }, 'password reset mail failed');
    }
    return reply;
  });
}
