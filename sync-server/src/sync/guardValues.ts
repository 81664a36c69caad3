import type * as Y from 'yjs';
import { z } from 'zod';
import { writeRulesKind, type DOC_WRITERS, type WriteRulesKind } from '#schema/access';
import { asStoredMessage, messageSchema } from '#schema/docs/message';
import { disappearingSchema, MAX_GROUP_NAME, memberSchema, ROOM_HEAD } from '#schema/docs/roomHead';
import { isValidStateEntry } from '#schema/docs/inbox';
import { NOTIFICATIONS_READ_THROUGH, notificationStateEntry } from '#schema/docs/notifications';
import { parseReceiptKey, receiptStepsSchema } from '#schema/docs/receipts';
import { contactSchema } from '#schema/docs/contacts';
import { deletionSchema, editSchema, reactionSchema } from '#schema/docs/bucket';
import { parseMessageId, parseUserId, type UserId } from '#schema/ids';
import type { DocRef } from '#schema/docs/names';
import { attachmentProblem, type FileLookup } from './attachments';

/** Rules a value can break, beyond who may write where. */
export type ValueRefusal = 'message-shape' | 'message-time' | 'author' | 'value-shape' | 'unknown-key' | 'admin-only' | 'server-only' | 'attachment';

/**
 * How far ahead of the server's clock a message's `createdAt` may be: device clocks
 * drift a little, and a message from the future would stay the chat's newest (its
 * preview, its order in the list) for everyone. The past is open: a message written
 * offline keeps the time it was written.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** What a value check needs to know about the writer and the doc. */
export interface ValueContext {
  ref: DocRef;
  userId: UserId;
  creating: boolean;
  /** The server's clock now. */
  now: number;
  /** The doc as it is now, before the update: rules that compare a value with the one it replaces read it here. */
  doc: Y.Doc;
  /** Files named by the update's attachments, read before the check (see `attachments.ts`). */
  files?: FileLookup;
}

export type ValueResult = { rule: ValueRefusal; detail?: string } | null;

const timestamp = z.number().int().nonnegative();

type Check = (ctx: ValueContext, key: string, value: unknown) => ValueResult;

const shape = (ok: boolean, detail: string): ValueResult => (ok ? null : { rule: 'value-shape', detail });
const messageKey = (key: string): ValueResult => (parseMessageId(key) ? null : { rule: 'unknown-key', detail: key });
const userKey = (key: string): ValueResult => (parseUserId(key) ? null : { rule: 'unknown-key', detail: key });
const byWriter = (ctx: ValueContext, value: unknown, field: 'createdBy' | 'by' | 'addedBy'): ValueResult =>
  (value as Record<string, unknown>)[field] === ctx.userId ? null : { rule: 'author', detail: field };

function checkMessage(ctx: ValueContext, value: unknown): ValueResult {
  const message = asStoredMessage(value);
  if (!message) return { rule: 'message-shape', detail: messageSchema.safeParse(value).error?.issues[0]?.path.join('.') };
  // System lines speak for the server ("Alice removed Bob"): only projections write them.
  if (message.event !== undefined) return { rule: 'server-only', detail: 'event' };
  // The tombstone of a purged message: only the server replaces a message in place.
  if (message.deleted !== undefined) return { rule: 'server-only', detail: 'deleted' };
  if (message.expired !== undefined) return { rule: 'server-only', detail: 'expired' };
  if (message.createdAt > ctx.now + MAX_CLOCK_SKEW_MS) return { rule: 'message-time', detail: 'createdAt in the future' };
  if (message.authorId !== ctx.userId) return { rule: 'author', detail: 'authorId' };
  // A preview stands for a link the message shows, never for another page.
  if (message.preview && !message.text.includes(message.preview.url)) return { rule: 'message-shape', detail: 'preview.url' };
  const attachment = attachmentProblem(message, ctx.ref, ctx.files);
  return attachment ? { rule: 'attachment', detail: attachment } : null;
}

/** `meta.disappearing`: one of the choices, set by the writer, not in the future. */
function checkDisappearing(ctx: ValueContext, value: unknown): ValueResult {
  const parsed = disappearingSchema.safeParse(value);
  if (!parsed.success) return { rule: 'value-shape', detail: 'disappearing' };
  if (parsed.data.by !== ctx.userId) return { rule: 'author', detail: 'by' };
  return shape(parsed.data.at <= ctx.now + MAX_CLOCK_SKEW_MS, 'disappearing in the future');
}

function checkMember(ctx: ValueContext, key: string, value: unknown): ValueResult {
  const parsed = memberSchema.safeParse(value);
  if (!parsed.success) return { rule: 'value-shape', detail: 'member' };
  if (parsed.data.addedBy !== ctx.userId) return { rule: 'author', detail: 'addedBy' };
  if (!ctx.creating) {
    // `addedAt` ranks who takes over from a leaving owner: nobody joins before the group
    // existed, and rewriting an entry (a role change) never moves someone up the queue.
    const createdAt = ctx.doc.getMap(ROOM_HEAD.meta).get('createdAt');
    const current = memberSchema.safeParse(ctx.doc.getMap(ROOM_HEAD.members).get(key)).data;
    if (typeof createdAt === 'number' && parsed.data.addedAt < createdAt) return { rule: 'value-shape', detail: 'addedAt before the group' };
    if (current && parsed.data.addedAt < current.addedAt) return { rule: 'value-shape', detail: 'addedAt moved earlier' };
  }
  // Who may write which role is the member rule's (schema/access.ts), judged before values.
  return null;
}

