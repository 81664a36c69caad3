import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendMessage, setReaction } from '#schema/docs/bucket';
import { inboxDoc } from '#schema/docs/names';
import { readNotifications } from '#schema/docs/notifications';
import { connectClient } from '../helpers/client';
import { message, startDm } from '../helpers/dm';
import { freePort, startServerProcess } from '../helpers/serverProcess';
import { waitFor } from '../helpers/waitFor';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('reaction notifications across a crash', () => {
  it('a reaction acknowledged but not yet projected when the server is killed still reaches the list after the restart, once', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-reaction-crash-'));
    dirs.push(dataDir);
    const port = await freePort();
    // The first process waits 10 s before projecting: the kill comes inside that window.
    let server = await startServerProcess({ dataDir, port, env: { JECO_LOG_LEVEL: 'error', JECO_PROJECTION_DELAY_MS: '10000' } });
    const { alice, bob, a, b, aBucket, bBucket } = await startDm(server);
    const hers = message(alice.id, 'Train leaves at 9');
    appendMessage(aBucket.doc, hers);
    await a.settled();
    await waitFor(() => bBucket.doc.getArray('messages').length === 1, { what: 'Bob to have her message' });
    setReaction(bBucket.doc, hers.id, bob.id, '👍');
    // Acknowledged means stored (with the bucket's projection mark).
    await b.settled();
    await server.kill('SIGKILL');
    a.close();
    b.close();

    server = await startServerProcess({ dataDir, port, env: { JECO_LOG_LEVEL: 'error' } });
    try {
      const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
      await inbox.synced;
      await waitFor(() => readNotifications(inbox.doc).some((n) => n.kind === 'reaction'), { what: 'the reaction in her list after the restart', timeoutMs: 20_000 });
      expect(readNotifications(inbox.doc).map((n) => `${n.kind} ${n.emoji ?? ''} by ${n.actorName}: ${n.preview}`)).toEqual(['reaction 👍 by Bob: Train leaves at 9']);
    } finally {
      await server.kill('SIGTERM');
    }
  }, 60_000);
});
