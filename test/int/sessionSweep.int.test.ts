import { describe, expect, it } from 'vitest';
import { api, registerUser } from '../helpers/api';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

describe('expired sessions', async () => {
  // Sessions idle for a second expire; the sweep runs every 50 ms.
  const server = await startServer({ env: { JECO_SESSION_IDLE_MS: '1000', JECO_SESSION_SWEEP_MS: '50' } });

  it('are deleted from the database by the periodic sweep, without anyone showing them', async () => {
    const alice = await registerUser(server.url, 'alice');
    expect(await server.store.listUserSessions(alice.id)).toHaveLength(1);
    // Alice's token is never used again: only the sweep can remove her row.
    await waitFor(async () => (await server.store.listUserSessions(alice.id)).length === 0, { what: "Alice's expired session to be swept", timeoutMs: 5000 });
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(401);
  });

  it('leaves sessions that have not expired', async () => {
    const bob = await registerUser(server.url, 'bob');
    // Several sweeps pass while Bob's session is young.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await server.store.listUserSessions(bob.id)).toHaveLength(1);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: bob.token })).status).toBe(200);
  });
});
