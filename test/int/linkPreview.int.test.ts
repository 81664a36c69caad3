import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { api, registerUser } from '../helpers/api';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from '../guard/attack';
import { groupWorld, newMessage } from '../guard/groupWorld';

/** A small website on 127.0.0.1: pages by path. */
async function site(): Promise<{ origin: string; port: number }> {
  const picture = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .png()
    .toBuffer();
  const server = http.createServer((request, response) => {
    switch (request.url) {
      case '/with-picture':
        response.writeHead(200, { 'content-type': 'text/html' });
        return response.end('<html><head><title>Harbour</title><meta property="og:image" content="/picture.png"></head></html>');
      case '/picture.png':
        response.writeHead(200, { 'content-type': 'image/png' });
        return response.end(picture);
      case '/private-picture':
        response.writeHead(200, { 'content-type': 'text/html' });
        return response.end('<html><head><title>Router</title><meta property="og:image" content="http://10.0.0.1/logo.png"></head></html>');
      case '/article':
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return response.end(
          '<html><head><title>Fallback</title><meta property="og:title" content="Tides &amp; Moons"><meta name="description" content="Why the sea rises twice a day."></head><body>…</body></html>',
        );
      case '/to-loopback':
        response.writeHead(302, { location: `http://[::1]:${(server.address() as AddressInfo).port}/article` });
        return response.end();
      case '/to-private':
        response.writeHead(301, { location: 'http://10.0.0.1/admin' });
        return response.end();
      case '/to-localhost':
        response.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/article` });
        return response.end();
      case '/huge':
        response.writeHead(200, { 'content-type': 'text/html' });
        // The title comes after the first 256 KiB: never read.
        return response.end(`<html><head>${'<!-- padding -->'.repeat(40_000)}<title>Too far</title></head></html>`);
      case '/slow':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<html><head>');
        return; // never ends
      case '/image':
        response.writeHead(200, { 'content-type': 'image/png' });
        return response.end(Buffer.alloc(10));
      default:
        response.writeHead(404);
        response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, port };
}

describe('link previews', async () => {
  const web = await site();

  it('the production server refuses loopback, private and local names outright, before any request', async () => {
    const server = await startServer();
    const user = await registerUser(server.url, 'Alice');
    for (const url of [
      `${web.origin}/article`,
      `http://localhost:${web.port}/article`,
      `http://[::1]:${web.port}/article`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      `http://[::ffff:127.0.0.1]:${web.port}/article`,
      'http://printer.local/',
    ]) {
      const answer = await api(server.url, 'POST', '/api/link-preview', { token: user.token, body: { url } });
      expect({ url, status: answer.status, kind: answer.body.error?.kind }).toEqual({ url, status: 422, kind: 'no_preview' });
    }
    expect((await api(server.url, 'POST', '/api/link-preview', { token: user.token, body: { url: 'file:///etc/passwd' } })).status).toBe(422);
    expect((await api(server.url, 'POST', '/api/link-preview', { token: user.token, body: { url: 'not a url' } })).status).toBe(400);
    expect((await api(server.url, 'POST', '/api/link-preview', { body: { url: `${web.origin}/article` } })).status).toBe(401);
  });

  it('with the test-only allowance for one address, a page gives its preview; redirects into private ranges, big and slow pages give none', async () => {
    const server = await startServer({ previewAlsoAllowed: ['127.0.0.1'] });
    const user = await registerUser(server.url, 'Alice');
    const preview = (path: string) => api(server.url, 'POST', '/api/link-preview', { token: user.token, body: { url: `${web.origin}${path}` } });
    const article = await preview('/article');
    expect(article.status).toBe(200);
    expect(article.body).toEqual({ url: `${web.origin}/article`, title: 'Tides & Moons', description: 'Why the sea rises twice a day.', site: '127.0.0.1' });
    for (const path of ['/to-loopback', '/to-private', '/to-localhost', '/huge', '/image', '/missing']) {
      expect({ path, status: (await preview(path)).status }).toEqual({ path, status: 422 });
    }
    // The page's picture comes inline, re-encoded by the server: receivers never ask the site for it.
    const withPicture = await preview('/with-picture');
    expect(withPicture.body.title).toBe('Harbour');
    expect(withPicture.body.image).toMatch(/^data:image\/webp;base64,/);
    const thumbnail = await sharp(Buffer.from(withPicture.body.image.split(',')[1], 'base64')).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', 120, 120]);
    // A picture on a private address is not fetched; the page keeps its preview without one.
    const privatePicture = await preview('/private-picture');
    expect(privatePicture.body).toEqual({ url: `${web.origin}/private-picture`, title: 'Router', site: '127.0.0.1' });
    const started = Date.now();
    expect((await preview('/slow')).status).toBe(422);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('the preview travels in the message, and only for a link the text holds', async () => {
    const server = await startServer();
    const w = await groupWorld(server);
    const preview = { url: 'https://example.org/tides', title: 'Tides', site: 'example.org' };
    const good = { ...newMessage(w.alice.user.id, 'Read https://example.org/tides'), preview };
    appendMessage(w.alice.bucket.doc, good);
    await waitFor(() => readMessages(w.bob.bucket.doc).find((m) => m.id === good.id)?.preview?.title === 'Tides', { what: 'the preview to reach Bob' });
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) =>
        appendMessage(doc, {
          ...newMessage(w.mallory.user.id, 'Totally safe link: https://example.org/tides'),
          preview: { url: 'https://evil.example/phish', title: 'Your bank', site: 'evil.example' },
        }),
      reason: 'rejected_update:message-shape',
      observers: [w.bob.bucket.doc],
    });
  });

  it("a preview picture must be the server's small inline WebP: a link that would make receivers' browsers call a site is refused", async () => {
    const server = await startServer();
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) =>
        appendMessage(doc, {
          ...newMessage(w.mallory.user.id, 'See https://example.org/tides'),
          preview: { url: 'https://example.org/tides', title: 'Tides', site: 'example.org', image: 'https://tracker.example/pixel.gif' },
        }),
      reason: 'rejected_update:message-shape',
      observers: [w.bob.bucket.doc],
    });
  });
});
