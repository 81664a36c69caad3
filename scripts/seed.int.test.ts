import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMessages } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket } from '#schema/docs/roomHead';
import { api } from '../test/helpers/api';
import { connectClient } from '../test/helpers/client';
import { startServer } from '../test/helpers/server';
import { seed } from './seed';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('npm run seed', () => {
  it('gives the main user a chat list from the inbox alone and chats whose history the real server serves, bucket by bucket', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-seed-'));
    dirs.push(dataDir);
    const seeded = await seed({ dataDir, users: 4, chats: 6, messages: 7, bucketSize: 3 });
    const server = await startServer({ dataDir, bucketSize: 3 });
    const login = await api(server.url, 'POST', '/api/auth/login', { body: { username: seeded.username, password: seeded.password } });
    expect(login.status).toBe(200);
    const client = connectClient(server.wsUrl, login.body.token);

    const inbox = client.open(inboxDoc(seeded.userId));
    await inbox.synced;
    const chats = readChats(inbox.doc);
    expect(chats.map((c) => c.title)).toEqual(seeded.chats.map((c) => c.title));
    expect(new Set(chats.map((c) => c.kind))).toEqual(new Set(['dm', 'group']));
    expect(chats.every((c) => c.count === 7)).toBe(true);
    // Each entry names where its last message sits (the seventh: bucket 2, first item), as the server's projection does,
    // so a device can report it received and the chat shows "delivered" without a new message.
    expect(chats.every((c) => c.lastMessage?.position?.bucket === 2 && c.lastMessage.position.index === 0)).toBe(true);

    const newest = seeded.chats[0]!;
    const head = client.open(roomHeadDoc(newest.roomId));
    await head.synced;
    // 7 messages in buckets of 3: 0 and 1 are full, 2 holds the seventh and takes new ones.
    expect(headBucket(head.doc)).toBe(2);
    const texts: string[] = [];
    for (let n = 0; n <= 2; n++) {
      const bucket = client.open(bucketDoc(newest.roomId, n));
      await bucket.synced;
      texts.push(...readMessages(bucket.doc).map((m) => m.text));
    }
    expect(texts).toHaveLength(7);
    expect(texts.at(-1)).toBe(newest.latestText);
    expect(texts.map((t) => t.split('#')[1])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });
});
