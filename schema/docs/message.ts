import { z } from 'zod';
import type { MessageId, UserId } from '../ids';
import { MAX_GROUP_NAME } from './roomHead';
import { validatedOnce } from './validatedOnce';

/** Longest message text, in UTF-16 code units: long enough for a pasted page, short enough to keep buckets small. */
export const MAX_MESSAGE_TEXT = 16_000;
/** Longest preview kept in a chat index entry. */
export const PREVIEW_LENGTH = 120;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/**
 * What a system line reports: a change to a group that the server saw a member make.
 * `created`: the group was made (`name`); `added`/`removed`: `target` joined or was
 * taken out by the author; `left`: the author left; `renamed`: the new `name`;
 * `promoted`/`demoted`: `target` made or dismissed as admin; `owner`: `target` made
 * the group's owner (an owner hands the group over as they leave); `disappearing`: the
 * author set the chat's disappearing messages to `after` ms (0: off), in a DM too;
 * `joined`: the author joined through the group's invite link.
 */
const systemEventSchema = z
  .object({
    type: z.enum(['created', 'added', 'removed', 'left', 'renamed', 'promoted', 'demoted', 'owner', 'disappearing', 'joined']),
    target: uuid.optional(),
    name: z.string().max(MAX_GROUP_NAME).optional(),
    /** `disappearing`: the period set, in ms (0: turned off). */
    after: z.number().int().nonnegative().optional(),
  })
  .strict();

export type SystemEvent = Omit<z.infer<typeof systemEventSchema>, 'target'> & { target?: UserId };

/** Longest file name kept in a message (longer names are cut by the uploader's client). */
export const MAX_FILE_NAME = 255;

/**
 * A file sent with a message, as the server recorded it when the upload finished:
 * `fileId` is the random id of `GET /api/files/:id`; `mime` was detected from the bytes;
 * images have their pixel size (so the bubble has the right shape before anything
 * loads) and a ThumbHash placeholder (base64). The guard checks that the file exists,
 * was uploaded to this room by the message's author, and has this size and type.
 */
export const attachmentSchema = z
  .object({
    fileId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    name: z.string().min(1).max(MAX_FILE_NAME),
    mime: z.string().max(100),
    size: z.number().int().nonnegative(),
    width: z.number().int().positive().max(100_000).optional(),
    height: z.number().int().positive().max(100_000).optional(),
    thumbhash: z.string().max(100).optional(),
    /** Seconds of a voice note or other recording, as the sender's device measured it (shown before the audio loads). */
    duration: z.number().nonnegative().max(86_400).optional(),
  })
  .strict();

/** A message's file: see {@link attachmentSchema}. */
export type Attachment = z.infer<typeof attachmentSchema>;

/** Longest link a preview is kept for; longest title and description shown. */
export const MAX_PREVIEW_URL = 2048;
export const MAX_PREVIEW_TITLE = 200;
export const MAX_PREVIEW_DESCRIPTION = 300;
/** Longest inline preview image: a small WebP as a `data:` URL (about 12 KB of bytes). */
export const MAX_PREVIEW_IMAGE = 16_384;

/**
 * A link's preview, fetched by the server for the sender (`POST /api/link-preview`) and
 * stored in the message, so receivers show it without any request of their own: the
 * link (which the text must contain), its page's title, description, host and picture.
 */
