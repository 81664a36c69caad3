import * as tus from 'tus-js-client';
import type { Attachment } from '#schema/docs/message';
import { HTTP_ERRORS, type ApiErrorBody } from '#schema/api/errors';

/** Where the server takes tus uploads (`sync-server/src/http/routes/uploadFile.ts`). */
const UPLOAD_ENDPOINT = '/api/files/tus';
/** Patch size: small enough that a dropped connection loses little, large enough to be quick. */
const CHUNK_BYTES = 5 * 1024 * 1024;

export interface RunningUpload {
  /** The message `attachment` once the server has stored the file. */
  done: Promise<Attachment>;
  /** Stops sending and ends the upload on the server; the promise never settles. */
  cancel(): void;
  /** Stops sending but keeps the server's part, so a later upload of the same file resumes it. */
  stop(): void;
}

export class UploadCancelled extends Error {}

/** What to tell a person about a failed upload: the server's own words when it gave a reason. */
function errorText(error: unknown): string {
  const response = (error as tus.DetailedError).originalResponse;
  if (!response) return 'The upload stopped: no connection to the server.';
  try {
    const body = JSON.parse(response.getBody()) as ApiErrorBody;
    if (body.error?.kind && body.error.kind in HTTP_ERRORS) return body.error.message;
  } catch {
    // not our JSON: a proxy's page, say
  }
  return HTTP_ERRORS.internal.message;
}

/**
 * Uploads `file` to the chat with tus: it resumes after a dropped connection (retries
 * with growing delays), and after a reload too, from the fingerprint tus-js-client keeps
 * in localStorage. The session cookie authenticates it.
 */
export function uploadFile(file: File, roomId: string, onProgress: (fraction: number) => void): RunningUpload {
  let cancelled = false;
  let upload!: tus.Upload;
  const done = new Promise<Attachment>((resolve, reject) => {
    upload = new tus.Upload(file, {
      endpoint: UPLOAD_ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { roomId, name: file.name.slice(0, 255) || 'file' },
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => onProgress(total > 0 ? sent / total : 0),
      onSuccess: ({ lastResponse }) => {
        try {
          resolve((JSON.parse(lastResponse.getBody()) as { attachment: Attachment }).attachment);
        } catch {
          reject(new Error(HTTP_ERRORS.internal.message));
        }
      },
      onError: (error) => reject(cancelled ? new UploadCancelled() : new Error(errorText(error))),
    });
    void upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      if (!cancelled) upload.start();
    });
  });
  return {
    done,
    cancel() {
      cancelled = true;
      // `true` also ends the upload on the server, so a half-sent file does not wait there.
      void upload.abort(true).catch(() => {});
    },
    stop() {
      cancelled = true;
      void upload.abort(false).catch(() => {});
    },
  };
}

/** `1.2 MB`-style sizes for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The download address of a stored file (or of its thumbnail). */
export function fileUrl(fileId: string, thumb = false): string {
  return `/api/files/${encodeURIComponent(fileId)}${thumb ? '?thumb=1' : ''}`;
}
