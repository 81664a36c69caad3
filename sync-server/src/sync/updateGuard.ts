import * as Y from 'yjs';
import { mayWrite, writeRulesFor, type WriteRefusal, type WriterFacts } from '../../../schema/access';
import { BUCKET } from '../../../schema/docs/bucket';
import { messageSchema } from '../../../schema/docs/message';
import { roomOfDoc, type DocRef } from '../../../schema/docs/names';
import { memberSchema, ROOM_HEAD, type MemberRole } from '../../../schema/docs/roomHead';
import type { UserId } from '../../../schema/ids';
import { checkValues, type ValueContext, type ValueRefusal } from './guardValues';
import type { FileLookup } from './attachments';
import { messageAuthors } from './messageAuthors';
import { MalformedUpdate, UpdateView, type Location } from './updateView';

/** Largest update the server applies; a bigger one is refused as `too_large`. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/** Stable names of the guard's rules, as they travel in `rejected_update:<rule>`. */
export type GuardRule =
  | WriteRefusal
  | ValueRefusal
  | 'too-large'
  | 'malformed'
  | 'client-id'
  /** Needs a struct the server lacks: the client's next full sync carries both, so reconnecting helps. */
  | 'missing-dependency'
  | 'unknown-root'
  | 'delete-foreign'
  | 'message-id';

export interface GuardInput {
  /** The server's replica, before the update. */
  doc: Y.Doc;
  ref: DocRef;
  userId: UserId;
  /** The user's group role as the store knows it; a room head's own `members` map overrides it. */
  role: MemberRole | null;
  /** A Yjs v1 update. */
  update: Uint8Array;
  /** The user who claimed a Yjs client id, if known. */
  clientOwner: (clientId: number) => UserId | undefined;
  /** The files the update's attachments name; without it every attachment is refused. */
  files?: FileLookup;
}

/**
 * `newClientIds`: client ids the update writes with that `clientOwner` did not know;
 * the verdict assumed they become the user's, so the caller must claim them and refuse
 * the update if any claim names someone else.
 */
export type GuardResult = { ok: true; newClientIds: number[] } | { ok: false; rule: GuardRule; detail?: string };

type Refusal = { ok: false; rule: GuardRule; detail?: string };

interface Change {
  /** `set`: a new item writes the entry; `remove`: the update deletes an item. */
  op: 'set' | 'remove';
  root: string;
  key: string | null;
  /** The item's values; null for deleted content (a tombstone carries none). */
  values: readonly unknown[] | null;
  /** A list item placed before an existing one rather than at the end. */
  insertsBefore: boolean;
}

const refuse = (rule: GuardRule, detail?: string): Refusal => ({ ok: false, rule, detail });

/** The role a room head's own `members` map gives a user: it is the truth while the SQL projection catches up. */
export function memberRoleIn(doc: Y.Doc, userId: UserId): MemberRole | null {
  const parsed = memberSchema.safeParse(doc.getMap(ROOM_HEAD.members).get(userId));
  return parsed.success ? parsed.data.role : null;
}

/**
 * Checks one incoming update against the doc it would change, before it is applied.
 * Structs whose clocks the doc already has are skipped whoever wrote them (a client
 * re-sending known state changes nothing); every other struct must use the user's own
 * client ids and land only where the doc kind's rules ({@link writeRulesFor}) let the
 * user write; deletions are checked as removals of the entries they hit. The cost
 * follows the update: lookups go to the items it touches, never over the whole doc.
 */
export function checkUpdate(input: GuardInput): GuardResult {
  if (input.update.byteLength > MAX_UPDATE_BYTES) return refuse('too-large', `${input.update.byteLength} bytes`);
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(input.update);
  } catch {
    return refuse('malformed', 'undecodable');
  }
  try {
    return checkDecoded(input, new UpdateView(input.doc, decoded.structs), decoded.ds);
  } catch (error) {
    if (error instanceof MalformedUpdate) return refuse('malformed', error.message);
    throw error;
  }
}

