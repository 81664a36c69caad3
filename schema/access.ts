import type * as Y from 'yjs';
import type { DocRef } from './docs/names';
import { roleIn, type MemberRole } from './docs/roomHead';
import type { RoomRef, UserId } from './ids';

/**
 * Who may read and write each kind of document, as data. The sync server's
 * `onAuthenticate` enforces `read`; the update guard enforces the finer write rules;
 * the client uses the same table to hide actions a person may not take.
 *
 * - `member`: a member of the room (for a DM, one of the two people in its id);
 * - `owner`: the user whose id is in the doc name.
 */
export const DOC_READERS = {
  roomHead: 'member',
  bucket: 'member',
  contacts: 'owner',
  inbox: 'owner',
} as const satisfies Record<DocRef['kind'], 'member' | 'owner'>;

/** What a group role allows beyond writing messages. */
export type Capability = 'rename' | 'addMember' | 'removeMember' | 'setAdmin' | 'deleteAnyMessage' | 'setDisappearing';

const CAPABILITIES: Record<MemberRole, ReadonlySet<Capability>> = {
  owner: new Set(['rename', 'addMember', 'removeMember', 'setAdmin', 'deleteAnyMessage', 'setDisappearing']),
  admin: new Set(['rename', 'addMember', 'removeMember', 'setAdmin', 'deleteAnyMessage', 'setDisappearing']),
  member: new Set(),
};

/** Whether a group member with `role` may do `capability`. */
export function can(role: MemberRole | undefined, capability: Capability): boolean {
  return role ? CAPABILITIES[role].has(capability) : false;
}

/**
 * The role `userId` has in `room`: either person of a DM counts as a `member` (a DM's
 * members are its id); in a group it is the entry of the group's head, when the head is
 * at hand. `undefined` means "ask the SQL projection of the heads": the group's head is
 * not loaded here. Every place that asks (the guard, reads at connect, the client)
 * answers with this.
 */
export function roomRole(room: RoomRef, userId: UserId, head: Y.Doc | undefined): MemberRole | null | undefined {
  if (room.kind === 'dm') return room.members.includes(userId) ? 'member' : null;
  return head ? roleIn(head, userId) : undefined;
}

/** A change to one entry of a group's `members`: the entry's role before and after (null: not a member). */
export interface MemberChange {
  target: UserId;
  before: MemberRole | null;
  after: MemberRole | null;
}

/** Who makes a {@link MemberChange}: their role before the change, and whether the change creates the group. */
export interface MemberActor {
  id: UserId;
  role: MemberRole | null;
  creating: boolean;
}

/** Why a member change is refused: it travels as the detail of `rejected_update:admin-only`. */
export type MemberRefusal = 'add' | 'admin role' | 'role' | 'own role' | 'owner role' | 'remove';

/**
 * The rules of a group's membership, the one place they are written; the update guard
 * judges every entry an update writes or removes with it, and the group info offers
 * only what it allows:
 * - creating the group, its creator writes every entry and is the only owner;
 * - leaving (removing one's own entry) is always allowed;
 * - nobody changes their own role (an owner steps down by leaving, which hands the
 *   group on: `leaveGroup`), so a group is never left without an owner by a demotion;
 * - adding needs `addMember` (and `setAdmin` to add someone as an admin), removing
 *   someone needs `removeMember`, changing a role needs `setAdmin`; rewriting an entry
 *   without changing its role (a concurrent add) needs `addMember`;
 * - only an owner makes, changes or removes an owner.
 */
export function memberChangeRefusal(actor: MemberActor, change: MemberChange): MemberRefusal | null {
  const { before, after } = change;
  if (actor.creating) return after === 'owner' && change.target !== actor.id ? 'owner role' : null;
  if (after === null && change.target === actor.id) return null;
  if ((before === 'owner' || after === 'owner') && actor.role !== 'owner') return 'owner role';
  if (after === null) return before === null || can(actor.role ?? undefined, 'removeMember') ? null : 'remove';
  if (before === null) {
    if (!can(actor.role ?? undefined, 'addMember')) return 'add';
    return after === 'admin' && !can(actor.role ?? undefined, 'setAdmin') ? 'admin role' : null;
  }
  if (before === after) return can(actor.role ?? undefined, 'addMember') ? null : 'add';
  if (change.target === actor.id) return 'own role';
  return can(actor.role ?? undefined, 'setAdmin') ? null : 'role';
}

