import * as Y from 'yjs';
import { roomRole } from '#schema/access';
import { privacyOf, type Store, type UserRow } from '../store/db/store';
import { readShownMessages, type ShownMessage } from '#schema/docs/bucket';
import { readContacts } from '#schema/docs/contacts';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, contactsDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { readMembers, readMeta } from '#schema/docs/roomHead';
import { parseRoomId, type RoomRef, type UserId } from '#schema/ids';

/** What the export's `format` field says, so a reader can tell the file apart. */
const EXPORT_FORMAT = 'jeco-export';
/** Bumped when a field changes meaning. */
const EXPORT_VERSION = 1;

/** A doc as the store holds it: every append is durable before it is acknowledged, so this is what was sent. */
async function storedDoc(store: Store, name: string): Promise<Y.Doc | null> {
  const { snapshot, updates } = await store.loadDoc(name);
  if (!snapshot && updates.length === 0) return null;
  const doc = new Y.Doc();
  if (snapshot) Y.applyUpdate(doc, snapshot);
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

/** The buckets of `room` that `userId` may read now (0..last), or null for none: the same rule as `Membership.access`. */
async function readableThrough(store: Store, room: RoomRef, userId: UserId, head: number): Promise<number | null> {
  if (room.kind === 'dm') return roomRole(room, userId, undefined) ? head : null;
  if (await store.getMemberRole(room.id, userId)) return head;
  const through = await store.getFormerThrough(room.id, userId);
  return through === null ? null : Math.min(through, head);
}

/** One message as the export writes it: what the reader saw, files as references. */
function exported(message: ShownMessage, publicUrl: string) {
  return {
    id: message.id,
    authorId: message.authorId,
    createdAt: message.createdAt,
    ...(message.event ? { event: message.event } : { text: message.deleted ? '' : (message.editedText ?? message.text) }),
    ...(message.edited ? { edited: true } : {}),
    ...(message.deleted ? { deleted: true } : {}),
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    ...(message.forwarded ? { forwarded: true } : {}),
    ...(message.reactions.size > 0 ? { reactions: Object.fromEntries(message.reactions) } : {}),
    ...(message.attachment && !message.deleted
      ? {
          attachment: {
            fileId: message.attachment.fileId,
            name: message.attachment.name,
            mime: message.attachment.mime,
            size: message.attachment.size,
            url: `${publicUrl}/api/files/${message.attachment.fileId}`,
          },
        }
      : {}),
  };
}

/**
 * The user's data as JSON text, in pieces, so a long history is never held whole: the
 * profile and settings, contacts, blocks, then every room the user can read (found
 * through their chat index, each checked against the membership rules, as a socket
 * would be) with every message of the buckets they may read, and last the names of
 * the people those messages mention by id. Files are references (their API address).
 * The e-mail address is left out: nothing reads it back, so that changing it cannot
 * tell whether an address belongs to another account (`changeEmail.ts`).
 */
export async function* exportData(store: Store, user: UserRow, publicUrl: string, now = Date.now()): AsyncGenerator<string> {
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now,
    profile: { id: user.id, username: user.username, displayName: user.displayName, about: user.about, createdAt: user.createdAt },
    privacy: privacyOf(user),
  };
  yield `${JSON.stringify(head).slice(0, -1)},`;

  const contactsDocument = await storedDoc(store, contactsDoc(user.id));
  const contacts = contactsDocument ? [...readContacts(contactsDocument)].map(([userId, contact]) => ({ userId, ...contact })) : [];
  yield `"contacts":${JSON.stringify(contacts)},`;
  yield `"blocked":${JSON.stringify(await store.listBlocked(user.id))},`;

  const people = new Set<UserId>(contacts.map((c) => c.userId));
  const inbox = await storedDoc(store, inboxDoc(user.id));
  const roomIds = inbox ? readChats(inbox).map((chat) => chat.roomId) : [];
  yield '"rooms":[';
  let first = true;
  for (const roomId of roomIds) {
    const room = parseRoomId(roomId);
    if (!room) continue;
    const headDoc = await storedDoc(store, roomHeadDoc(room.id));
    const meta = headDoc ? readMeta(headDoc) : null;
    const through = await readableThrough(store, room, user.id, meta?.head ?? 0);
    if (through === null) continue;
    const members = room.kind === 'dm' ? [...room.members] : headDoc ? [...readMembers(headDoc).keys()] : [];
    for (const id of members) people.add(id);
    const about = { id: room.id, kind: room.kind, ...(meta?.name ? { name: meta.name } : {}), members };
    yield `${first ? '' : ','}${JSON.stringify(about).slice(0, -1)},"messages":[`;
    first = false;
    let firstMessage = true;
    for (let bucket = 0; bucket <= through; bucket++) {
      const doc = await storedDoc(store, bucketDoc(room.id, bucket));
      if (!doc) continue;
      const lines = readShownMessages(doc).map((message) => {
        people.add(message.authorId);
        return JSON.stringify(exported(message, publicUrl));
      });
      doc.destroy();
      if (lines.length === 0) continue;
      yield `${firstMessage ? '' : ','}${lines.join(',')}`;
      firstMessage = false;
    }
    yield ']}';
  }
  yield '],';

  // Names as they are now, so the file reads without the server; a deleted account reads as such.
  const named = await store.getUsersByIds([...people]);
  const directory = Object.fromEntries(named.map((p) => [p.id, p.deletedAt === null ? { username: p.username, displayName: p.displayName } : { displayName: p.displayName, deleted: true }]));
  yield `"people":${JSON.stringify(directory)}}`;
}
