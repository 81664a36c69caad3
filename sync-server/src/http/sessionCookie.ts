import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, SIGNED_OUT_COOKIE } from '#schema/api/auth';
import type { SessionRow } from '../store/db/store';
import type { HttpDeps } from './deps';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (no cross-site
 * POST carries it), Secure when Jeco is served over https. It lives until the
 * session's absolute expiry; the server enforces the idle expiry itself.
 */
export function setSessionCookie(reply: FastifyReply, token: string, session: SessionRow, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: new Date(session.absoluteExpiresAt),
  });
  // Signing in on a device ends the sign-out it remembered.
  reply.clearCookie(SIGNED_OUT_COOKIE, { sameSite: 'lax', secure, path: '/' });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  reply.clearCookie(SIGNED_OUT_COOKIE, { sameSite: 'lax', secure, path: '/' });
}

/**
 * An `onRequest` hook for a browser that signed out while the server could not hear it
 * (see {@link SIGNED_OUT_COOKIE}): the first request carrying the flag and the session
 * cookie revokes that session and clears both, and the request goes on as signed out.
 * A session named by a Bearer token is not the browser's cookie and is left alone.
 */
export function endSignedOutSession(deps: HttpDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.cookies[SIGNED_OUT_COOKIE] === undefined) return;
    const token = request.cookies[SESSION_COOKIE];
    delete request.cookies[SESSION_COOKIE];
    if (token) {
      const auth = await deps.sessions.validate(token);
      if (auth) await deps.sessions.revoke(auth.session.tokenHash);
    }
    clearSessionCookie(reply, deps.secureCookies());
  };
}

/** The token a request carries: `Authorization: Bearer <token>` (scripts, tests) or the session cookie (browsers). */
export function requestToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || null;
  return request.cookies[SESSION_COOKIE] ?? null;
}