/**
 * Who may write an entry of a doc (the update guard's rules, and what the client uses
 * to hide actions a person may not take):
 * - `member`: anyone who may write the doc at all (its members; auth decided that);
 * - `docOwner`: the user named in the doc name (`inbox/<id>`, `contacts/<id>`);
 * - `keyUser`: the user the entry's key names: the key is their id, or ends in `:<id>`;
 * - `author`: the author of the message whose id is the key;
 * - `creator`: whoever creates the group in this very change (first writer of a kind-less head);
 * - a {@link Capability}: a group member whose role grants it;
 * - `memberRule`: as {@link memberChangeRefusal} decides for the entry's role before and after;
 * - `server`: only the server's own writes, which never pass the guard;
 * - `nobody`: not even the server.
 */
export type Writer = 'member' | 'docOwner' | 'keyUser' | 'author' | 'creator' | 'memberRule' | 'server' | 'nobody' | Capability;

/** Stable names of the write rules, as they travel in a refusal (`rejected_update:<name>`). */
export type WriteRefusal = 'messages-append-only' | 'edit-author' | 'reaction-key' | 'key-user' | 'admin-only' | 'owner-only' | 'server-only' | 'immutable';

/** Who may set (add or overwrite) and who may remove one entry; a change passes if any listed writer applies. */
export interface EntryRule {
  readonly write: readonly Writer[];
  readonly remove: readonly Writer[];
  /** The refusal a forbidden write is reported as. */
  readonly refusal: WriteRefusal;
}

/**
 * The rules of one root type. A `list` only grows by appends at its end (its entries
 * have no key); a `map` is written key by key, by `entry` for every key or by `keys`
 * for the keys it names (any other key is refused).
 */
export type RootRule =
  | { readonly shape: 'list'; readonly entry: EntryRule }
  | { readonly shape: 'map'; readonly entry: EntryRule }
  | { readonly shape: 'map'; readonly keys: Readonly<Record<string, EntryRule>> };

const rule = (write: readonly Writer[], remove: readonly Writer[], refusal: WriteRefusal): EntryRule => ({ write, remove, refusal });
const writeOnce = rule(['creator'], ['nobody'], 'immutable');
const ownKey = rule(['keyUser'], ['keyUser'], 'key-user');

/**
 * The writers of every root of every doc kind; roots not listed are refused. Values are
 * checked too (message schema, `authorId`, `by`, member entries…) by the guard.
 * Overwriting a map key removes its old value, so `remove` must allow whoever may write.
 */
