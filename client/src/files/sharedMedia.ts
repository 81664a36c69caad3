import type { ShownMessage } from '#schema/docs/bucket';
import type { Attachment } from '#schema/docs/message';
import { messageParts } from '../chat/messageParts';

/** A link someone sent, with the message it came in. */
interface SharedLink {
  href: string;
  text: string;
  messageId: string;
  createdAt: number;
}

/** What a chat's "Media, links and docs" lists, newest first. */
export interface SharedInChat {
  /** Photos and videos. */
  media: Attachment[];
  /** Every other file (documents, voice notes). */
  docs: { attachment: Attachment; createdAt: number }[];
  links: SharedLink[];
}

/** Whether a file shows in the media grid rather than the documents list. */
function isMedia(attachment: Attachment): boolean {
  return (attachment.mime.startsWith('image/') && !!attachment.width && !!attachment.height) || attachment.mime.startsWith('video/');
}

/**
 * Sorts what was shared in `messages` (oldest first, as a chat holds them): files
 * and the `http`, `https` and `mailto` links of their text (as the bubble finds them).
 * Messages deleted for everyone share nothing any more. O(messages).
 */
export function sharedIn(messages: readonly ShownMessage[]): SharedInChat {
  const out: SharedInChat = { media: [], docs: [], links: [] };
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.deleted || message.event) continue;
    const file = message.attachment;
    if (file) {
      if (isMedia(file)) out.media.push(file);
      else out.docs.push({ attachment: file, createdAt: message.createdAt });
    }
    const text = message.editedText ?? message.text;
    if (!text.includes('.') && !text.includes(':')) continue;
    for (const part of messageParts(text)) {
      if (part.kind === 'link') out.links.push({ href: part.href, text: part.text, messageId: message.id, createdAt: message.createdAt });
    }
  }
  return out;
}
