import type * as Y from 'yjs';
import { z } from 'zod';
import type { UserId } from '../ids';

/** Root type names of a room head doc. */
export const ROOM_HEAD = { meta: 'meta', members: 'members' } as const;

export type MemberRole = 'owner' | 'admin' | 'member';

export const memberSchema = z
  .object({
    role: z.enum(['owner', 'admin', 'member']),
    addedBy: z.string(),
    addedAt: z.number().int().nonnegative(),
  })
  .strict();
export type Member = z.infer<typeof memberSchema> & { addedBy: UserId };

/** Longest group name. */
export const MAX_GROUP_NAME = 100;

const DAY_MS = 24 * 60 * 60_000;

/**
 * The choices of "Disappearing messages", in ms after a message was sent (0: off), as
 * WhatsApp offers them. Only these are accepted: a chat never gets a period nobody chose
 * from the menu (a second, say, which would empty it as it is written).
 */
export const DISAPPEARING_CHOICES = [0, DAY_MS, 7 * DAY_MS, 90 * DAY_MS] as const;

/**
 * A chat's disappearing-messages setting, in its head's `meta.disappearing`: messages
 * sent while it is on (at or after `at`) are removed `afterMs` after they were sent.
 * `by` is who set it (the guard holds it to the writer), `at` when (not past the
 * server's clock plus the allowed skew).
 */
export const disappearingSchema = z
  .object({
    afterMs: z.number().refine((ms) => (DISAPPEARING_CHOICES as readonly number[]).includes(ms), 'not a choice'),
    by: z.string(),
    at: z.number().int().nonnegative(),
  })
  .strict();
export type Disappearing = z.infer<typeof disappearingSchema> & { by: UserId };

/** The words of a period: "24 hours", "7 days", "90 days"; "Off" for 0. */
export function disappearingLabel(afterMs: number): string {
  if (afterMs === 0) return 'Off';
  if (afterMs === DAY_MS) return '24 hours';
  return `${Math.round(afterMs / DAY_MS)} days`;
}

/** The chat's disappearing-messages setting; null when never set or malformed (off). */
export function readDisappearing(doc: Y.Doc): Disappearing | null {
  return (disappearingSchema.safeParse(metaMap(doc).get('disappearing')).data as Disappearing | undefined) ?? null;
}

/**
 * Sets the chat's disappearing messages to `afterMs` (one of {@link DISAPPEARING_CHOICES}),
 * written by `by`: either person of a DM, an admin or owner of a group (`schema/access.ts`).
 */
export function setDisappearing(doc: Y.Doc, afterMs: number, by: UserId, now: number): void {
  if ((readDisappearing(doc)?.afterMs ?? 0) === afterMs) return;
  metaMap(doc).set('disappearing', { afterMs, by, at: now });
}

export interface RoomMeta {
  kind: 'dm' | 'group';
  name?: string;
  createdBy?: UserId;
  createdAt?: number;
  /** The bucket new messages go to; the server moves it forward when a bucket is full. */
  head: number;
}

function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(ROOM_HEAD.meta);
}

function membersMap(doc: Y.Doc): Y.Map<Member> {
  return doc.getMap(ROOM_HEAD.members);
}

/** Reads the room's meta; a room nobody has written yet reads as kind-less with head 0. */
export function readMeta(doc: Y.Doc): RoomMeta | null {
  const meta = metaMap(doc);
  const kind = meta.get('kind');
  if (kind !== 'dm' && kind !== 'group') return null;
  const name = meta.get('name');
  const createdBy = meta.get('createdBy');
  const createdAt = meta.get('createdAt');
  return {
    kind,
    name: typeof name === 'string' ? name : undefined,
    createdBy: typeof createdBy === 'string' ? (createdBy as UserId) : undefined,
    createdAt: typeof createdAt === 'number' ? createdAt : undefined,
    head: headBucket(doc),
  };
}

/** The bucket new messages are appended to. */
export function headBucket(doc: Y.Doc): number {
  const head = metaMap(doc).get('head');
  return typeof head === 'number' && Number.isSafeInteger(head) && head >= 0 ? head : 0;
}

/** Server only: moves the head bucket forward (never back). */
export function advanceHead(doc: Y.Doc, to: number): boolean {
  if (to <= headBucket(doc)) return false;
  metaMap(doc).set('head', to);
  return true;
}

