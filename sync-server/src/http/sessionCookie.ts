import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../../../schema/api/auth';
import type { SessionRow } from '../../../schema/db/store';

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
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/** The token a request carries: `Authorization: Bearer <token>` (scripts, tests) or the session cookie (browsers). */
export function requestToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || null;
  return request.cookies[SESSION_COOKIE] ?? null;
}
