import type { Extension, Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { roomRole } from '#schema/access';
import { keepAtMost } from '#schema/bounded';
import { syncRefusal } from '#schema/api/errors';
import type { Store } from '../store/db/store';
import { parseDocName, roomHeadDoc, roomOfDoc, type DocRef } from '#schema/docs/names';
import type { MemberRole } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';
import { membersAddedToGroup, type Blocks } from '../people/blocks';
import type { Privacy } from '../people/privacy';
import { GROUP_ADD_REFUSAL } from '#schema/privacy';
import type { SyncContext } from './context';
import { messageArrivals } from './messageArrivals';
import { checkUpdate } from './updateGuard';
import { decodeUpdateOnce } from './decodedUpdates';
import { AttachmentFiles, attachmentIdsOf } from './attachments';

/** Claims kept in memory; past this many the oldest are dropped and asked of the store again when needed. */
const CLAIM_CACHE_SIZE = 100_000;

/** y-protocols sync message types that carry an update (1: sync step 2, 2: update); 0 is a state vector. */
const UPDATE_TYPES = new Set([1, 2]);

/** Most distinct client ids of an update whose owners the guard asks the store for when its cache does not know them. */
const MAX_IDS_LOOKED_UP = 64;

/** The distinct client ids an update writes structs with. */
function clientIdsOf(update: Uint8Array): number[] {
  try {
    return [...new Set(decodeUpdateOnce(update).structs.map((struct) => struct.id.client))];
  } catch {
    return [];
  }
}

/** Client id → user, in insertion order so the oldest entries go first. */
class ClaimCache {
  private readonly owners = new Map<number, UserId>();

  get(clientId: number): UserId | undefined {
    return this.owners.get(clientId);
  }

  set(clientId: number, userId: UserId): void {
    this.owners.set(clientId, userId);
    keepAtMost(this.owners, CLAIM_CACHE_SIZE);
  }
}

function userOf(context: unknown): SyncContext['user'] | null {
  const user = (context as Partial<SyncContext> | undefined)?.user;
  return user && typeof user.id === 'string' ? user : null;
}

/**
 * Design §4, the trust boundary: every update a client sends passes
 * {@link checkUpdate} in `beforeSync`, before Hocuspocus applies it. Its priority is
 * above persistence's, whose `beforeSync` logs the update, so a refused update is
 * never logged; throwing closes that doc's connection with `rejected_update:<rule>`
 * (or `too_large`). Yjs client ids the update is first to use are claimed in the store
 * before it applies, so a client id names one user for good, across processes.
 * Rates and awareness are the budgets extension's (`budgets.ts`).
 */
/** Refusals that depend only on the update itself: catching the doc up cannot change them. */
const SELF_EVIDENT_RULES = new Set(['too-large', 'malformed', 'client-ids']);

/**
 * `catchUp`, when several processes share the store: brings a loaded doc up to the log
 * (rows other nodes appended) before an update is refused on the doc's state, so a node
 * whose copy is behind (a missed Redis relay, a failover) never refuses an honest client.
 */
export function guardExtension(deps: {
  store: Store;
  blocks?: Blocks;
  privacy?: Privacy;
  catchUp?: (documentName: string, doc: Y.Doc) => Promise<void>;
  /**
   * Files attached by an accepted update: they are sent, not to be swept as abandoned
   * uploads. Awaited (and rare: only updates attaching files), so a file is marked before
   * anyone receives its message and may forward it.
   */
  attached?: (fileIds: readonly string[]) => Promise<void>;
}): Extension {
  const claims = new ClaimCache();
  const clientOwner = (clientId: number) => claims.get(clientId);
  const attachmentFiles = new AttachmentFiles(deps.store);
  let instance: Hocuspocus | undefined;

  /** The role a bucket's writer has in its group; a head and a DM decide in checkUpdate, from the doc and the room id. */
  async function roleOf(ref: DocRef, userId: UserId): Promise<MemberRole | null> {
    const room = roomOfDoc(ref);
    if (!room || ref.kind !== 'bucket') return null;
    // A head loaded here is ahead of the SQL projection, which lags its changes.
    const head = room.kind === 'group' ? instance?.documents.get(roomHeadDoc(room.id)) : undefined;
    const role = roomRole(room, userId, head);
    return role !== undefined || room.kind === 'dm' ? (role ?? null) : deps.store.getMemberRole(room.id, userId);
  }

  return {
    extensionName: 'guard',
    priority: 200,

    async onConfigure(data) {
      instance = data.instance;
    },

    async beforeSync({ type, payload, context, document, documentName, connection }) {
      if (!UPDATE_TYPES.has(type)) return;
      // A DM where either person blocked the other takes nothing (schema/privacy.ts); first, as it may make the connection read-only.
      if (deps.blocks && (await deps.blocks.holdsHookWrite({ connection, context, documentName, payload }))) return;
      // Hocuspocus drops a read-only connection's updates after this hook; refusing here would only close it.
      if (connection.readOnly) return;
      const user = userOf(context);
      if (!user) throw syncRefusal('unauthorized');
      const ref = parseDocName(documentName);
      if (!ref) throw syncRefusal('unknown_doc');
      const fileIds = ref.kind === 'bucket' ? attachmentIdsOf(payload) : [];
      const input = {
        doc: document,
        ref,
        userId: user.id,
        role: await roleOf(ref, user.id),
        update: payload,
        clientOwner,
        files: ref.kind === 'bucket' ? await attachmentFiles.prefetch(fileIds) : undefined,
      };
      let result = checkUpdate(input);
      if (!result.ok && result.rule === 'client-ids') {
        // The claim cache forgets (a restart, or past its size): ids the store knows are not new.
        // Asked only for an update with a few ids, so a flood costs no lookups.
        const ids = clientIdsOf(payload);
        if (ids.length <= MAX_IDS_LOOKED_UP) {
          for (const [clientId, owner] of await deps.store.getClientIdOwners(ids)) claims.set(clientId, owner);
          result = checkUpdate(input);
        }
      }
      if (!result.ok && deps.catchUp && !SELF_EVIDENT_RULES.has(result.rule)) {
        // Design §5b: the store is the truth; judge against it, not against a copy that may be behind.
        await deps.catchUp(documentName, document);
        result = checkUpdate(input);
      }
      if (!result.ok) {
        if (result.rule === 'too-large') throw syncRefusal('too_large');
        // Honest clients hit this when they write while their catch-up sync is in flight; the next sync carries both.
        if (result.rule === 'missing-dependency') throw syncRefusal('out_of_order');
        throw syncRefusal('rejected_update', result.rule);
      }
      // Nobody adds to a group someone who blocked them, or whose "who may add me to groups" leaves them out (schema/privacy.ts).
      const added = deps.blocks || deps.privacy ? membersAddedToGroup(document, ref, user.id, payload) : [];
      if (added.length > 0) {
        if (await deps.blocks?.refusesGroupAdd(added, user.id)) throw syncRefusal('rejected_update', 'blocked');
        if (deps.privacy) for (const id of added) if (!(await deps.privacy.mayAddToGroup(user.id, id))) throw syncRefusal('rejected_update', GROUP_ADD_REFUSAL);
      }
      // Every attachment passed the guard: each names a file of this author in this room.
      if (fileIds.length > 0) await deps.attached?.(fileIds);
      // The verdict assumed these ids become the user's; the store's atomic claim (one transaction for all) decides.
      if (result.newClientIds.length === 0) return;
      const owners = await deps.store.claimClientIds(result.newClientIds, user.id);
      for (const [clientId, owner] of owners) claims.set(clientId, owner);
      if (result.newClientIds.some((clientId) => owners.get(clientId) !== user.id)) throw syncRefusal('rejected_update', 'client-id');
    },

    // From load on, a bucket records when its messages arrive (relayed and server-written
    // ones too): the append rule lets a new message land only behind recent ones.
    async afterLoadDocument({ documentName, document }) {
      if (parseDocName(documentName)?.kind === 'bucket') messageArrivals(document);
    },
  };
}
