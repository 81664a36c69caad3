import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

/** A website on 127.0.0.1 that counts who asks it for the article. */
const requests: string[] = [];
const site = http.createServer((request, response) => {
  requests.push(`${request.headers['user-agent']}`);
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<html><head><meta property="og:title" content="Tides and Moons"><meta property="og:description" content="Why the sea rises twice a day, explained with a bucket."></head></html>');
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
afterAll(() => {
  site.closeAllConnections();
  site.close();
});
const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
const article = `${origin}/article`;
/** Another page: the first one's preview was removed in the composer, and stays removed for that link. */
const tides = `${origin}/tides`;

describe.skipIf(!(await hasChromium()))('link previews', () => {
  // The test-only allowance: the server may fetch from this one loopback address (production: public addresses only).
  const { alice, bob, usernames } = useSignedUpPeople(2, { previewAlsoAllowed: ['127.0.0.1'] });
  const bobName = usernames[1]!;

  test('typing a link shows its preview above the composer; × removes it', async () => {
    await alice.startDm(bobName);
    await alice.page.getByTestId('composer').fill(`Look at this ${article}`);
    const card = alice.page.getByTestId('composer-preview');
    await card.waitFor({ timeout: poll.timeout });
    expect(await card.locator('.link-preview-title').textContent()).toBe('Tides and Moons');
    await alice.screenshotGallery('link-preview-composer');
    await alice.page.getByTestId('composer-preview-dismiss').click();
    await card.waitFor({ state: 'detached' });
    await alice.page.getByTestId('composer').fill('');
  });

  test('the preview travels in the message: Bob sees it and his browser asks the site nothing', async () => {
    await alice.page.getByTestId('composer').fill(`Read this ${tides}`);
    await alice.page.getByTestId('composer-preview').waitFor({ timeout: poll.timeout });
    await alice.page.getByTestId('composer').press('Enter');
    const asked = requests.length;
    // Only the server fetched it, once per link typed.
    expect(requests.every((agent) => agent.startsWith('JecoLinkPreview'))).toBe(true);

    await bob.openChat('Alice Liddell');
    const preview = bob.messageRow(`Read this ${tides}`).getByTestId('message-preview');
    await preview.waitFor({ timeout: poll.timeout });
    expect(await preview.locator('.link-preview-title').textContent()).toBe('Tides and Moons');
    expect(await preview.locator('.link-preview-site').textContent()).toBe('127.0.0.1');
    expect(requests.length).toBe(asked);
    await bob.screenshotGallery('link-preview-message');
  });
});