/** `delivered:<userId>` / `read:<userId>`: the writer's own, with a list of advances as its value. */
function checkReceipt(ctx: ValueContext, key: string, value: unknown): ValueResult {
  const parsed = parseReceiptKey(key);
  if (!parsed || parsed.userId !== ctx.userId) return { rule: 'unknown-key', detail: key };
  return shape(receiptStepsSchema.safeParse(value).success, 'receipt');
}

/**
 * Value checks per doc kind and root, keyed like `DOC_WRITERS` (a root it does not list
 * cannot be given a check); a root map's checks run on each key's value. A root without
 * a check here takes no client values (the server's `chats`).
 */
const CHECKS: { [Kind in WriteRulesKind]: { [Root in keyof (typeof DOC_WRITERS)[Kind]]?: Check } } = {
  bucket: {
    messages: (ctx, _key, value) => checkMessage(ctx, value),
    edits: (_ctx, key, value) => messageKey(key) ?? shape(editSchema.safeParse(value).success, 'edit'),
    deletions: (ctx, key, value) => messageKey(key) ?? shape(deletionSchema.safeParse(value).success, 'deletion') ?? byWriter(ctx, value, 'by'),
    reactions: (ctx, key, value) => {
      const [messageId, userId, ...rest] = key.split(':');
      if (!messageId || !parseMessageId(messageId) || userId !== ctx.userId || rest.length > 0) return { rule: 'unknown-key', detail: key };
      return shape(reactionSchema.safeParse(value).success, 'reaction');
    },
  },
  groupHead: {
    meta: (ctx, key, value) => {
      switch (key) {
        case 'kind':
          return shape(value === 'group', 'kind');
        case 'name':
          return shape(typeof value === 'string' && value.length <= MAX_GROUP_NAME, 'name');
        case 'createdBy':
          return value === ctx.userId ? null : { rule: 'author', detail: 'createdBy' };
        case 'createdAt':
          return shape(timestamp.safeParse(value).success, 'createdAt');
        case 'disappearing':
          return checkDisappearing(ctx, value);
        default:
          // head: the creator starts at bucket 0.
          return shape(value === 0, key);
      }
    },
    members: (ctx, key, value) => userKey(key) ?? checkMember(ctx, key, value),
    receipts: (ctx, key, value) => checkReceipt(ctx, key, value),
  },
  dmHead: {
    meta: (ctx, key, value) => {
      if (key === 'kind') return shape(value === 'dm', 'kind');
      if (key === 'createdBy') return value === ctx.userId ? null : { rule: 'author', detail: 'createdBy' };
      if (key === 'disappearing') return checkDisappearing(ctx, value);
      return shape(timestamp.safeParse(value).success, key);
    },
    receipts: (ctx, key, value) => checkReceipt(ctx, key, value),
  },
  inbox: {
    state: (ctx, key, value) => {
      // The notification list's read marks: a time, and the watermark not past the server's clock (it would mark the future read).
      const notification = notificationStateEntry(key, value);
      if (notification === 'bad') return { rule: 'value-shape', detail: `state.${key.slice(0, key.indexOf(':') + 1) || key}` };
      if (notification === 'ok')
        return key === NOTIFICATIONS_READ_THROUGH && (value as number) > ctx.now + MAX_CLOCK_SKEW_MS ? { rule: 'value-shape', detail: 'notification watermark in the future' } : null;
      return isValidStateEntry(key, value) ? null : { rule: 'value-shape', detail: `state.${key.slice(0, key.indexOf(':') + 1) || key}` };
    },
  },
  contacts: {
    contacts: (_ctx, key, value) => userKey(key) ?? shape(contactSchema.safeParse(value).success, 'contact'),
  },
};

function checksFor(ref: DocRef): Readonly<Record<string, Check | undefined>> {
  return CHECKS[writeRulesKind(ref)];
}

/**
 * Checks the values one item writes under `root` (at `key` for a map). A map entry
 * holds exactly one value; a list item may carry several appended together.
 */
export function checkValues(ctx: ValueContext, root: string, key: string | null, values: readonly unknown[]): ValueResult {
  const checks = checksFor(ctx.ref);
  const check = Object.hasOwn(checks, root) ? checks[root] : undefined;
  if (!check) return { rule: 'value-shape', detail: root };
  if (key !== null && values.length !== 1) return { rule: 'value-shape', detail: `${root}.${key} holds ${values.length} values` };
  for (const value of values) {
    const refusal = check(ctx, key ?? '', value);
    if (refusal) return refusal;
  }
  return null;
}
