import * as Y from 'yjs';
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

export function setMember(doc: Y.Doc, userId: UserId, member: Member): void {
  membersMap(doc).set(userId, member);
}

export function removeMember(doc: Y.Doc, userId: UserId): void {
  membersMap(doc).delete(userId);
}

export function renameGroup(doc: Y.Doc, name: string): void {
  metaMap(doc).set('name', name.trim().slice(0, MAX_GROUP_NAME));
}

