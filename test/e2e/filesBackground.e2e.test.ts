import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

/** A photo of noise: large enough (about 11 MB) to go in several parts, so its progress can be held half-way. */
function bigPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png()
    .toBuffer();
}

describe.skipIf(!(await hasChromium()))('files sent in the background, with their pending bubbles', () => {
  const { alice, bob, carol, usernames } = useSignedUpPeople(3);

  beforeAll(async () => {
    await alice.startDm(usernames[1]!);
    await alice.send('Hi Bob');
    await alice.startDm(usernames[2]!);
    await alice.send('Hi Carol');
    await bob.openChat('Alice Liddell');
    await carol.openChat('Alice Liddell');
  });

  test('an image attached offline in one chat goes out after a reload while another chat is open, and its message turns sent', async () => {
    const photo = await sharp({ create: { width: 500, height: 300, channels: 3, background: { r: 20, g: 160, b: 90 } } })
      .png()
      .toBuffer();
    await alice.openChat('Bob Builder');
    await alice.goOffline();
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'meadow.png', mimeType: 'image/png', buffer: photo }]);
    await alice.page.getByTestId('send').click();
    // The pending bubble: the photo itself, with a clock instead of progress.
    await expect.poll(() => alice.page.getByTestId('upload-waiting').count(), poll).toBe(1);
    await expect.poll(() => alice.page.locator('[data-testid="upload-media"] img').evaluate((img: HTMLImageElement) => img.naturalWidth), poll).toBe(500);

    await alice.page.reload();
    await alice.openChat('Carol Danvers');
    // Carol's chat has nothing on its way; the file waits for Bob's.
    expect(await alice.page.getByTestId('upload').count()).toBe(0);
    await alice.goOnline();
    await expect.poll(() => bob.page.getByTestId('attachment-image').count(), { ...poll, timeout: 40_000 }).toBe(1);
    expect(await carol.page.getByTestId('attachment-image').count()).toBe(0);
    // Acknowledged by the server with Carol's chat still open: nothing waits to be sent.
    await expect.poll(() => alice.connectionText(), poll).not.toContain('waiting');
    await alice.openChat('Bob Builder');
    const sent = alice.page.locator('[data-testid="message"][data-own="true"]').filter({ has: alice.page.getByTestId('attachment-image') });
    await expect.poll(() => sent.locator('.bubble-status').getAttribute('data-status'), poll).not.toBe('pending');
    expect(await alice.page.getByTestId('upload').count()).toBe(0);
  });

  test('two tabs that both hold a photo kept offline send it once, not twice', async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 60, b: 200 } } })
      .png()
      .toBuffer();
    await alice.openChat('Bob Builder');
    const before = await bob.page.getByTestId('attachment-image').count();
    const ownImages = () =>
      alice.page
        .locator('[data-testid="message"][data-own="true"]')
        .filter({ has: alice.page.getByTestId('attachment-image') })
        .count();
    const mineBefore = await ownImages();
    await alice.goOffline();
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'once.png', mimeType: 'image/png', buffer: photo }]);
    await alice.page.getByTestId('send').click();
    await expect.poll(() => alice.page.getByTestId('upload-waiting').count(), poll).toBe(1);
    // A second tab starts while offline: it finds the photo kept on the device and holds it too.
    const tab = await alice.newTab(alice.page.url());
    try {
      await expect.poll(() => tab.page.getByTestId('upload-waiting').count(), poll).toBe(1);

      // Back online, both tabs try it: one sends it, the other finds it gone. The first
      // upload to start is held until a second one starts (only a tab racing the first
      // would start one) or a few seconds pass, so two racing tabs would both get through.
      let started = 0;
      let letGo!: () => void;
      const secondOrTimeout = new Promise<void>((resolve) => {
        letGo = resolve;
        setTimeout(resolve, 4_000);
      });
      await alice.context.route('**/api/files/tus', async (route) => {
        if (route.request().method() === 'POST') {
          if (++started === 2) letGo();
          await secondOrTimeout;
        }
        await route.continue().catch(() => undefined);
      });
      await alice.goOnline();
      await expect.poll(() => bob.page.getByTestId('attachment-image').count(), { ...poll, timeout: 40_000 }).toBe(before + 1);
      await expect.poll(() => alice.page.getByTestId('upload').count(), poll).toBe(0);
      await expect.poll(() => tab.page.getByTestId('upload').count(), poll).toBe(0);
      await expect.poll(() => alice.connectionText(), poll).not.toContain('waiting');
      // Every send either tab made is written by now (each tab sees the other's writes at once): one upload, one message.
      expect(started).toBe(1);
      expect(await ownImages()).toBe(mineBefore + 1);
      expect(await bob.page.getByTestId('attachment-image').count()).toBe(before + 1);
    } finally {
      await alice.context.unroute('**/api/files/tus');
      await tab.page.close();
    }
  });

  test('a photo on its way shows its progress in its own bubble; cancelled, it never arrives; after a failure, Retry sends it', async () => {
    const photo = await bigPhoto();
    await alice.openChat('Bob Builder');
    const before = await bob.page.getByTestId('attachment-image').count();

    // The upload's second part is held until the test lets it go: the bubble shows the first part done.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let patches = 0;
    await alice.page.route('**/api/files/tus/*', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches >= 2) await held;
      await route.continue().catch(() => undefined);
    });
    try {
      await alice.page.getByTestId('file-input').setInputFiles([{ name: 'noise.png', mimeType: 'image/png', buffer: photo }]);
      await alice.page.getByTestId('send').click();
      // Part of the way, and the bubble says how far, in words too (read together: the bar moves while the first part goes).
      const shown = () =>
        alice.page.getByTestId('upload').evaluate((bubble) => ({
          value: bubble.querySelector<HTMLProgressElement>('[data-testid="upload-progress"]')?.value ?? 0,
          percent: bubble.querySelector('[data-testid="upload-percent"]')?.textContent,
        }));
      await expect.poll(async () => (await shown()).value, poll).toBeGreaterThan(0.2);
      const { value, percent } = await shown();
      expect(value).toBeLessThan(1);
      expect(percent).toBe(`${Math.round(value * 100)}%`);
      // In the chat, where its message will be, not above the composer.
      expect(await alice.page.locator('[data-testid="messages"] [data-testid="upload"]').count()).toBe(1);
      await alice.screenshotGallery('files-pending-bubble');

      await alice.page.getByTestId('upload-cancel').click();
      await expect.poll(() => alice.page.getByTestId('upload').count(), poll).toBe(0);
    } finally {
      release();
      await alice.page.unroute('**/api/files/tus/*');
    }

    // The next file does not wait for the cancelled one.
    const small = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 250, g: 120, b: 0 } } })
      .png()
      .toBuffer();
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'small.png', mimeType: 'image/png', buffer: small }]);
    await alice.page.getByTestId('send').click();
    await expect.poll(() => bob.page.getByTestId('attachment-image').count(), poll).toBe(before + 1);

    // A failure the client does not retry on its own: the bubble says so and offers Retry.
    await alice.page.route('**/api/files/tus/*', (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { kind: 'forbidden', message: 'You are not allowed to do that.' } }) })
        : route.continue(),
    );
    try {
      await alice.page.getByTestId('file-input').setInputFiles([{ name: 'again.png', mimeType: 'image/png', buffer: photo }]);
      await alice.page.getByTestId('send').click();
      await expect.poll(() => alice.page.getByTestId('upload-retry').count(), poll).toBe(1);
      expect(await alice.page.getByTestId('upload').getByRole('alert').textContent()).toBe('You are not allowed to do that.');
    } finally {
      await alice.page.unroute('**/api/files/tus/*');
    }
    await alice.page.getByTestId('upload-retry').click();
    await expect.poll(() => bob.page.getByTestId('attachment-image').count(), { ...poll, timeout: 40_000 }).toBe(before + 2);
    await expect.poll(() => alice.page.getByTestId('upload').count(), poll).toBe(0);
    // The cancelled one never came.
    expect(await bob.page.getByTestId('attachment-image').count()).toBe(before + 2);
  });

  test('a video has its shape and a poster from the first moment, measured by the sending browser', async () => {
    await alice.openChat('Bob Builder');
    // A 320×240 WebM made in the page (canvas + MediaRecorder): there is no ffmpeg here.
    const bytes = await alice.page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const context = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start(100);
      for (let i = 0; i < 12; i++) {
        context.fillStyle = `rgb(${200 - i * 10}, 90, 40)`;
        context.fillRect(0, 0, 320, 240);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      recorder.stop();
      await stopped;
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    });
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from(bytes) }]);
    await alice.page.getByTestId('send').click();

    const video = bob.page.getByTestId('attachment-video');
    await expect.poll(() => video.count(), { ...poll, timeout: 40_000 }).toBe(1);
    expect(await video.getAttribute('poster')).toMatch(/^data:image\/png;base64,/);
    const box = (await video.boundingBox())!;
    expect(box.width / box.height).toBeCloseTo(4 / 3, 1);
  });
});
