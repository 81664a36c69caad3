import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './apiError';
import type { HttpDeps } from './deps';
import { requestToken } from './sessionCookie';

/** A pre-handler that answers 401 unless the request carries a valid session, and sets `request.auth`. */
export function requireUser(deps: HttpDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = requestToken(request);
    const auth = token ? await deps.sessions.validate(token) : null;
    if (!auth) return sendError(reply, 'unauthorized');
    request.auth = auth;
  };
}
