import type { FastifyInstance } from 'fastify';
import { privacyBody, type PrivacyResponse } from '#schema/api/people';
import { parseWith } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/**
 * `PATCH /api/me/privacy` `{lastSeen?, profile?, readReceipts?, groupAdd?}`: changes my
 * privacy settings and answers them all. Online state already shown where it is now
 * hidden is withdrawn at once (`sync/privacyPresence.ts`).
 */
export function updatePrivacyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.patch('/api/me/privacy', { preHandler: requireUser(deps) }, async (request): Promise<PrivacyResponse> => {
    const body = parseWith(privacyBody, request.body);
    return { privacy: await deps.privacy.set(request.auth!.user.id, body) };
  });
}