export const DOC_WRITERS = {
  bucket: {
    messages: { shape: 'list', entry: rule(['member'], ['nobody'], 'messages-append-only') },
    edits: { shape: 'map', entry: rule(['author'], ['author'], 'edit-author') },
    deletions: { shape: 'map', entry: rule(['author', 'deleteAnyMessage'], ['author', 'deleteAnyMessage'], 'admin-only') },
    reactions: { shape: 'map', entry: rule(['keyUser'], ['keyUser'], 'reaction-key') },
  },
  groupHead: {
    meta: {
      shape: 'map',
      keys: {
        kind: writeOnce,
        createdBy: writeOnce,
        createdAt: writeOnce,
        name: rule(['creator', 'rename'], ['rename'], 'admin-only'),
        // Disappearing messages: admins and owners of a group (roomHead.ts' disappearingSchema).
        disappearing: rule(['setDisappearing'], ['setDisappearing'], 'admin-only'),
        // The creator writes 0; only the server moves it on.
        head: rule(['creator'], ['server'], 'server-only'),
        // The room's receipts folded over its members (schema/docs/receipts.ts).
        receipts: rule(['server'], ['server'], 'server-only'),
      },
    },
    // Adding, removing, roles and leaving: memberChangeRefusal.
    members: { shape: 'map', entry: rule(['memberRule'], ['memberRule'], 'admin-only') },
    receipts: { shape: 'map', entry: ownKey },
  },
  dmHead: {
    meta: {
      shape: 'map',
      keys: {
        // Either person may start the DM, both possibly offline: same values, either wins.
        kind: rule(['member'], ['member'], 'immutable'),
        createdBy: rule(['member'], ['member'], 'immutable'),
        createdAt: rule(['member'], ['member'], 'immutable'),
        // Disappearing messages: either person of a DM.
        disappearing: rule(['member'], ['member'], 'admin-only'),
        head: rule(['server'], ['server'], 'server-only'),
        receipts: rule(['server'], ['server'], 'server-only'),
      },
    },
    receipts: { shape: 'map', entry: ownKey },
  },
  inbox: {
    chats: { shape: 'map', entry: rule(['server'], ['server'], 'server-only') },
    state: { shape: 'map', entry: rule(['docOwner'], ['docOwner'], 'owner-only') },
    // The notification list (schema/docs/notifications.ts); its read marks are the owner's, in `state`.
    notifications: { shape: 'map', entry: rule(['server'], ['server'], 'server-only') },
  },
  contacts: {
    contacts: { shape: 'map', entry: rule(['docOwner'], ['docOwner'], 'owner-only') },
  },
} as const satisfies Record<string, Record<string, RootRule>>;

/** The kinds of doc {@link DOC_WRITERS} has rules for: a room head's rules depend on its room. */
export type WriteRulesKind = keyof typeof DOC_WRITERS;

/** Which entry of {@link DOC_WRITERS} applies to a doc; the guard's value checks are keyed the same way. */
export function writeRulesKind(ref: DocRef): WriteRulesKind {
  if (ref.kind === 'roomHead') return ref.room.kind === 'dm' ? 'dmHead' : 'groupHead';
  return ref.kind;
}

/** The root rules that apply to a doc. */
export function writeRulesFor(ref: DocRef): Readonly<Record<string, RootRule>> {
  return DOC_WRITERS[writeRulesKind(ref)];
}

/** Who a writer check is about: the facts a {@link Writer} is tested against. */
export interface WriterFacts {
  /** The writer's group role (`member` for either person of a DM), if any. */
  role: MemberRole | null;
  /** The writer is the user named in the doc name. */
  ownsDoc: boolean;
  /** The entry's key names the writer. */
  keyIsWriter: boolean;
  /** The writer wrote the message the key names. */
  isAuthor: boolean;
  /** The change creates the group. */
  creating: boolean;
  /** For a group's member entry: what {@link memberChangeRefusal} says of the change (null: allowed). */
  memberRefusal?: MemberRefusal | null;
}

/** Whether `role` (a group role, `member` for either person of a DM) may set the chat's disappearing messages. */
export function maySetDisappearing(kind: 'dm' | 'group', role: MemberRole | null): boolean {
  const facts: WriterFacts = { role, ownsDoc: false, keyIsWriter: false, isAuthor: false, creating: false };
  return role !== null && mayWrite(DOC_WRITERS[kind === 'dm' ? 'dmHead' : 'groupHead'].meta.keys.disappearing.write, facts);
}

/** Whether any of `writers` applies to a writer with these facts. */
export function mayWrite(writers: readonly Writer[], facts: WriterFacts): boolean {
  return writers.some((writer) => {
    switch (writer) {
      case 'member':
        return true;
      case 'docOwner':
        return facts.ownsDoc;
      case 'keyUser':
        return facts.keyIsWriter;
      case 'author':
        return facts.isAuthor;
      case 'creator':
        return facts.creating;
      case 'memberRule':
        return facts.memberRefusal === null;
      case 'server':
      case 'nobody':
        return false;
      default:
        return can(facts.role ?? undefined, writer);
    }
  });
}
