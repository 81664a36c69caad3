import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseUserId } from '#schema/ids';
import type { BlobStore } from '../../files/blobStore';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

const params = z.object({ id: z.string().max(64) });

/**
 * `GET /api/users/:id/photo[?v=]`: someone's profile photo (a 512 px WebP), to signed-in
 * people who may see it: their "photo and about" setting and blocks decide, as for
 * `GET /api/users/:id`. Hidden, none and no such user are one 404. The URL carries the
 * photo's version, so the answer is cached privately for good.
 */
export function getUserPhotoRoute(app: FastifyInstance, deps: HttpDeps, blobs: BlobStore): void {
  app.get('/api/users/:id/photo', { preHandler: requireUser(deps) }, async (request, reply) => {
    const id = parseUserId(parseWith(params, request.params).id);
    const owner = id ? await deps.store.getUserById(id) : null;
    if (!owner?.photo || owner.deletedAt !== null) return sendError(reply, 'not_found');
    const asker = request.auth!.user.id;
    if (owner.id !== asker && !(await deps.privacy.visibility(asker, owner)).about) return sendError(reply, 'not_found');
    const stream = await blobs.read(owner.photo);
    if (!stream) return sendError(reply, 'not_found');
    return reply
      .header('Content-Type', 'image/webp')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', 'private, max-age=31536000, immutable')
      .send(stream);
  });
}