export const linkPreviewSchema = z
  .object({
    url: z
      .string()
      .max(MAX_PREVIEW_URL)
      .regex(/^https?:\/\//),
    title: z.string().min(1).max(MAX_PREVIEW_TITLE),
    description: z.string().max(MAX_PREVIEW_DESCRIPTION).optional(),
    site: z.string().max(253),
    /**
     * The page's picture, fetched and re-encoded by the server as a small WebP and kept
     * inline, so a receiver's browser never asks the site for it (which would tell the
     * site who reads the chat, and when).
     */
    image: z
      .string()
      .max(MAX_PREVIEW_IMAGE)
      .regex(/^data:image\/webp;base64,[A-Za-z0-9+/]+={0,2}$/)
      .optional(),
  })
  .strict();
export type LinkPreview = z.infer<typeof linkPreviewSchema>;

/**
 * A message as appended to a bucket's `messages` array. Clients never change it in
 * place: edits, deletions and reactions live in the bucket's overlay maps. The server
 * replaces it once, in place (same id, author, time and position), when an edit or a
 * deletion for everyone hides its content, so the hidden text leaves every replica
 * (`sync-server/src/sync/purge.ts`).
 */
export const messageSchema = z
  .object({
    id: uuid,
    authorId: uuid,
    /** Milliseconds since the epoch, by the writer's clock (shown, never used for order). */
    createdAt: z.number().int().nonnegative(),
    text: z.string().max(MAX_MESSAGE_TEXT),
    replyTo: uuid.optional(),
    /** Set when the text was forwarded from another message: readers label it "Forwarded" (the original's author is not carried, as in other chat apps). */
    forwarded: z.literal(true).optional(),
    mentions: z.array(uuid).max(50).optional(),
    attachment: attachmentSchema.optional(),
    /** A preview of a link in the text (see {@link linkPreviewSchema}). */
    preview: linkPreviewSchema.optional(),
    /**
     * Present on system lines only ("Alice added Bob"): written by the server, never
     * accepted from a client; `authorId` is the member who made the change, `text` is
     * empty. Readers render these as centred lines, without menus, and never count them
     * as unread.
     */
    event: systemEventSchema.optional(),
    /**
     * Present only on the server's copy of a message deleted for everyone: its text is
     * empty and its `replyTo`, `mentions` and `attachment` are gone. Never accepted from
     * a client.
     */
    deleted: z.literal(true).optional(),
    /**
     * Present only on the server's copy of a message removed by the chat's disappearing
     * messages (with `deleted`, and as empty): readers leave it out altogether. Never
     * accepted from a client.
     */
    expired: z.literal(true).optional(),
  })
  .strict();

export type Message = Omit<z.infer<typeof messageSchema>, 'id' | 'authorId' | 'replyTo' | 'mentions' | 'event' | 'deleted' | 'expired'> & {
  id: MessageId;
  authorId: UserId;
  replyTo?: MessageId;
  mentions?: UserId[];
  event?: SystemEvent;
  /** Stored as `true` only (the schema's literal); a shown message says `false` too. */
  deleted?: boolean;
  /** Stored as `true` only: see the schema's `expired`. */
  expired?: true;
};

/** Message values already validated (objects only: a bucket's items, a decoded update's values). */
const storedMessage = validatedOnce<Message>(messageSchema);

/**
 * A value read from a bucket's `messages` (or from an update that appends to one) as a
 * message, or null when it does not match {@link messageSchema}. Each value object is
 * validated once and then returned as it is, frozen ({@link validatedOnce}). On the
 * server one message was validated five times (the guard twice, on the decoded update;
 * then the bucket's observers and the chat-index projection on the value the doc
 * holds), about a tenth of what the server allocated under load (`npm run bench:load
 * -- --cpu-prof`). For the server's reads; what the app shows is read as copies
 * (`readMessages`).
 */
export function asStoredMessage(value: unknown): Message | null {
  return storedMessage(value);
}

/**
 * {@link asStoredMessage} for a value that came in an update the guard let in: the
 * guard checks every message a client appends against {@link messageSchema}, on its own
 * decoding of the same update, so the doc's copy is recorded as valid (and frozen)
 * without parsing it a second time. Server only.
 */
export function vouchedMessage(value: unknown): Message | null {
  return storedMessage.vouch(value);
}

/** How to read the values of a change: {@link vouchedMessage} if the guard checked them (`checked`), else {@link asStoredMessage}. */
export function messageReader(checked: boolean): (value: unknown) => Message | null {
  return checked ? vouchedMessage : asStoredMessage;
}

/** Whether a message is a system line rather than something a person wrote. */
export function isSystemLine(message: Pick<Message, 'event'>): boolean {
  return message.event !== undefined;
}

/** A one-line preview of a message text for chat lists and notifications. */
export function previewOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line;
}

/**
 * The text a chat list shows for a message: its text, and for a file a mark of what it
 * is before the caption ("📷 Photo", "📎 notes.pdf"), so a file sent without words
 * still reads as something.
 */
export function previewTextOf(message: Pick<Message, 'text' | 'attachment'>): string {
  const file = message.attachment;
  if (!file) return message.text;
  const image = file.mime.startsWith('image/');
  if (file.mime.startsWith('audio/') && file.duration !== undefined) return `🎤 ${message.text.trim() || `Voice message (${formatDuration(file.duration)})`}`;
  if (file.mime.startsWith('video/')) return `🎥 ${message.text.trim() || 'Video'}`;
  const mark = image ? '📷' : '📎';
  return `${mark} ${message.text.trim() || (image ? 'Photo' : file.name)}`;
}

/** A recording's length as people read it: `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
