import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomHeadDoc } from '#schema/docs/names';
import * as Y from 'yjs';
import { createAwareness } from '../../client/src/sync/presence';
import { connectClient } from '../helpers/client';
import { startDm } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

describe('presence through awareness', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows a peer who opens a shared doc at once, under the name the server knows, and drops them when they leave', async () => {
    const { alice, bob, room } = await startDm(server);
    const a = connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room));
    await a.synced;
    const bobClient = connectClient(server.wsUrl, bob.token);
    const bobDoc = new Y.Doc();
    // The app's awareness (client/src/sync/presence.ts), so that Bob is seen as soon as he connects.
    const b = bobClient.open(roomHeadDoc(room), bobDoc, createAwareness(bobDoc));
    await b.synced;
    const peers = () => [...a.provider.awareness!.getStates()].filter(([id]) => id !== a.doc.clientID).map(([, state]) => (state.user as { id: string; name: string } | undefined)?.id);
    await waitFor(() => peers().includes(bob.id), { what: "Bob in Alice's awareness", timeoutMs: 3_000 });
    expect(peers()).toEqual([bob.id]);
    // Bob claims to be someone else; the server says who he is.
    b.provider.awareness!.setLocalStateField('user', { id: alice.id, name: 'Not Bob' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(peers()).toEqual([bob.id]);
    bobClient.close();
    await waitFor(() => !peers().includes(bob.id), { what: "Bob gone from Alice's awareness", timeoutMs: 3_000 });
  });
});
