import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FileRow } from '../../store/db/store';
import { parseRoomId } from '#schema/ids';
import { attachmentOf } from '../../files/attachmentOf';
import type { BlobStore } from '../../files/blobStore';
import { BlobGone } from '../../files/fileLifecycle';
import { isRoomMember } from '../../files/roomAccess';
import type { UploadLimits } from '../../files/uploadLimits';
import { parseWith, sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
const body = z.object({ roomId: z.string().min(1).max(200) }).strict();

/**
 * `POST /api/files/:id/forward {roomId}`: forwarding a file to another chat without
 * sending its bytes again. The server makes a new file (a new random id) in `roomId`,
 * uploaded by the forwarder, over the same stored blobs, and answers 201 with its
 * message `attachment`; the forwarder's message there passes the guard like any.
 *
 * Only someone in both chats now may do it: the file's chat (403 otherwise, as its
 * download), and the target chat (403). A file nobody has sent yet may be forwarded by
 * its uploader only (others get 404, as for a file that does not exist), one deleted
 * for everyone by nobody (410). It counts against the per-minute upload limit and the
 * quota like an upload of its size.
 */
export function forwardFileRoute(app: FastifyInstance, deps: HttpDeps, files: { blobs: BlobStore; limits: UploadLimits }): void {
  app.post('/api/files/:id/forward', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { id } = parseWith(params, request.params);
    const { roomId } = parseWith(body, request.body);
    const me = request.auth!.user.id;
    const source = await deps.store.getFile(id);
    if (!source || (source.referencedAt === null && source.uploaderId !== me)) return sendError(reply, 'not_found');
    if (!(await isRoomMember(deps.store, source.roomId, me))) return sendError(reply, 'forbidden');
    if (source.deletedAt !== null) return sendError(reply, 'file_deleted');
    const target = parseRoomId(roomId);
    if (!target) return sendError(reply, 'bad_request', 'roomId is not a chat.');
    if (!(await isRoomMember(deps.store, target.id, me))) return sendError(reply, 'forbidden');
    if ((await deps.store.userFileBytes(me)) + source.size > deps.config.uploadQuotaBytes) return sendError(reply, 'quota_exceeded');
    if (!files.limits.allow(me)) return sendError(reply, 'upload_rate_limited');
    if ((await files.blobs.size(source.sha256)) === null) return sendError(reply, 'file_deleted');
    const copy: FileRow = {
      ...source,
      id: randomBytes(16).toString('base64url'),
      roomId: target.id,
      uploaderId: me,
      createdAt: Date.now(),
      referencedAt: null,
      deletedAt: null,
    };
    try {
      await deps.files.lifecycle.create(copy);
    } catch (error) {
      // Its bytes went with the last message that showed them, since the check above.
      if (error instanceof BlobGone) return sendError(reply, 'file_deleted');
      throw error;
    }
    return reply.code(201).send({ attachment: attachmentOf(copy) });
  });
}
