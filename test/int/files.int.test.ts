// Long on purpose: one feature's integration tests (files: upload, download, forwarding, sweep), sharing its upload and download helpers.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { appendMessage, deleteForEveryone, readMessages, readShownMessages } from '#schema/docs/bucket';
import type { Attachment } from '#schema/docs/message';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup, removeMember } from '#schema/docs/roomHead';
import { newGroupId, newMessageId } from '#schema/ids';
import { api, registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startDm } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { uploadFile, type UploadResult } from '../helpers/upload';
import { waitFor } from '../helpers/waitFor';
import { nextClose } from '../guard/groupWorld';

/** A 400×300 JPEG carrying a GPS position and an owner name in its EXIF, like a phone photo. */
async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'Secret Owner' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
    .toBuffer();
}

function attachmentOf(result: UploadResult): Attachment {
  if (!('attachment' in result)) throw new Error(`upload failed: ${result.status} ${result.body}`);
  return result.attachment;
}

async function download(baseUrl: string, fileId: string, token?: string, headers: Record<string, string> = {}, query = '') {
  const response = await fetch(`${baseUrl}/api/files/${fileId}${query}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('files', () => {
  it('a photo sent in a DM reaches the other person without its GPS position, with a thumbnail; others cannot fetch it', async () => {
    const server = await startServer();
    const { alice, bob, room, aBucket, bBucket } = await startDm(server);
    const photo = await photoWithGps();
    expect((await sharp(photo).metadata()).exif).toBeDefined();

    const attachment = attachmentOf(await uploadFile(server.url, alice.token, photo, { roomId: room, name: 'beach “day”.jpg' }));
    expect(attachment).toMatchObject({ name: 'beach “day”.jpg', mime: 'image/jpeg', width: 400, height: 300 });
    expect(attachment.thumbhash).toMatch(/^[A-Za-z0-9+/=]+$/);

    appendMessage(aBucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'look', attachment });
    await waitFor(() => readMessages(bBucket.doc).find((m) => m.attachment?.fileId === attachment.fileId), { what: 'Bob has the photo message' });
    // The chat list says what was sent.
    const bInbox = connectClient(server.wsUrl, bob.token).open(inboxDoc(bob.id));
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room)?.lastMessage?.preview === '📷 look', { what: 'the preview names the photo' });

    const got = await download(server.url, attachment.fileId, bob.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; filename=.*filename\*=UTF-8''beach%20%E2%80%9Cday%E2%80%9D\.jpg$/);
    expect(got.headers.get('cache-control')).toContain('private');
    expect(got.bytes.length).toBe(attachment.size);
    const stored = await sharp(got.bytes).metadata();
    expect(stored.exif).toBeUndefined();
    expect([stored.width, stored.height]).toEqual([400, 300]);
    expect(got.bytes.includes('Secret Owner')).toBe(false);

    const thumb = await download(server.url, attachment.fileId, bob.token, {}, '?thumb=1');
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(thumb.bytes).metadata()).format).toBe('webp');

    // Cached copies are revalidated by ETag, and a range gives exactly those bytes.
    expect((await download(server.url, attachment.fileId, bob.token, { 'if-none-match': got.headers.get('etag')! })).status).toBe(304);
    const part = await download(server.url, attachment.fileId, bob.token, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${attachment.size}`);
    expect(part.bytes.equals(got.bytes.subarray(10, 20))).toBe(true);

    const carol = await registerUser(server.url, 'Carol');
    expect((await download(server.url, attachment.fileId, carol.token)).status).toBe(403);
    expect((await download(server.url, attachment.fileId)).status).toBe(401);
    expect((await download(server.url, 'A'.repeat(22), bob.token)).status).toBe(404);

    // Nobody may upload into a chat they are not in.
    const intruder = await uploadFile(server.url, carol.token, photo, { roomId: room, name: 'x.jpg' });
    expect(intruder).toMatchObject({ status: 403 });
  });

  it('a document keeps its name, is typed from its bytes, and script-capable types are always downloads; same bytes are stored once', async () => {
    const server = await startServer();
    const { alice, bob, room } = await startDm(server);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5000)]);
    const doc = attachmentOf(await uploadFile(server.url, alice.token, pdf, { roomId: room, name: 'Report.txt' }));
    expect(doc).toEqual({ fileId: doc.fileId, name: 'Report.txt', mime: 'application/pdf', size: pdf.length });
    const got = await download(server.url, doc.fileId, bob.token);
    expect(got.bytes.equals(pdf)).toBe(true);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=Report.txt');

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const page = attachmentOf(await uploadFile(server.url, alice.token, svg, { roomId: room, name: 'cat.svg' }));
    const served = await download(server.url, page.fileId, bob.token);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(served.headers.get('content-type')).not.toMatch(/svg|html/);

    const again = attachmentOf(await uploadFile(server.url, bob.token, pdf, { roomId: room, name: 'copy.pdf' }));
    expect(again.fileId).not.toBe(doc.fileId);
    const { readdir } = await import('node:fs/promises');
    const blobs = (await readdir(`${server.dataDir}/files/blobs`, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(blobs).toHaveLength(2);

    const metrics = (await api(server.url, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^jeco_uploads_in_progress 0$/m);
    expect(metrics).toMatch(new RegExp(`^jeco_file_bytes_stored_total ${pdf.length * 2 + svg.length}$`, 'm'));
    expect(metrics).toMatch(/^jeco_upload_failures_total 0$/m);

    // Bytes that claim to be a PNG but do not decode are refused, and counted.
    const fakePng = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]);
    const broken = await uploadFile(server.url, alice.token, fakePng, { roomId: room, name: 'broken.png' });
    expect(broken).toMatchObject({ status: 422 });
    expect(JSON.parse((broken as { body: string }).body).error.kind).toBe('unreadable_file');
    expect((await api(server.url, 'GET', '/metrics')).body).toMatch(/^jeco_upload_failures_total 1$/m);
  });

  it('a removed group member can no longer download the group’s files', async () => {
    const server = await startServer();
    const [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name: 'Trip', owner: alice.id, members: [bob.id], now: Date.now() });
    await a.settled();
    await server.projections.idle();

    const file = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(2000), { roomId: room, name: 'plan.bin' }));
    expect((await download(server.url, file.fileId, bob.token)).status).toBe(200);
    removeMember(head.doc, bob.id);
    await a.settled();
    await server.projections.idle();
    expect((await download(server.url, file.fileId, bob.token)).status).toBe(403);
    expect((await download(server.url, file.fileId, alice.token)).status).toBe(200);
  });

  it('the guard refuses an attachment that is not the author’s file in this chat, or misstates it', async () => {
    const server = await startServer();
    const { alice, bob, room, aBucket } = await startDm(server);
    const mine = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(3000), { roomId: room, name: 'a.bin' }));
    const bobs = attachmentOf(await uploadFile(server.url, bob.token, randomBytes(3000), { roomId: room, name: 'b.bin' }));

    const forged: Attachment[] = [
      mine, // Alice's file under Bob's name
      { ...bobs, fileId: 'Z'.repeat(22) }, // no such file
      { ...bobs, size: bobs.size + 1 },
      { ...bobs, mime: 'image/png' },
    ];
    for (const attachment of forged) {
      const bucket = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
      await bucket.synced;
      const close = nextClose(bucket);
      appendMessage(bucket.doc, { id: newMessageId(), authorId: bob.id, createdAt: Date.now(), text: '', attachment });
      await expect(close.closed).resolves.toBe('rejected_update:attachment');
    }
    // None of them reached Alice; Bob's honest attachment does.
    const fresh = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
    await fresh.synced;
    appendMessage(fresh.doc, { id: newMessageId(), authorId: bob.id, createdAt: Date.now(), text: 'ok', attachment: bobs });
    await waitFor(() => readMessages(aBucket.doc).some((m) => m.text === 'ok'), { what: 'the honest attachment arrives' });
    expect(readMessages(aBucket.doc).map((m) => m.attachment?.fileId)).toEqual([bobs.fileId]);
  });

  it('an upload cut off mid-way resumes where it stopped and the stored file is byte-identical', async () => {
    const server = await startServer();
    const { alice, bob, room } = await startDm(server);
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    const auth = { authorization: `Bearer ${alice.token}` };
    const created = await fetch(`${server.url}/api/files/tus`, {
      method: 'POST',
      headers: {
        ...auth,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': `roomId ${Buffer.from(room).toString('base64')},name ${Buffer.from('big.bin').toString('base64')}`,
      },
    });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get('location')!, server.url);

    const offsetNow = async () => Number((await fetch(url, { method: 'HEAD', headers: { ...auth, 'tus-resumable': '1.0.0' } })).headers.get('upload-offset'));
    // Three times: send part of the rest, then cut the connection mid-body.
    for (let cut = 0; cut < 3; cut++) {
      const offset = await offsetNow();
      await new Promise<void>((resolve) => {
        const req = http.request(url, { method: 'PATCH', headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' } });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(bytes.subarray(offset, offset + 600_000), () => setTimeout(() => req.destroy(), 100));
      });
      await waitFor(async () => (await offsetNow()) > offset, { what: `bytes before cut ${cut} kept` });
    }
    const offset = await offsetNow();
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(bytes.length);
    const last = await fetch(url, {
      method: 'PATCH',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body: bytes.subarray(offset),
    });
    expect(last.status).toBe(200);
    const { attachment } = (await last.json()) as { attachment: Attachment };
    expect(attachment.size).toBe(bytes.length);
    const got = await download(server.url, attachment.fileId, bob.token);
    expect(got.bytes.equals(bytes)).toBe(true);
    // Only the uploader may touch an upload in progress.
    const other = await fetch(`${server.url}/api/files/tus`, {
      method: 'POST',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `roomId ${Buffer.from(room).toString('base64')},name ${Buffer.from('x').toString('base64')}` },
    });
    const otherUrl = new URL(other.headers.get('location')!, server.url);
    expect((await fetch(otherUrl, { method: 'HEAD', headers: { authorization: `Bearer ${bob.token}`, 'tus-resumable': '1.0.0' } })).status).toBe(403);
  });

  it('refuses a file over the size limit, over the quota and too many uploads a minute, with clear errors', async () => {
    const server = await startServer({ env: { JECO_MAX_UPLOAD_BYTES: '10000', JECO_UPLOAD_QUOTA_BYTES: '15000', JECO_UPLOADS_PER_MIN: '3' } });
    const { alice, bob, room } = await startDm(server);
    const big = await uploadFile(server.url, alice.token, randomBytes(10_001), { roomId: room, name: 'big' });
    expect(big).toMatchObject({ status: 413 });
    expect(JSON.parse((big as { body: string }).body).error.kind).toBe('file_too_large');

    attachmentOf(await uploadFile(server.url, alice.token, randomBytes(9000), { roomId: room, name: 'one' }));
    const over = await uploadFile(server.url, alice.token, randomBytes(9000), { roomId: room, name: 'two' });
    expect(JSON.parse((over as { body: string }).body).error.kind).toBe('quota_exceeded');
    // The quota is Alice's: Bob still has his.
    attachmentOf(await uploadFile(server.url, bob.token, randomBytes(9000), { roomId: room, name: 'bob' }));

    attachmentOf(await uploadFile(server.url, bob.token, randomBytes(10), { roomId: room, name: 'b2' }));
    attachmentOf(await uploadFile(server.url, bob.token, randomBytes(10), { roomId: room, name: 'b3' }));
    const fast = await uploadFile(server.url, bob.token, randomBytes(10), { roomId: room, name: 'b4' });
    expect(fast).toMatchObject({ status: 429 });
    expect(JSON.parse((fast as { body: string }).body).error.kind).toBe('upload_rate_limited');

    const signedOut = await uploadFile(server.url, 'nope', randomBytes(10), { roomId: room, name: 'x' });
    expect(signedOut).toMatchObject({ status: 401 });
  });

  it('once a message with a file is deleted for everyone, nobody can download the file, and its bytes leave the disk', async () => {
    const server = await startServer();
    const { alice, bob, room, aBucket, bBucket } = await startDm(server);
    const photo = await photoWithGps();
    const attachment = attachmentOf(await uploadFile(server.url, alice.token, photo, { roomId: room, name: 'oops.jpg' }));
    const id = newMessageId();
    appendMessage(aBucket.doc, { id, authorId: alice.id, createdAt: Date.now(), text: 'sent by mistake', attachment });
    await waitFor(() => readMessages(bBucket.doc).find((m) => m.id === id), { what: 'Bob has the photo' });
    expect((await download(server.url, attachment.fileId, bob.token)).status).toBe(200);
    expect((await download(server.url, attachment.fileId, bob.token, {}, '?thumb=1')).status).toBe(200);
    // The same bytes sent again by Bob, in a message he keeps: that copy stays.
    const saved = (await download(server.url, attachment.fileId, bob.token)).bytes;
    const bobs = attachmentOf(await uploadFile(server.url, bob.token, saved, { roomId: room, name: 'kept.jpg' }));
    appendMessage(bBucket.doc, { id: newMessageId(), authorId: bob.id, createdAt: Date.now(), text: 'kept', attachment: bobs });

    deleteForEveryone(aBucket.doc, id, alice.id, Date.now());
    await waitFor(() => readShownMessages(bBucket.doc).find((m) => m.id === id)?.deleted, { what: 'Bob sees the tombstone' });
    await waitFor(async () => (await download(server.url, attachment.fileId, bob.token)).status === 410, { what: 'the file is no longer served' });
    const refused = await download(server.url, attachment.fileId, bob.token);
    expect(JSON.parse(refused.bytes.toString()).error.kind).toBe('file_deleted');
    expect((await download(server.url, attachment.fileId, alice.token)).status).toBe(410);
    expect((await download(server.url, attachment.fileId, bob.token, {}, '?thumb=1')).status).toBe(410);
    // The purged message no longer names the file on any replica.
    await waitFor(() => readMessages(bBucket.doc).find((m) => m.id === id)?.attachment === undefined, { what: 'the attachment is purged' });
    // Bob's copy shares the bytes: it is still served, so the blob stayed.
    expect((await download(server.url, bobs.fileId, alice.token)).bytes.length).toBe(bobs.size);

    // A file of its own (a document nobody else sent) leaves the disk at once.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4000)]);
    const doc = attachmentOf(await uploadFile(server.url, alice.token, pdf, { roomId: room, name: 'secret.pdf' }));
    const docMessage = newMessageId();
    appendMessage(aBucket.doc, { id: docMessage, authorId: alice.id, createdAt: Date.now(), text: '', attachment: doc });
    await waitFor(() => readMessages(bBucket.doc).find((m) => m.id === docMessage), { what: 'Bob has the document' });
    const stored = await server.store.getFile(doc.fileId);
    const { existsSync } = await import('node:fs');
    const blobPath = `${server.dataDir}/files/blobs/${stored!.sha256.slice(0, 2)}/${stored!.sha256.slice(2, 4)}/${stored!.sha256}`;
    expect(existsSync(blobPath)).toBe(true);
    deleteForEveryone(aBucket.doc, docMessage, alice.id, Date.now());
    await waitFor(async () => (await download(server.url, doc.fileId, bob.token)).status === 410, { what: 'the document is no longer served' });
    await waitFor(() => !existsSync(blobPath), { what: 'the document’s bytes are removed' });
  });

  it('a file deleted for everyone cannot be attached to a new message, even by its uploader', async () => {
    const server = await startServer();
    const { alice, room, aBucket, bBucket } = await startDm(server);
    const attachment = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(3000), { roomId: room, name: 'gone.bin' }));
    const id = newMessageId();
    // Sent once, so the server has read the file's row for this message before the deletion.
    appendMessage(aBucket.doc, { id, authorId: alice.id, createdAt: Date.now(), text: 'first', attachment });
    await waitFor(() => readMessages(bBucket.doc).find((m) => m.id === id), { what: 'Bob has the file message' });
    deleteForEveryone(aBucket.doc, id, alice.id, Date.now());
    await waitFor(async () => (await download(server.url, attachment.fileId, alice.token)).status === 410, { what: 'the file is no longer served' });

    const again = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await again.synced;
    const close = nextClose(again);
    appendMessage(again.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'back again', attachment });
    await expect(close.closed).resolves.toBe('rejected_update:attachment');
    // Nobody received it; a message without the file still goes.
    const fresh = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await fresh.synced;
    appendMessage(fresh.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'words only' });
    await waitFor(() => readMessages(bBucket.doc).some((m) => m.text === 'words only'), { what: 'the plain message arrives' });
    expect(readMessages(bBucket.doc).some((m) => m.text === 'back again')).toBe(false);
  });

  it('the sweep removes files never sent and files deleted for everyone after the grace period, and keeps sent ones', async () => {
    const server = await startServer({ env: { JECO_FILE_GRACE_MS: '2500', JECO_FILE_SWEEP_MS: '100' } });
    const { alice, bob, room, aBucket, bBucket } = await startDm(server);
    const sent = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(3000), { roomId: room, name: 'sent.bin' }));
    const unsent = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(3000), { roomId: room, name: 'closed-tab.bin' }));
    const deleted = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(3000), { roomId: room, name: 'deleted.bin' }));
    const deletedId = newMessageId();
    appendMessage(aBucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'keep', attachment: sent });
    appendMessage(aBucket.doc, { id: deletedId, authorId: alice.id, createdAt: Date.now(), text: 'drop', attachment: deleted });
    await waitFor(() => readMessages(bBucket.doc).length === 2, { what: 'Bob has both messages' });
    await waitFor(async () => (await server.store.getFile(sent.fileId))?.referencedAt, { what: 'the sent file is marked sent' });
    expect((await server.store.getFile(unsent.fileId))?.referencedAt).toBeNull();
    deleteForEveryone(aBucket.doc, deletedId, alice.id, Date.now());
    await waitFor(async () => (await download(server.url, deleted.fileId, bob.token)).status === 410, { what: 'the deleted file is refused' });

    const { readdir } = await import('node:fs/promises');
    const blobCount = async () => (await readdir(`${server.dataDir}/files/blobs`, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
    await waitFor(async () => (await blobCount()) === 2, { what: 'the deleted file’s bytes are removed' });
    await waitFor(async () => (await server.store.getFile(unsent.fileId)) === null && (await server.store.getFile(deleted.fileId)) === null, { what: 'the sweep', timeoutMs: 10_000 });
    expect((await download(server.url, unsent.fileId, alice.token)).status).toBe(404);
    expect((await download(server.url, deleted.fileId, alice.token)).status).toBe(404);
    await waitFor(async () => (await blobCount()) === 1, { what: 'the unsent file’s bytes are removed' });
    const kept = await download(server.url, sent.fileId, bob.token);
    expect([kept.status, kept.bytes.length]).toEqual([200, sent.size]);
  });

  it('forwarding a file to another chat makes a copy there without sending the bytes again, only for someone in both chats', async () => {
    const server = await startServer();
    const { alice, bob, room: dm, aBucket, bBucket } = await startDm(server);
    const carol = await registerUser(server.url, 'Carol');
    const group = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(group));
    await head.synced;
    initGroup(head.doc, { name: 'Trip', owner: alice.id, members: [carol.id], now: Date.now() });
    await a.settled();
    await server.projections.idle();

    const photo = attachmentOf(await uploadFile(server.url, bob.token, await photoWithGps(), { roomId: dm, name: 'view.jpg' }));
    const photoMessage = newMessageId();
    appendMessage(bBucket.doc, { id: photoMessage, authorId: bob.id, createdAt: Date.now(), text: 'the view', attachment: photo });
    await waitFor(() => readMessages(aBucket.doc).find((m) => m.id === photoMessage), { what: 'Alice has Bob’s photo' });
    const forward = (fileId: string, roomId: string, token: string) => api(server.url, 'POST', `/api/files/${fileId}/forward`, { token, body: { roomId } });

    // Carol is not in the DM; Bob is not in the group: neither may move the photo across.
    expect((await forward(photo.fileId, group, carol.token)).status).toBe(403);
    expect((await forward(photo.fileId, group, bob.token)).status).toBe(403);
    expect((await forward(photo.fileId, group, 'nope')).status).toBe(401);
    expect((await forward(photo.fileId, 'g.not-a-room', alice.token)).status).toBe(400);
    // A file nobody sent yet is its uploader's alone: to others it does not exist.
    const draft = attachmentOf(await uploadFile(server.url, bob.token, randomBytes(500), { roomId: dm, name: 'draft.bin' }));
    expect((await forward(draft.fileId, dm, alice.token)).status).toBe(404);
    expect((await forward(draft.fileId, dm, bob.token)).status).toBe(201);

    const blobsBefore = (await readdir(`${server.dataDir}/files/blobs`, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
    const answer = await forward(photo.fileId, group, alice.token);
    expect(answer.status).toBe(201);
    const copy = answer.body.attachment as Attachment;
    expect(copy.fileId).not.toBe(photo.fileId);
    expect({ ...copy, fileId: photo.fileId }).toEqual(photo);
    // No new bytes: the copy names the same blobs.
    expect((await readdir(`${server.dataDir}/files/blobs`, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length).toBe(blobsBefore);

    // The original attachment is the DM's: the guard refuses it in the group; the copy passes.
    const gBucket = a.open(bucketDoc(group, 0));
    await gBucket.synced;
    const wrong = connectClient(server.wsUrl, alice.token).open(bucketDoc(group, 0));
    await wrong.synced;
    const close = nextClose(wrong);
    appendMessage(wrong.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: '', forwarded: true, attachment: photo });
    await expect(close.closed).resolves.toBe('rejected_update:attachment');
    const forwardedId = newMessageId();
    appendMessage(gBucket.doc, { id: forwardedId, authorId: alice.id, createdAt: Date.now(), text: 'the view', forwarded: true, attachment: copy });
    const cBucket = connectClient(server.wsUrl, carol.token).open(bucketDoc(group, 0));
    await waitFor(() => readMessages(cBucket.doc).find((m) => m.id === forwardedId), { what: 'Carol has the forwarded photo' });
    const got = await download(server.url, copy.fileId, carol.token);
    expect([got.status, got.bytes.length]).toEqual([200, photo.size]);
    // Carol still cannot reach the DM's own file.
    expect((await download(server.url, photo.fileId, carol.token)).status).toBe(403);

    // Bob deletes his photo for everyone: the DM's file goes, the forwarded copy stays (its bytes too).
    deleteForEveryone(bBucket.doc, photoMessage, bob.id, Date.now());
    await waitFor(async () => (await download(server.url, photo.fileId, alice.token)).status === 410, { what: 'the original is no longer served' });
    expect((await forward(photo.fileId, group, alice.token)).status).toBe(410);
    const still = await download(server.url, copy.fileId, carol.token);
    expect([still.status, still.bytes.length]).toEqual([200, photo.size]);
  });

  it('forwarding counts against the per-minute upload limit and the quota', async () => {
    const server = await startServer({ env: { JECO_UPLOAD_QUOTA_BYTES: '25000', JECO_UPLOADS_PER_MIN: '3' } });
    const { alice, room, aBucket } = await startDm(server);
    const file = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(10_000), { roomId: room, name: 'f.bin' }));
    appendMessage(aBucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: '', attachment: file });
    const forward = () => api(server.url, 'POST', `/api/files/${file.fileId}/forward`, { token: alice.token, body: { roomId: room } });
    expect((await forward()).status).toBe(201);
    const over = await forward();
    expect([over.status, over.body.error.kind]).toEqual([413, 'quota_exceeded']);
    const small = attachmentOf(await uploadFile(server.url, alice.token, randomBytes(10), { roomId: room, name: 's.bin' }));
    const fast = await api(server.url, 'POST', `/api/files/${small.fileId}/forward`, { token: alice.token, body: { roomId: room } });
    expect([fast.status, fast.body.error.kind]).toEqual([429, 'upload_rate_limited']);
  });
});