function checkDecoded(input: GuardInput, view: UpdateView, ds: ReturnType<typeof Y.decodeUpdate>['ds']): GuardResult {
  const newClientIds = new Set<number>();
  const changes: Change[] = [];
  const next = new Map<number, number>();
  for (const struct of view.structs) {
    if (struct instanceof Y.Skip) continue;
    const client = struct.id.client;
    const state = view.state(client);
    if (struct.id.clock + struct.length <= state) continue;
    // A gap before the first new clock would leave the rest pending, unchecked, until it fills.
    const expected = next.get(client) ?? state;
    if (struct.id.clock > expected) return refuse('missing-dependency', `${client}:${expected}`);
    next.set(client, struct.id.clock + struct.length);
    const owner = input.clientOwner(client);
    if (owner === undefined) newClientIds.add(client);
    else if (owner !== input.userId) return refuse('client-id', String(client));
    if (struct instanceof Y.GC) continue;
    const offset = Math.max(0, state - struct.id.clock);
    const change = setChange(view, struct, offset);
    if (!('op' in change)) return change;
    if (change.op === 'set') changes.push(change);
  }
  for (const [client, deletions] of ds.clients) {
    for (const { clock, len } of deletions) {
      const refusal = collectRemovals(view, client, clock, clock + len, changes);
      if (refusal) return refusal;
    }
  }
  const refusal = checkChanges(input, changes);
  return refusal ?? { ok: true, newClientIds: [...newClientIds] };
}

/** The change a new item makes, from `offset` on (the part the doc lacks); `skip` for one that becomes garbage. */
function setChange(view: UpdateView, item: Y.Item, offset: number): Change | Refusal | { op: 'skip' } {
  const location = view.locate(item);
  if (location.kind !== 'root') return locationRefusal(location, item.id) ?? { op: 'skip' };
  const values = contentValues(item.content, offset);
  if (values === undefined) return refuse('value-shape', item.content.constructor.name);
  return { op: 'set', root: location.root, key: location.key, values, insertsBefore: item.rightOrigin !== null };
}

function locationRefusal(location: Exclude<Location, { kind: 'root' }>, id: Y.ID): Refusal | null {
  const at = `${id.client}:${id.clock}`;
  switch (location.kind) {
    case 'gc':
      return null;
    case 'missing':
      return refuse('missing-dependency', at);
    case 'nested':
      return refuse('unknown-root', `nested type at ${at}`);
    case 'malformed':
      return refuse('malformed', at);
  }
}

/**
 * Jeco docs hold plain JSON values only (`ContentAny`); deleted content (a tombstone
 * an honest client sends after garbage-collecting an overwritten value) carries none.
 * Anything else — text, binary, embeds, nested types, subdocs — has no place here.
 */
function contentValues(content: Y.Item['content'], offset: number): readonly unknown[] | null | undefined {
  if (content instanceof Y.ContentAny) return content.getContent().slice(offset);
  if (content instanceof Y.ContentDeleted) return null;
  return undefined;
}

/**
 * The entries a deleted range removes: the doc's items in it that are not yet deleted
 * (re-deleting is a no-op, so an honest client's full delete set passes), then items of
 * the update itself in it. A range neither has would stay pending, unchecked.
 */
function collectRemovals(view: UpdateView, client: number, clock: number, end: number, changes: Change[]): Refusal | null {
  const state = view.state(client);
  if (clock < state) {
    const structs = view.doc.store.clients.get(client)!;
    const stop = Math.min(end, state);
    for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < stop; i++) {
      const struct = structs[i]!;
      if (struct instanceof Y.GC || struct.deleted) continue;
      const location = view.docLocation(struct);
      if (location.kind !== 'root') return refuse('delete-foreign', `${client}:${struct.id.clock}`);
      changes.push(removal(location, struct));
    }
  }
  for (let from = Math.max(clock, state); from < end; ) {
    const found = view.find(Y.createID(client, from));
    if (!found) return refuse('missing-dependency', `delete ${client}:${from}`);
    const struct = found.struct;
    from = struct.id.clock + struct.length;
    if (struct instanceof Y.GC) continue;
    const location = view.locate(struct);
    if (location.kind !== 'root') {
      const refusal = locationRefusal(location, struct.id);
      if (refusal) return refusal;
      continue;
    }
    changes.push(removal(location, struct));
  }
  return null;
}

function removal(location: Extract<Location, { kind: 'root' }>, item: Y.Item): Change {
  return { op: 'remove', root: location.root, key: location.key, values: contentValues(item.content, 0) ?? null, insertsBefore: false };
}

