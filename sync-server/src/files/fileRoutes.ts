import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http/deps';
import { getFileRoute } from '../http/routes/getFile';
import { uploadFileRoute } from '../http/routes/uploadFile';
import { getUserPhotoRoute } from '../http/routes/getUserPhoto';
import { setProfilePhotoRoutes } from '../http/routes/setProfilePhoto';
import { DiskBlobStore } from './diskBlobStore';

/**
 * Everything under `/api/files`: tus uploads and downloads, and profile photos, over the blobs in
 * `<data dir>/files/blobs` (uploads in progress wait in `<data dir>/files/uploads`, on
 * the same filesystem so a finished one is moved, not copied).
 */
export function fileRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const root = path.join(deps.config.dataDir, 'files');
  const blobs = new DiskBlobStore(path.join(root, 'blobs'));
  uploadFileRoute(app, deps, { blobs, uploadsDir: path.join(root, 'uploads') });
  getFileRoute(app, deps, blobs);
  setProfilePhotoRoutes(app, deps, { blobs, uploadsDir: path.join(root, 'uploads') });
  getUserPhotoRoute(app, deps, blobs);
}
