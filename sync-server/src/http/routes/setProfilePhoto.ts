import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { BlobStore } from '../../files/blobStore';
import { BlobGone } from '../../files/fileLifecycle';
import { sendError } from '../apiError';
import { toPublicUser, type HttpDeps } from '../deps';
import { PerUserLimit } from '../perUserLimit';
import { requireUser } from '../requireUser';

/** Types a photo may be sent as: what a canvas makes and what cameras save. */
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** The stored photo's side: sharp on a phone's 2x avatar of 120 px and then some, about 30 KB as WebP. */
const PHOTO_PX = 512;
/** Pixels a sent image may have before decoding is refused: a small file can unpack to gigabytes. */
const MAX_INPUT_PIXELS = 40_000_000;
/** New photos a person may set per hour: each is decoded and re-encoded. */
const PHOTOS_PER_HOUR = 20;

/**
 * `PUT /api/me/photo` (body: the image, `image/jpeg|png|webp`, at most
 * `JECO_MAX_PHOTO_BYTES`) sets my profile photo, and `DELETE /api/me/photo` removes it;
 * both answer my profile. The app crops to a square on the device; the server crops
 * again (centre), scales to 512 px, turns it upright and re-encodes it as WebP, which
 * drops every metadata block (EXIF, GPS, camera). Stored as a blob of the file storage.
 */
export function setProfilePhotoRoutes(app: FastifyInstance, deps: HttpDeps, files: { blobs: BlobStore; uploadsDir: string }): void {
  const limit = new PerUserLimit(PHOTOS_PER_HOUR, 60 * 60 * 1000);
  void app.register(async (scope) => {
    scope.addContentTypeParser(PHOTO_TYPES, { parseAs: 'buffer', bodyLimit: deps.config.maxPhotoBytes }, (_request, body, done) => done(null, body));
    scope.put('/api/me/photo', { preHandler: requireUser(deps), bodyLimit: deps.config.maxPhotoBytes }, async (request, reply) => {
      const { user } = request.auth!;
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) return sendError(reply, 'bad_request', 'Send the photo as a JPEG, PNG or WebP image.');
      if (!limit.take(user.id)) return sendError(reply, 'rate_limited');
      let square: Buffer;
      try {
        square = await sharp(request.body, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().resize(PHOTO_PX, PHOTO_PX, { fit: 'cover' }).webp({ quality: 82 }).toBuffer();
      } catch {
        return sendError(reply, 'unreadable_file');
      }
      await mkdir(files.uploadsDir, { recursive: true });
      const temp = path.join(files.uploadsDir, `photo-${randomUUID()}.webp`);
      try {
        await writeFile(temp, square);
        const { sha256 } = await files.blobs.putFile(temp);
        await deps.files.lifecycle.keep([sha256], () => deps.store.setProfile(user.id, { photo: sha256 }));
      } catch (error) {
        if (error instanceof BlobGone) return sendError(reply, 'unavailable', error.message);
        throw error;
      } finally {
        await rm(temp, { force: true });
      }
      const fresh = await deps.store.getUserById(user.id);
      return { user: toPublicUser(fresh!) };
    });
  });
  app.delete('/api/me/photo', { preHandler: requireUser(deps) }, async (request) => {
    const { user } = request.auth!;
    await deps.store.setProfile(user.id, { photo: null });
    return { user: toPublicUser({ ...user, photo: null }) };
  });
}
