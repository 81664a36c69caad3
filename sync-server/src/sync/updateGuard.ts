import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { mayWrite, memberChangeRefusal, roomRole, writeRulesFor, type MemberRefusal, type WriteRefusal, type WriterFacts } from '#schema/access';
import { BUCKET } from '#schema/docs/bucket';
import { asStoredMessage } from '#schema/docs/message';
import { roomOfDoc, type DocRef } from '#schema/docs/names';
import { memberSchema, roleIn, ROOM_HEAD, type MemberRole } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';
import { decodeUpdateOnce, type DecodedUpdate } from './decodedUpdates';
import { checkValues, type ValueContext, type ValueRefusal } from './guardValues';
import { appendsAtEnd } from './messagePlacement';
import type { FileLookup } from './attachments';
import { messageAuthors } from './messageAuthors';
import { collectRemovals, setChange, type Change } from './updateChanges';
import { MalformedUpdate, UpdateView } from './updateView';
import { simulateIntegration } from './yjsIntegration';

/** Largest update the server applies; a bigger one is refused as `too_large`. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/**
 * Most client ids one update may bring that the server has not seen. A tab writes with
 * one id per doc and session; a device that was offline sends what its tabs and
 * reloads wrote meanwhile, a few ids. Each new id is a row claimed for good and an
 * entry in every reader's state vector, so a flood of them has no honest use.
 */
export const MAX_NEW_CLIENT_IDS = 8;

/** Stable names of the guard's rules, as they travel in `rejected_update:<rule>`. */
type GuardRule =
  | WriteRefusal
  | ValueRefusal
  | 'too-large'
  | 'malformed'
  | 'client-id'
  /** More new client ids in one update than {@link MAX_NEW_CLIENT_IDS}. */
  | 'client-ids'
  /** Garbage (a GC struct, or an item Yjs would turn into one) at clocks the server lacks. */
  | 'gc'
  /** An overlay key naming a message the bucket does not hold. */
  | 'unknown-message'
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
  /**
   * The user's role in a group, for a bucket: from the loaded head or the store
   * (`roomRole`). A room head's own `members` map and a DM's id decide for themselves.
   */
  role: MemberRole | null;
  /** A Yjs v1 update. */
  update: Uint8Array;
  /** The user who claimed a Yjs client id, if known. */
  clientOwner: (clientId: number) => UserId | undefined;
  /** The server's clock (Date.now unless a test drives time). */
  clock?: () => number;
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

const refuse = (rule: GuardRule, detail?: string): Refusal => ({ ok: false, rule, detail });

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
  let decoded: DecodedUpdate;
  let sections: number;
  try {
    decoded = decodeUpdateOnce(input.update);
    sections = decoding.readVarUint(decoding.createDecoder(input.update));
  } catch {
    return refuse('malformed', 'undecodable');
  }
  // Yjs keeps only the last section of a client that appears twice (or empty): what it applied would not be what was checked.
  if (sections !== new Set(decoded.structs.map((struct) => struct.id.client)).size) return refuse('malformed', 'client sections');
  try {
    return checkDecoded(input, new UpdateView(input.doc, decoded.structs), decoded.ds);
  } catch (error) {
    if (error instanceof MalformedUpdate) return refuse('malformed', error.message);
    throw error;
  }
}

function checkDecoded(input: GuardInput, view: UpdateView, ds: DecodedUpdate['ds']): GuardResult {
  const newClientIds = new Set<number>();
  const changes: Change[] = [];
  const next = new Map<number, number>();
  const plan = simulateIntegration(view.clients, (client) => view.state(client));
  if (!plan.ok) {
    const at = `${plan.waitsFor.client}:${plan.waitsFor.clock}`;
    // Waiting on an id the update itself holds is a cycle no encoder writes; otherwise a later update may fill the hole.
    if (plan.reason === 'throws') return refuse('malformed', `unresolvable reference ${at}`);
    return view.find(plan.waitsFor) && plan.reason === 'dependency' ? refuse('malformed', `cycle at ${at}`) : refuse('missing-dependency', at);
  }
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
    if (owner === undefined) {
      newClientIds.add(client);
      if (newClientIds.size > MAX_NEW_CLIENT_IDS) return refuse('client-ids', `more than ${MAX_NEW_CLIENT_IDS}`);
    } else if (owner !== input.userId) return refuse('client-id', String(client));
    // Jeco docs have no nested types, so nothing honest is ever garbage-collected into new clocks.
    if (struct instanceof Y.GC) return refuse('gc', `${client}:${struct.id.clock}`);
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
  const refusal = checkChanges(input, view, changes);
  return refusal ?? { ok: true, newClientIds: [...newClientIds] };
}

