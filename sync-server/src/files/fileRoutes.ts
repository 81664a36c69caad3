import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http/deps';
import { forwardFileRoute } from '../http/routes/forwardFile';
import { getFileRoute } from '../http/routes/getFile';
import { uploadFileRoute } from '../http/routes/uploadFile';
import { getUserPhotoRoute } from '../http/routes/getUserPhoto';
import { setProfilePhotoRoutes } from '../http/routes/setProfilePhoto';
import { DiskBlobStore } from './diskBlobStore';
import { UploadLimits } from './uploadLimits';

/** Where files live under the data dir. */
function filesDir(dataDir: string): string {
  return path.join(dataDir, 'files');
}

/** The blob store of a data dir: `<data dir>/files/blobs`. */
export function diskBlobs(dataDir: string): DiskBlobStore {
  return new DiskBlobStore(path.join(filesDir(dataDir), 'blobs'));
}

/**
 * Everything under `/api/files`: tus uploads, forwards and downloads, and profile photos, over the blobs in
 * `<data dir>/files/blobs` (uploads in progress wait in `<data dir>/files/uploads`, on
 * the same filesystem so a finished one is moved, not copied).
 */
export function fileRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const root = filesDir(deps.config.dataDir);
  const blobs = deps.files.blobs;
  // Uploads and forwards share one per-minute allowance.
  const limits = new UploadLimits(deps.config.uploadsPerMin);
  uploadFileRoute(app, deps, { blobs, uploadsDir: path.join(root, 'uploads'), limits });
  forwardFileRoute(app, deps, { blobs, limits });
  getFileRoute(app, deps, blobs);
  setProfilePhotoRoutes(app, deps, { blobs, uploadsDir: path.join(root, 'uploads') });
  getUserPhotoRoute(app, deps, blobs);
}
