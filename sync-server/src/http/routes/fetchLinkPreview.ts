import type { FastifyInstance, FastifyRequest } from 'fastify';
import { linkPreviewBody } from '#schema/api/linkPreview';
import { fetchLinkPreview } from '../../linkPreview/fetchLinkPreview';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';
import { requestToken } from '../sessionCookie';

/**
 * `POST /api/link-preview {url}`: the server fetches a link's title and description for
 * the person about to send it (`linkPreview/fetchLinkPreview.ts`: public addresses only,
 * size and time caps), so the preview can travel in the message and receivers fetch
 * nothing. 422 `no_preview` when there is none. Limited per person
 * (`JECO_LINK_PREVIEW_RATE_PER_MIN`): every call makes the server fetch a page.
 */
export function fetchLinkPreviewRoute(app: FastifyInstance, deps: HttpDeps): void {
  const rateLimit = {
    max: deps.config.linkPreviewRatePerMin,
    timeWindow: 60_000,
    keyGenerator: async (request: FastifyRequest) => {
      const token = requestToken(request);
      const auth = token ? await deps.sessions.validate(token) : null;
      return auth ? `user:${auth.user.id}` : `ip:${request.ip}`;
    },
  };
  app.post('/api/link-preview', { preHandler: requireUser(deps), config: { rateLimit } }, async (request, reply) => {
    const { url } = parseWith(linkPreviewBody, request.body);
    const preview = await fetchLinkPreview(url, deps.linkPreviews);
    if (!preview) return sendError(reply, 'no_preview');
    return preview;
  });
}
