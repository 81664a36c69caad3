import * as tus from 'tus-js-client';
import type { Attachment } from '#schema/docs/message';

/** What a finished upload answered: the message `attachment`, or the error body and status. */
export type UploadResult = { attachment: Attachment } | { status: number; body: string };

/** Uploads `bytes` with the real tus client, as the web app does; resolves however it ends. */
export function uploadFile(baseUrl: string, token: string, bytes: Buffer, metadata: { roomId: string; name: string }, chunkSize?: number): Promise<UploadResult> {
  return new Promise((resolve) => {
    const upload = new tus.Upload(bytes, {
      endpoint: `${baseUrl}/api/files/tus`,
      headers: { authorization: `Bearer ${token}` },
      metadata,
      retryDelays: [],
      storeFingerprintForResuming: false,
      ...(chunkSize ? { chunkSize } : {}),
      onSuccess: ({ lastResponse }) => resolve(JSON.parse(lastResponse.getBody()) as { attachment: Attachment }),
      onError: (error) => {
        const response = (error as tus.DetailedError).originalResponse;
        resolve({ status: response?.getStatus() ?? 0, body: response?.getBody() ?? String(error) });
      },
    });
    upload.start();
  });
}
