import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { beforeSyncPayload } from '@hocuspocus/server';
import type { Store } from '../store/db/store';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc, parseDocName } from '#schema/docs/names';
import type { RoomId, UserId } from '#schema/ids';
import { guardExtension } from './guard';

const ALICE = '00000000-0000-4000-8000-00000000a11c' as UserId;
const MALLORY = '00000000-0000-4000-8000-0000000000ee' as UserId;
const NAME = bucketDoc('g.33333333-3333-4333-8333-333333333333' as RoomId, 0);

/** The store methods the guard uses; claims are first-writer-wins as in the contract. */
function fakeStore() {
  const claims = new Map<number, UserId>();
  const store = {
    async claimClientIds(clientIds: number[], userId: UserId) {
      for (const clientId of clientIds) if (!claims.has(clientId)) claims.set(clientId, userId);
      return new Map(clientIds.map((clientId) => [clientId, claims.get(clientId)!]));
    },
    async getClientIdOwners(clientIds: number[]) {
      return new Map(clientIds.flatMap((clientId) => (claims.has(clientId) ? [[clientId, claims.get(clientId)!] as const] : [])));
    },
    async getMemberRole() {
      return 'member' as const;
    },
  };
  return { store: store as unknown as Store, claims };
}

function syncPayload(doc: Y.Doc, user: UserId, update: Uint8Array): beforeSyncPayload {
  const context = { user: { id: user, username: 'u', displayName: `name of ${user}` } };
  return { type: 2, payload: update, context, document: doc, documentName: NAME, connection: { readOnly: false, context } } as unknown as beforeSyncPayload;
}

function writer(clientId: number, author: UserId): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  appendMessage(doc, { id: crypto.randomUUID() as never, authorId: author, createdAt: 1, text: 'x' });
  return Y.encodeStateAsUpdate(doc);
}

describe('guard extension', () => {
  it('claims new client ids and refuses them to anyone else', async () => {
    const { store, claims } = fakeStore();
    const guard = guardExtension({ store });
    const server = new Y.Doc();
    expect(parseDocName(NAME)).not.toBeNull();
    await guard.beforeSync!(syncPayload(server, ALICE, writer(7, ALICE)));
    expect(claims.get(7)).toBe(ALICE);
    await expect(guard.beforeSync!(syncPayload(server, MALLORY, writer(7, MALLORY)))).rejects.toEqual({
      code: 4422,
      reason: 'rejected_update:client-id',
    });
  });

  it('counts as new only the client ids the store does not know, even with a cold claim cache', async () => {
    const { store, claims } = fakeStore();
    // Claimed before a restart: ten sessions of Alice's that wrote while offline.
    const hers = Array.from({ length: 10 }, (_, i) => 100 + i);
    for (const id of hers) claims.set(id, ALICE);
    const guard = guardExtension({ store });
    const offline = Y.mergeUpdates(hers.map((id) => writer(id, ALICE)));
    await expect(guard.beforeSync!(syncPayload(new Y.Doc(), ALICE, offline))).resolves.toBeUndefined();
    const fresh = Y.mergeUpdates(Array.from({ length: 10 }, (_, i) => writer(500 + i, ALICE)));
    await expect(guard.beforeSync!(syncPayload(new Y.Doc(), ALICE, fresh))).rejects.toEqual({ code: 4422, reason: 'rejected_update:client-ids' });
    expect(claims.has(500)).toBe(false);
  });

  it('refuses a forged author with the rule in the close reason', async () => {
    const guard = guardExtension(fakeStore());
    await expect(guard.beforeSync!(syncPayload(new Y.Doc(), MALLORY, writer(9, ALICE)))).rejects.toEqual({
      code: 4422,
      reason: 'rejected_update:author',
    });
  });
});
