import type { FastifyInstance } from 'fastify';
import { userSearchQuery } from '../../../../schema/api/auth';
import { parseWith } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** Most users one search returns. */
const SEARCH_LIMIT = 20;

/** `GET /api/users?q=`: users by username or display-name prefix. */
export function searchUsersRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/users', { preHandler: requireUser(deps) }, async (request) => {
    const { q } = parseWith(userSearchQuery, request.query);
    if (!q) return { users: [] };
    const users = await deps.store.searchUsers(q, SEARCH_LIMIT);
    return { users: users.map(toPublicUser) };
  });
}
