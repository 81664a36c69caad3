import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance } from 'fastify';
import parseRange from 'range-parser';
import { z } from 'zod';
import type { BlobStore } from '../../files/blobStore';
import { isRoomMember } from '../../files/roomAccess';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
const query = z.object({ thumb: z.enum(['1']).optional() });

/**
 * Types a browser may show in place. Everything else (SVG and HTML above all, which can
 * run script on this origin) is a download whatever its name says.
 */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp|avif)|video\/(mp4|webm|ogg|quicktime)|audio\/(mpeg|mp4|ogg|webm|wav|aac|flac))$/;

/**
 * `GET /api/files/:id[?thumb=1]`: a file (or an image's thumbnail) to a member of the
 * room it was uploaded to. The URL alone is not enough: the session must be valid and
 * the user still in the room (someone removed gets 403). Served with the original name,
 * `nosniff` and a sandboxing CSP; a file whose message was deleted for everyone is 410, single byte ranges (video seeking), and cached
 * privately for good: the bytes behind an id never change.
 */
export function getFileRoute(app: FastifyInstance, deps: HttpDeps, blobs: BlobStore): void {
  app.get('/api/files/:id', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { id } = parseWith(params, request.params);
    const { thumb } = parseWith(query, request.query);
    const file = await deps.store.getFile(id);
    if (!file) return sendError(reply, 'not_found');
    if (!(await isRoomMember(deps.store, file.roomId, request.auth!.user.id))) return sendError(reply, 'forbidden');
    // Its message was deleted for everyone: nobody gets it any more, whatever they had cached.
    if (file.deletedAt !== null) return sendError(reply, 'file_deleted');

    const wantsThumb = thumb === '1' && file.thumbSha256 !== null;
    const blob = wantsThumb ? file.thumbSha256! : file.sha256;
    const mime = wantsThumb ? 'image/webp' : file.mime;
    const size = await blobs.size(blob);
    if (size === null) return sendError(reply, 'not_found');

    const etag = `"${blob}"`;
    reply
      .header('Content-Type', mime)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Content-Disposition', contentDisposition(file.name, { type: INLINE_TYPES.test(mime) ? 'inline' : 'attachment' }))
      .header('Cache-Control', 'private, max-age=31536000, immutable')
      .header('ETag', etag)
      .header('Accept-Ranges', 'bytes');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();

    const range = request.headers.range ? parseRange(size, request.headers.range, { combine: true }) : undefined;
    if (range === -1) return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    // A malformed header (-2) or several ranges: the whole file, as RFC 9110 allows.
    if (range !== undefined && range !== -2 && range.type === 'bytes' && range.length === 1) {
      const { start, end } = range[0]!;
      reply
        .code(206)
        .header('Content-Range', `bytes ${start}-${end}/${size}`)
        .header('Content-Length', end - start + 1);
      return reply.send(await blobs.read(blob, { start, end }));
    }
    reply.header('Content-Length', size);
    return reply.send(await blobs.read(blob));
  });
}
