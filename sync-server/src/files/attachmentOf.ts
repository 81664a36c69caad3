import type { FileRow } from '../store/db/store';
import type { Attachment } from '#schema/docs/message';

/** The `attachment` a message carries for a stored file: what a chat needs to show it before fetching it. */
export function attachmentOf(file: FileRow): Attachment {
  return {
    fileId: file.id,
    name: file.name,
    mime: file.mime,
    size: file.size,
    ...(file.width !== null && file.height !== null ? { width: file.width, height: file.height } : {}),
    ...(file.thumbhash !== null ? { thumbhash: file.thumbhash } : {}),
  };
}
