import type { FastifyInstance } from 'fastify';
import type { BlockedResponse } from '#schema/api/people';
import { toPublicUser, type HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `GET /api/blocks`: the people I blocked, newest first, for the Blocked list in settings. */
export function listBlockedRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/api/blocks', { preHandler: requireUser(deps) }, async (request): Promise<BlockedResponse> => {
    const rows = await deps.store.listBlocked(request.auth!.user.id);
    const users = new Map((await deps.store.getUsersByIds(rows.map((row) => row.userId))).map((user) => [user.id, user]));
    const blocked: BlockedResponse['blocked'] = [];
    for (const row of rows) {
      const user = users.get(row.userId);
      // What they hide by their privacy settings stays hidden from the blocker too.
      if (user) blocked.push({ user: toPublicUser(user, await deps.privacy.visibility(request.auth!.user.id, user)), at: row.at });
    }
    return { blocked };
  });
}
