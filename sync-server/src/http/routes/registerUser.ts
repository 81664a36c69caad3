import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { registerBody } from '#schema/api/auth';
import { newUserId } from '#schema/ids';
import { hashPassword } from '../../auth/passwords';
import { parseWith, sendError } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { setSessionCookie } from '../sessionCookie';
import { authRateLimit } from '../authRateLimit';

/**
 * `POST /api/auth/register`: creates the user and signs them in.
 *
 * The answer never tells whether an email address has an account (the password reset
 * does not either): when the address is taken, the account is created without it and
 * the address's owner is mailed a notice, after the answer. A taken username still
 * says so, since usernames are public through user search.
 */
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
    let created = await deps.store.createUser(user);
    // A deleted account's username is free again once its grace period is over.
    if ('conflict' in created && created.conflict === 'username' && (await deps.store.releaseUsername(user.username, Date.now() - deps.config.usernameGraceMs))) {
      created = await deps.store.createUser(user);
    }
    const emailTaken = 'conflict' in created && created.conflict === 'email';
    if (emailTaken) created = await deps.store.createUser({ ...user, email: null });
    if ('conflict' in created) return sendError(reply, 'username_taken');
    const { token, session } = await deps.sessions.create(user.id, request.headers['user-agent']);
    setSessionCookie(reply, token, session, deps.secureCookies());
    reply.code(201).send({ user: { ...toPublicUser({ ...user, lastSeenAt: null, about: null }), pushPreview: true }, token });
    if (emailTaken) await mailTakenNotice(deps, body.email!, body.username, request.log);
    return reply;
  });
}

/** Tells an address's owner that someone signed up with it; failures are logged, never answered. */
async function mailTakenNotice(deps: HttpDeps, email: string, triedUsername: string, log: FastifyBaseLogger): Promise<void> {
  try {
    const owner = await deps.store.getUserByEmail(email);
    if (!owner) return;
    await deps.mailer.send({
      to: email,
      subject: 'Someone tried to sign up to Jeco with your address',
      text:
        `Hello ${owner.displayName},\n\nSomeone just signed up to Jeco as "${triedUsername}" giving this email address, which already belongs to your account "${owner.username}".\n` +
        `That new account was created without it: your address stays with your account only.\n\n` +
        `If it was you and you cannot sign in, reset your password at ${deps.publicUrl()}/reset.\nOtherwise there is nothing to do.\n`,
    });
  } catch (error) {
    log.error({ err: error }, 'sign-up notice mail failed');
  }
}