/**
 * Writes a DM's meta. Both people may do this while offline; the values are the
 * same kind, so the last writer winning changes nothing that matters.
 */
export function initDm(doc: Y.Doc, by: UserId, now: number): void {
  const meta = metaMap(doc);
  if (meta.get('kind') === 'dm') return;
  doc.transact(() => {
    meta.set('kind', 'dm');
    meta.set('createdBy', by);
    meta.set('createdAt', now);
  });
}

/** Writes a new group's meta and members: the creator is its owner. */
export function initGroup(doc: Y.Doc, args: { name: string; owner: UserId; members: readonly UserId[]; now: number }): void {
  const meta = metaMap(doc);
  const members = membersMap(doc);
  doc.transact(() => {
    meta.set('kind', 'group');
    meta.set('name', args.name.trim().slice(0, MAX_GROUP_NAME));
    meta.set('createdBy', args.owner);
    meta.set('createdAt', args.now);
    meta.set('head', 0);
    members.set(args.owner, { role: 'owner', addedBy: args.owner, addedAt: args.now });
    for (const id of args.members) {
      if (id !== args.owner) members.set(id, { role: 'member', addedBy: args.owner, addedAt: args.now });
    }
  });
}

/** A group's members (a DM's members are in its id, see `parseRoomId`). Malformed entries are skipped. */
export function readMembers(doc: Y.Doc): Map<UserId, Member> {
  const out = new Map<UserId, Member>();
  membersMap(doc).forEach((value, key) => {
    const parsed = memberSchema.safeParse(value);
    if (parsed.success) out.set(key as UserId, parsed.data as Member);
  });
  return out;
}

/**
 * The role each stored member entry gives, by the entry itself: the guard asks for the
 * writer's role on every update to a group's docs, and an entry is replaced, never
 * changed, when the role changes.
 */
const rolesByEntry = new WeakMap<object, MemberRole | null>();

/** The role the group's own `members` map gives `userId` (null: not a member, or a malformed entry). */
export function roleIn(doc: Y.Doc, userId: UserId): MemberRole | null {
  const entry = membersMap(doc).get(userId);
  if (typeof entry !== 'object' || entry === null) return null;
  const known = rolesByEntry.get(entry);
  if (known !== undefined) return known;
  const role = memberSchema.safeParse(entry).data?.role ?? null;
  rolesByEntry.set(entry, role);
  return role;
}

export function setMember(doc: Y.Doc, userId: UserId, member: Member): void {
  membersMap(doc).set(userId, member);
}

/**
 * Adds people as plain members, written by `by` (an owner or admin). People already in
 * stay as they are. `addedAt` is never before the group's `createdAt` (the guard's rule),
 * even when this device's clock is behind the creator's.
 */
export function addMembers(doc: Y.Doc, userIds: readonly UserId[], by: UserId, now: number): void {
  const members = membersMap(doc);
  const addedAt = Math.max(now, readMeta(doc)?.createdAt ?? 0);
  doc.transact(() => {
    for (const id of userIds) if (!members.has(id)) setMember(doc, id, { role: 'member', addedBy: by, addedAt });
  });
}

/**
 * Makes a member an admin or a plain member again, written by `by` (the guard wants the
 * writer in `addedBy`); `addedAt` keeps when they joined, which decides who takes over
 * from a leaving owner.
 */
export function setRole(doc: Y.Doc, userId: UserId, role: MemberRole, by: UserId): void {
  const current = readMembers(doc).get(userId);
  if (!current || current.role === role) return;
  setMember(doc, userId, { role, addedBy: by, addedAt: current.addedAt });
}

export function removeMember(doc: Y.Doc, userId: UserId): void {
  membersMap(doc).delete(userId);
}

export function renameGroup(doc: Y.Doc, name: string): void {
  metaMap(doc).set('name', name.trim().slice(0, MAX_GROUP_NAME));
}

/** A member entry before and after one change (null: not a member). */
interface MemberChange {
  userId: UserId;
  before: Member | null;
  after: Member | null;
}

/** What one transaction changed in a group's head, as the people in it would tell it. */
export interface HeadChange {
  /** The transaction wrote the group's `kind`: it created the group. */
  created: boolean;
  /** The group's name after the change, when the change wrote it. */
  name?: string;
  /** The disappearing-messages period after the change (0: off), when the change set it. */
  disappearing?: number;
  /** Member entries the change added, removed or rewrote, in key order. */
  members: MemberChange[];
}