/** Whether this update creates a group: the head has no kind yet, and the writer sets it and makes themself owner. */
function createsGroup(input: GuardInput, changes: readonly Change[]): boolean {
  if (input.ref.kind !== 'roomHead' || input.ref.room.kind !== 'group') return false;
  if (input.doc.getMap(ROOM_HEAD.meta).get('kind') !== undefined) return false;
  const sets = (root: string, key: string, ok: (value: unknown) => boolean) =>
    changes.some((c) => c.op === 'set' && c.root === root && c.key === key && c.values?.length === 1 && ok(c.values[0]));
  return (
    sets(ROOM_HEAD.meta, 'kind', (value) => value === 'group') &&
    sets(ROOM_HEAD.members, input.userId, (value) => memberSchema.safeParse(value).data?.role === 'owner')
  );
}

function effectiveRole(input: GuardInput): MemberRole | null {
  const room = roomOfDoc(input.ref);
  if (!room) return null;
  if (room.kind === 'dm') return room.members.includes(input.userId) ? 'member' : null;
  return input.ref.kind === 'roomHead' ? memberRoleIn(input.doc, input.userId) : input.role;
}

/**
 * Message ids of a bucket must stay unique, or a second message could take over the
 * first one's edits and deletions. Returns the authors of the messages this update
 * appends, or the refusal.
 */
function appendedMessages(known: ReadonlyMap<string, UserId>, changes: readonly Change[]): Map<string, UserId> | Refusal {
  const fresh = new Map<string, UserId>();
  for (const change of changes) {
    if (change.op !== 'set' || change.root !== BUCKET.messages || change.key !== null) continue;
    for (const value of change.values ?? []) {
      const parsed = messageSchema.safeParse(value);
      if (!parsed.success) continue;
      if (known.has(parsed.data.id) || fresh.has(parsed.data.id)) return refuse('message-id', parsed.data.id);
      fresh.set(parsed.data.id, parsed.data.authorId as UserId);
    }
  }
  return fresh;
}

function checkChanges(input: GuardInput, changes: readonly Change[]): Refusal | null {
  const { ref, userId, doc } = input;
  const known = ref.kind === 'bucket' ? messageAuthors(doc) : new Map<string, UserId>();
  const fresh = ref.kind === 'bucket' ? appendedMessages(known, changes) : new Map<string, UserId>();
  if (!(fresh instanceof Map)) return fresh;
  const creating = createsGroup(input, changes);
  const role = creating ? 'owner' : effectiveRole(input);
  const valueContext: ValueContext = {
    ref,
    userId,
    role,
    creating,
    current: (root, key) => doc.getMap(root).get(key),
    files: input.files,
  };
  const rules = writeRulesFor(ref);
  for (const change of changes) {
    const root = Object.hasOwn(rules, change.root) ? rules[change.root] : undefined;
    if (!root) return refuse('unknown-root', change.root);
    const where = change.key === null ? change.root : `${change.root}.${change.key}`;
    if ((root.shape === 'list') !== (change.key === null)) return refuse('value-shape', `${where}: wrong entry kind`);
    const key = change.key ?? '';
    const entry = 'keys' in root ? (Object.hasOwn(root.keys, key) ? root.keys[key] : undefined) : root.entry;
    if (!entry) return refuse('unknown-key', where);
    const facts: WriterFacts = {
      role,
      ownsDoc: (ref.kind === 'inbox' || ref.kind === 'contacts') && ref.userId === userId,
      keyIsWriter: change.key !== null && (change.key === userId || change.key.endsWith(`:${userId}`)),
      isAuthor: change.key !== null && (known.get(change.key) ?? fresh.get(change.key)) === userId,
      creating,
    };
    if (change.op === 'remove') {
      if (!mayWrite(entry.remove, facts)) {
        const serverOnly = entry.remove.every((writer) => writer === 'server');
        return refuse(root.shape === 'list' ? entry.refusal : serverOnly ? 'server-only' : 'delete-foreign', where);
      }
      // Only an owner removes an owner, except an owner leaving.
      const removed = memberSchema.safeParse(change.values?.at(-1));
      if (change.root === ROOM_HEAD.members && removed.data?.role === 'owner' && role !== 'owner' && !facts.keyIsWriter) {
        return refuse('admin-only', where);
      }
      continue;
    }
    if (!mayWrite(entry.write, facts)) return refuse(entry.refusal, where);
    if (root.shape === 'list' && (change.insertsBefore || change.values === null)) return refuse(entry.refusal, where);
    if (change.values === null) continue;
    const refusal = checkValues(valueContext, change.root, change.key, change.values);
    if (refusal) return refuse(refusal.rule, refusal.detail ? `${where}: ${refusal.detail}` : where);
  }
  return null;
}
