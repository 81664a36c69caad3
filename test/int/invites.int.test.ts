import { describe, expect, it } from 'vitest';
import { readMessages } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { readMembers, setRole } from '#schema/docs/roomHead';
import { api, registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { groupWorld } from '../guard/groupWorld';

/** A token of the right shape that no link has. */
const guess = () => Array.from({ length: 32 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');

describe('group invite links', () => {
  it('an admin makes a link; someone who opens it sees the group and joins it through the head, with a line; a non-admin makes none', async () => {
    const server = await startServer();
    const w = await groupWorld(server);
    const carol = await registerUser(server.url, 'Carol');
    const invitePath = `/api/groups/${w.room}/invite`;

    // Bob is a plain member, Carol not in it: neither may make or see a link.
    for (const token of [w.bob.user.token, carol.token]) {
      expect((await api(server.url, 'POST', invitePath, { token })).status).toBe(403);
      expect((await api(server.url, 'GET', invitePath, { token })).status).toBe(403);
      expect((await api(server.url, 'DELETE', invitePath, { token })).status).toBe(403);
    }
    // Without a session, nothing.
    expect((await api(server.url, 'POST', invitePath)).status).toBe(401);

    const made = await api(server.url, 'POST', invitePath, { token: w.alice.user.token });
    expect(made.status).toBe(201);
    const link: string = made.body.token;
    expect((await api(server.url, 'GET', invitePath, { token: w.alice.user.token })).body).toMatchObject({ active: true, createdBy: w.alice.user.id });

    const preview = await api(server.url, 'GET', `/api/invites/${link}`, { token: carol.token });
    expect(preview.body).toEqual({ roomId: w.room, name: 'Climbing', memberCount: 3, member: false });

    const joined = await api(server.url, 'POST', `/api/invites/${link}/join`, { token: carol.token });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ roomId: w.room });
    // Once the join answers, her connection opens the group (its members are in SQL).
    const client = connectClient(server.wsUrl, carol.token);
    const head = client.open(roomHeadDoc(w.room));
    const bucket = client.open(bucketDoc(w.room, 0));
    await Promise.all([head.synced, bucket.synced]);
    expect(readMembers(head.doc).get(carol.id)).toMatchObject({ role: 'member', addedBy: w.alice.user.id });
    // Everyone reads who joined, and how.
    await waitFor(() => readMessages(w.bob.bucket.doc).some((m) => m.event?.type === 'joined' && m.authorId === carol.id), { what: 'the "joined" line to reach Bob' });
    expect((await api(server.url, 'GET', `/api/invites/${link}`, { token: carol.token })).body).toMatchObject({ memberCount: 4, member: true });
    // Joining again changes nothing.
    expect((await api(server.url, 'POST', `/api/invites/${link}/join`, { token: carol.token })).status).toBe(200);
    expect(readMessages(bucket.doc).filter((m) => m.event?.type === 'joined')).toHaveLength(1);
  });

  it('a reset or turned-off link, a guessed one, and a link whose maker is no longer an admin are refused with a clear error', async () => {
    const server = await startServer();
    const w = await groupWorld(server);
    const carol = await registerUser(server.url, 'Carol');
    const invitePath = `/api/groups/${w.room}/invite`;
    const first: string = (await api(server.url, 'POST', invitePath, { token: w.alice.user.token })).body.token;
    const second: string = (await api(server.url, 'POST', invitePath, { token: w.alice.user.token })).body.token;
    const old = await api(server.url, 'POST', `/api/invites/${first}/join`, { token: carol.token });
    expect(old.status).toBe(410);
    expect(old.body.error).toMatchObject({ kind: 'invite_revoked' });

    expect((await api(server.url, 'DELETE', invitePath, { token: w.alice.user.token })).status).toBe(204);
    expect((await api(server.url, 'GET', `/api/invites/${second}`, { token: carol.token })).status).toBe(410);
    expect((await api(server.url, 'GET', invitePath, { token: w.alice.user.token })).body).toEqual({ active: false, createdAt: null, createdBy: null });

    const guessed = await api(server.url, 'GET', `/api/invites/${guess()}`, { token: carol.token });
    expect(guessed.status).toBe(404);
    expect(guessed.body.error).toMatchObject({ kind: 'invite_unknown', message: 'This invite link does not work. Ask a group admin for a new one.' });
    expect((await api(server.url, 'GET', '/api/invites/..%2F..%2Fetc', { token: carol.token })).status).toBe(400);

    // Bob, made an admin, makes a link; dismissed again, his link stops working.
    setRole(w.alice.head.doc, w.bob.user.id, 'admin', w.alice.user.id);
    await w.alice.client.settled();
    await server.projections.idle();
    await waitFor(async () => (await api(server.url, 'POST', invitePath, { token: w.bob.user.token })).status === 201, { what: "Bob's role to reach the store" });
    const bobs: string = (await api(server.url, 'POST', invitePath, { token: w.bob.user.token })).body.token;
    expect((await api(server.url, 'GET', `/api/invites/${bobs}`, { token: carol.token })).status).toBe(200);
    setRole(w.alice.head.doc, w.bob.user.id, 'member', w.alice.user.id);
    await w.alice.client.settled();
    await waitFor(async () => (await api(server.url, 'GET', `/api/invites/${bobs}`, { token: carol.token })).status === 410, { what: "Bob's link to stop working" });
    expect(readMembers(w.alice.head.doc).has(carol.id)).toBe(false);
  });

  it('guessing links is rate limited per person; others are not held up', async () => {
    const server = await startServer({ env: { JECO_INVITE_RATE_PER_MIN: '5' } });
    const w = await groupWorld(server);
    const link: string = (await api(server.url, 'POST', `/api/groups/${w.room}/invite`, { token: w.alice.user.token })).body.token;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api(server.url, 'GET', `/api/invites/${guess()}`, { token: w.mallory.user.token })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    // Even the right link, for the guesser, now waits.
    expect((await api(server.url, 'GET', `/api/invites/${link}`, { token: w.mallory.user.token })).status).toBe(429);
    const carol = await registerUser(server.url, 'Carol');
    expect((await api(server.url, 'GET', `/api/invites/${link}`, { token: carol.token })).status).toBe(200);
  });
});