const parseMember = (value: unknown): Member | null => (memberSchema.safeParse(value).data as Member | undefined) ?? null;

/**
 * Calls `listener` once per transaction that changes the head's `meta` or `members`,
 * with the entries' values before and after and the transaction's origin; returns the
 * unsubscribe function. The cost follows the keys the transaction touched.
 */
export function onHeadChanged(doc: Y.Doc, listener: (change: HeadChange, origin: unknown) => void): () => void {
  const meta = metaMap(doc);
  const members = membersMap(doc);
  let pending: { transaction: Y.Transaction; change: HeadChange } | null = null;
  const changeOf = (transaction: Y.Transaction): HeadChange => {
    if (pending?.transaction !== transaction) pending = { transaction, change: { created: false, members: [] } };
    return pending.change;
  };
  // Old values are read in the observers, while the transaction still knows them.
  const onMeta = (event: Y.YMapEvent<unknown>) => {
    const change = changeOf(event.transaction);
    if (event.changes.keys.get('kind')?.action === 'add') change.created = true;
    // `changes` leaves out a write that lost to a concurrent one (added and deleted at once).
    const name = event.changes.keys.get('name');
    const now = meta.get('name');
    if (name && name.action !== 'delete' && name.oldValue !== now && typeof now === 'string') change.name = now;
    const disappearing = event.changes.keys.get('disappearing');
    if (disappearing && disappearing.action !== 'delete') {
      const before = disappearingSchema.safeParse(disappearing.oldValue).data?.afterMs ?? 0;
      const after = disappearingSchema.safeParse(meta.get('disappearing')).data?.afterMs;
      if (after !== undefined && after !== before) change.disappearing = after;
    }
  };
  const onMembers = (event: Y.YMapEvent<Member>) => {
    const change = changeOf(event.transaction);
    for (const [key, { oldValue }] of event.changes.keys) {
      const before = parseMember(oldValue);
      const after = parseMember(members.get(key));
      if (before?.role !== after?.role || (before === null) !== (after === null)) change.members.push({ userId: key as UserId, before, after });
    }
  };
  const onAfter = (transaction: Y.Transaction) => {
    if (pending?.transaction !== transaction) return;
    const { change } = pending;
    pending = null;
    change.members.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    if (change.created || change.name !== undefined || change.disappearing !== undefined || change.members.length > 0) listener(change, transaction.origin);
  };
  meta.observe(onMeta);
  members.observe(onMembers);
  doc.on('afterTransaction', onAfter);
  return () => {
    meta.unobserve(onMeta);
    members.unobserve(onMembers);
    doc.off('afterTransaction', onAfter);
  };
}

/**
 * Who takes over when the owner leaves: the longest-standing admin, else the
 * longest-standing member (earliest `addedAt`, then the smaller id, so every replica
 * picks the same person); null when nobody else is left. Another owner, if any, means
 * nobody needs to take over.
 */
export function successorOf(members: ReadonlyMap<UserId, Member>, leaving: UserId): UserId | null {
  const others = [...members].filter(([id]) => id !== leaving);
  if (others.some(([, m]) => m.role === 'owner')) return null;
  const rank = (m: Member) => (m.role === 'admin' ? 0 : 1);
  others.sort(([a, ma], [b, mb]) => rank(ma) - rank(mb) || ma.addedAt - mb.addedAt || (a < b ? -1 : 1));
  return others[0]?.[0] ?? null;
}

/**
 * Leaves the group: removes one's own entry. An owner who is the last owner first
 * makes {@link successorOf} the owner, in the same change, so a group never loses its
 * owner while someone is left in it (the guard accepts it: an owner may make owners).
 */
export function leaveGroup(doc: Y.Doc, me: UserId): void {
  const members = readMembers(doc);
  const mine = members.get(me);
  if (!mine) return;
  doc.transact(() => {
    const successor = mine.role === 'owner' ? successorOf(members, me) : null;
    const current = successor ? members.get(successor) : undefined;
    if (successor && current) setMember(doc, successor, { role: 'owner', addedBy: me, addedAt: current.addedAt });
    removeMember(doc, me);
  });
}
