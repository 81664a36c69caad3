import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server as TusServer, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HTTP_ERRORS, type ApiErrorBody, type HttpErrorKind } from '#schema/api/errors';
import { MAX_FILE_NAME } from '#schema/docs/message';
import type { UserId } from '#schema/ids';
import { attachmentOf } from '../../files/attachmentOf';
import type { BlobStore } from '../../files/blobStore';
import { BlobGone } from '../../files/fileLifecycle';
import { fileMetrics } from '../../files/fileMetrics';
import { processUpload, UnreadableImage } from '../../files/processUpload';
import { isRoomMember } from '../../files/roomAccess';
import type { UploadLimits } from '../../files/uploadLimits';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

/** Where the tus protocol is served; an upload's URL is `<path>/<file id>`. */
const UPLOAD_PATH = '/api/files/tus';

/**
 * An upload untouched this long is abandoned (a closed tab that never came back) and its
 * partial file is removed; a day covers a phone offline overnight resuming next morning.
 */
const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** How often abandoned uploads are looked for. */
const CLEANUP_EVERY_MS = 60 * 60 * 1000;

/** What a client names when it starts an upload (tus `Upload-Metadata`). */
const metadataSchema = z.object({
  roomId: z.string().min(1).max(200),
  name: z.string().min(1).max(MAX_FILE_NAME),
});

/** A tus hook refuses by throwing `{status_code, body}`; the body is the API's one error shape. */
function refusal(kind: HttpErrorKind, message?: string): { status_code: number; body: string } {
  const body: ApiErrorBody = { error: { kind, message: message ?? HTTP_ERRORS[kind].message } };
  return { status_code: HTTP_ERRORS[kind].status, body: JSON.stringify(body) };
}

/**
 * `/api/files/tus[/:id]`: resumable uploads with the tus protocol (`@tus/server`), so a
 * dropped connection resumes where it stopped. The session is checked by Fastify before
 * tus sees the request; creating an upload also needs membership of the target room, a
 * free slot in the per-user rate and quota, and a declared size within
 * `JECO_MAX_UPLOAD_BYTES`; later requests must come from the uploader. Bodies stream
 * to `<data dir>/files/uploads`, never held in memory. When the last byte arrives the
 * file is typed from its bytes, images are stripped of metadata and thumbnailed, the
 * blob is stored and recorded, and the response body is the message `attachment`.
 */
export function uploadFileRoute(app: FastifyInstance, deps: HttpDeps, files: { blobs: BlobStore; uploadsDir: string; limits: UploadLimits }): void {
  // tus hands hooks a web Request wrapping the Node one; the user rides along on the
  // Node request, keyed here rather than in a header a client could forge.
  const users = new WeakMap<object, UserId>();
  const limits = files.limits;
  const datastore = new FileStore({ directory: files.uploadsDir, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });
  const metrics = fileMetrics(deps.metrics);

  const userOf = (req: { runtime?: { node?: { req: object } } }): UserId => {
    const user = req.runtime?.node && users.get(req.runtime.node.req);
    if (!user) throw refusal('unauthorized');
    return user;
  };

  const tus = new TusServer({
    path: UPLOAD_PATH,
    datastore,
    maxSize: deps.config.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: deps.config.trustProxy,
    // 128 random bits: the id is also the file's id, which must not be guessable.
    namingFunction: () => randomBytes(16).toString('base64url'),

    async onIncomingRequest(req, id) {
      if (req.method === 'POST') return;
      const user = userOf(req);
      const upload = await datastore.getUpload(id).catch(() => null);
      // A missing upload is tus' own 404; someone else's is not to be touched or probed.
      if (upload && upload.metadata?.uploaderId !== user) throw refusal('forbidden');
    },

    async onUploadCreate(req, upload) {
      const user = userOf(req);
      const meta = metadataSchema.safeParse(upload.metadata ?? {});
      if (!meta.success) throw refusal('bad_request', 'An upload needs the roomId and name of the file.');
      if (upload.size === undefined) throw refusal('bad_request', 'An upload must say its length.');
      if (!(await isRoomMember(deps.store, meta.data.roomId, user))) throw refusal('forbidden');
      if ((await deps.store.userFileBytes(user)) + upload.size > deps.config.uploadQuotaBytes) throw refusal('quota_exceeded');
      if (!limits.allow(user)) throw refusal('upload_rate_limited');
      metrics.uploadCreated();
      return { metadata: { roomId: meta.data.roomId, name: meta.data.name, uploaderId: user } };
    },

    async onUploadFinish(_req, upload) {
      const file = await finish(upload);
      return { status_code: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ attachment: attachmentOf(file) }) };
    },

    onResponseError(_req, err) {
      // tus' own size refusal is plain text; say it the way every other error is said.
      if ('status_code' in err && err.status_code === 413 && !err.body.startsWith('{')) return refusal('file_too_large');
      return undefined;
    },
  });

  async function finish(upload: Upload) {
    const metadata = upload.metadata ?? {};
    try {
      const processed = await processUpload(path.join(files.uploadsDir, upload.id), files.blobs, files.uploadsDir);
      const row = {
        id: upload.id,
        roomId: metadata.roomId as never,
        uploaderId: metadata.uploaderId as UserId,
        name: metadata.name ?? 'file',
        ...processed,
        createdAt: Date.now(),
        referencedAt: null,
        deletedAt: null,
      };
      await deps.files.lifecycle.create(row);
      metrics.uploadClosed('stored', row.size);
      return row;
    } catch (error) {
      metrics.uploadClosed('failed');
      if (error instanceof UnreadableImage) throw refusal('unreadable_file');
      if (error instanceof BlobGone) throw refusal('unavailable', error.message);
      throw error;
    } finally {
      // The bytes now live in the blob store (or were refused): the upload is done with.
      await datastore.remove(upload.id).catch(() => datastore.configstore.delete(upload.id).catch(() => {}));
    }
  }

  tus.on(EVENTS.POST_TERMINATE, () => metrics.uploadClosed('cancelled'));
  const cleanup = setInterval(() => {
    tus.cleanUpExpiredUploads().then(
      (removed) => {
        for (let i = 0; i < removed; i++) metrics.uploadClosed('cancelled');
      },
      (error: unknown) => app.log.warn({ err: error }, 'removing abandoned uploads failed'),
    );
  }, CLEANUP_EVERY_MS);
  cleanup.unref();
  app.addHook('onClose', async () => clearInterval(cleanup));

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    users.set(request.raw, request.auth!.user.id);
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  }

  void app.register(async (scope) => {
    // PATCH bodies are the file's bytes: leave the stream unread for tus.
    scope.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
    const methods = ['POST', 'HEAD', 'PATCH', 'DELETE'] as const;
    scope.route({ method: [...methods], url: UPLOAD_PATH, preHandler: requireUser(deps), handler: handle });
    scope.route({ method: [...methods], url: `${UPLOAD_PATH}/:id`, preHandler: requireUser(deps), handler: handle });
  });
}
