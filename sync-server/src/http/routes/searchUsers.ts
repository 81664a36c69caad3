import type { FastifyInstance } from 'fastify';
import { userSearchQuery } from '#schema/api/auth';
import { parseWith } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** Most users one search returns. */
const SEARCH_LIMIT = 20;

/** `GET /api/users?q=`: users by username or display-name prefix, but not those who blocked the asker. */
export function searchUsersRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/users', { preHandler: requireUser(deps) }, async (request) => {
    const { q } = parseWith(userSearchQuery, request.query);
    if (!q) return { users: [] };
    const asker = request.auth!.user.id;
    const found = await deps.store.searchUsers(q, SEARCH_LIMIT);
    // People who blocked the asker are not listed, and nothing hidden from the asker is shown.
    const users = [];
    for (const user of found) {
      if (user.id !== asker && (await deps.blocks.isBlocked(user.id, asker))) continue;
      users.push(toPublicUser(user, await deps.privacy.visibility(asker, user)));
    }
    return { users };
  });
}