/** Whether this update creates a group: the head has no kind yet, and the writer sets it and makes themself owner. */
function createsGroup(input: GuardInput, changes: readonly Change[]): boolean {
  if (input.ref.kind !== 'roomHead' || input.ref.room.kind !== 'group') return false;
  if (input.doc.getMap(ROOM_HEAD.meta).get('kind') !== undefined) return false;
  const sets = (root: string, key: string, ok: (value: unknown) => boolean) => changes.some((c) => c.op === 'set' && c.root === root && c.key === key && c.values?.length === 1 && ok(c.values[0]));
  return sets(ROOM_HEAD.meta, 'kind', (value) => value === 'group') && sets(ROOM_HEAD.members, input.userId, (value) => memberSchema.safeParse(value).data?.role === 'owner');
}

/** The writer's role in the doc's room: a head judges by its own members (it is ahead of the SQL projection), a bucket by `input.role`. */
function writerRole(input: GuardInput): MemberRole | null {
  const room = roomOfDoc(input.ref);
  if (!room) return null;
  const role = roomRole(room, input.userId, input.ref.kind === 'roomHead' ? input.doc : undefined);
  return role === undefined ? input.role : role;
}

/**
 * What one change does to a group's member entry, judged by `memberChangeRefusal`:
 * a new value moves the entry from what the doc holds to that value (deleted content
 * removes it); removing the doc's value is leaving or removing someone, unless the
 * update writes the same key anew (an overwrite, judged as that write).
 */
function memberRefusal(input: GuardInput, change: Change, changes: readonly Change[], actor: { role: MemberRole | null; creating: boolean }): MemberRefusal | null {
  const key = change.key ?? '';
  if (change.op === 'remove' && change.inDoc && changes.some((c) => c.op === 'set' && c.root === change.root && c.key === change.key)) return null;
  const before = roleIn(input.doc, key as UserId);
  // A value of the wrong shape is judged as a plain addition; its value check refuses it.
  const after = change.op === 'remove' || change.values === null ? null : (memberSchema.safeParse(change.values.at(-1)).data?.role ?? 'member');
  return memberChangeRefusal({ id: input.userId, ...actor }, { target: key as UserId, before, after });
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
      const message = asStoredMessage(value);
      if (!message) continue;
      if (known.has(message.id) || fresh.has(message.id)) return refuse('message-id', message.id);
      fresh.set(message.id, message.authorId);
    }
  }
  return fresh;
}

function checkChanges(input: GuardInput, view: UpdateView, changes: readonly Change[]): Refusal | null {
  const { ref, userId, doc } = input;
  const known = ref.kind === 'bucket' ? messageAuthors(doc) : new Map<string, UserId>();
  const fresh = ref.kind === 'bucket' ? appendedMessages(known, changes) : new Map<string, UserId>();
  if (!(fresh instanceof Map)) return fresh;
  const creating = createsGroup(input, changes);
  const role = creating ? 'owner' : writerRole(input);
  const groupHead = ref.kind === 'roomHead' && ref.room.kind === 'group';
  const valueContext: ValueContext = {
    ref,
    userId,
    creating,
    now: (input.clock ?? Date.now)(),
    // The doc itself, not a closure over it: one made per update cost more than the rest of this set-up (tsx names each).
    doc,
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
      memberRefusal: groupHead && change.root === ROOM_HEAD.members ? memberRefusal(input, change, changes, { role, creating }) : undefined,
    };
    const why = facts.memberRefusal ? `${where}: ${facts.memberRefusal}` : where;
    if (change.op === 'remove') {
      if (!mayWrite(entry.remove, facts)) {
        const serverOnly = entry.remove.every((writer) => writer === 'server');
        const named = root.shape === 'list' || entry.remove.includes('memberRule');
        return refuse(named ? entry.refusal : serverOnly ? 'server-only' : 'delete-foreign', why);
      }
      continue;
    }
    if (!mayWrite(entry.write, facts)) return refuse(entry.refusal, why);
    if (root.shape === 'list') {
      if (change.values === null) return refuse(entry.refusal, where);
      const misplaced = ref.kind === 'bucket' ? appendsAtEnd(input, view, change) : null;
      if (misplaced) return refuse(entry.refusal, `${where}: ${misplaced}`);
    }
    // Overlays speak about a message: one the bucket does not hold would be noise every reader keeps.
    if (ref.kind === 'bucket' && change.key !== null && change.values !== null) {
      const messageId = change.root === BUCKET.reactions ? change.key.split(':')[0]! : change.key;
      if (!known.has(messageId) && !fresh.has(messageId)) return refuse('unknown-message', where);
    }
    if (change.values === null) continue;
    const refusal = checkValues(valueContext, change.root, change.key, change.values);
    if (refusal) return refuse(refusal.rule, refusal.detail ? `${where}: ${refusal.detail}` : where);
  }
  return null;
}
