import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { changeEmailBody } from '#schema/api/people';
import type { UserRow } from '../../store/db/store';
import { verifyPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { authRateLimit } from '../authRateLimit';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `PUT /api/me/email` `{email, password}`: gives the account a new e-mail address (the
 * one password resets go to). The password is asked again; rate limited like sign-in.
 *
 * Like sign-up, the answer never tells whether the address belongs to another account:
 * it is 202 either way, with no body. A free address becomes the account's, and both
 * the new and the old address are told; a taken one changes nothing and its owner is
 * told someone tried it. Nothing reads the address back (`/api/auth/me` and the export
 * leave it out), so only whoever reads that mailbox learns which happened.
 */
export function changeEmailRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.put('/api/me/email', { preHandler: requireUser(deps), config: { rateLimit: authRateLimit(deps) } }, async (request, reply) => {
    const body = parseWith(changeEmailBody, request.body);
    const { user } = request.auth!;
    if (!(await verifyPassword(user.passwordHash, body.password))) return sendError(reply, 'bad_credentials', 'The password is wrong.');
    const result = user.email === body.email ? 'same' : await deps.store.setEmail(user.id, body.email);
    reply.code(202).send();
    if (result !== 'same') await mailAboutChange(deps, user, body.email, result, request.log);
    return reply;
  });
}

/** The mails a change sends; failures are logged, never answered. */
async function mailAboutChange(deps: HttpDeps, user: UserRow, email: string, result: 'ok' | 'taken', log: FastifyBaseLogger): Promise<void> {
  try {
    if (result === 'taken') {
      const owner = await deps.store.getUserByEmail(email);
      if (!owner) return;
      await deps.mailer.send({
        to: email,
        subject: 'Someone tried to use your address on Jeco',
        text:
          `Hello ${owner.displayName},\n\nThe Jeco account "${user.username}" just asked to use this e-mail address, which already belongs to your account "${owner.username}".\n` +
          `Nothing changed: your address stays with your account only.\n\nIf it was you, sign in to your other account and change its address first.\n`,
      });
      return;
    }
    await deps.mailer.send({
      to: email,
      subject: 'This is now your Jeco address',
      text: `Hello ${user.displayName},\n\nThis address now belongs to your Jeco account "${user.username}": password resets come here.\n`,
    });
    if (user.email) {
      await deps.mailer.send({
        to: user.email,
        subject: 'Your Jeco address was changed',
        text: `Hello ${user.displayName},\n\nThe e-mail address of your Jeco account "${user.username}" was just changed to ${email}.\nIf that was not you, reset your password at ${deps.publicUrl()}/reset straight away.\n`,
      });
    }
  } catch (error) {
    log.error({ err: error }, 'e-mail change mail failed');
  }
}
