import type { FastifyInstance } from 'fastify';
import type { PrivacyResponse } from '#schema/api/people';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** `GET /api/me/privacy`: my privacy settings. */
export function getPrivacyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/api/me/privacy',
    { preHandler: requireUser(deps) },
    async (request): Promise<PrivacyResponse> => ({
      privacy: await deps.privacy.settingsOf(request.auth!.user.id),
    }),
  );
}
