import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

/** A fake microphone (a beeping tone) that the page may use without asking. */
const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

describe.skipIf(!(await hasChromium()))('voice notes, videos and what a chat shared', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2, {}, FAKE_MICROPHONE);

  test('Alice records a voice note and sends it; Bob sees its length and plays it in the bubble', async () => {
    await alice.startDm(usernames[1]!);
    // The mic stands where Send is while there is nothing to send.
    expect(await alice.page.getByTestId('send').count()).toBe(0);
    await alice.page.getByTestId('voice-record').click();
    await expect.poll(() => alice.page.getByTestId('voice-elapsed').textContent(), poll).toBe('0:02');
    await alice.screenshot('voice-recording');
    await alice.page.getByTestId('voice-send').click();
    await expect.poll(() => alice.page.getByTestId('attachment-voice').count(), poll).toBe(1);
    expect(await alice.page.getByTestId('voice-recorder').count()).toBe(0);

    await bob.openChat('Alice Liddell');
    const note = bob.page.getByTestId('attachment-voice');
    await note.waitFor();
    expect(await note.getByTestId('voice-duration').textContent()).toMatch(/^0:0[23]$/);
    await note.getByTestId('voice-play').click();
    await expect.poll(() => note.getAttribute('data-playing'), poll).toBe('true');
    await expect.poll(() => note.getByTestId('voice-progress').getAttribute('aria-valuenow'), poll).not.toBe('0');
    await bob.screenshot('voice-playing');
    await expect.poll(() => note.getAttribute('data-playing'), { ...poll, timeout: 10_000 }).toBe('false');
    await bob.page.setViewportSize({ width: 390, height: 760 });
    await bob.screenshot('voice-phone');
    await bob.page.setViewportSize({ width: 1100, height: 760 });
  });

  test('a recording cancelled is not sent', async () => {
    const before = await bob.page.getByTestId('attachment-voice').count();
    await alice.page.getByTestId('voice-record').click();
    await expect.poll(() => alice.page.getByTestId('voice-elapsed').textContent(), poll).toBe('0:01');
    await alice.page.getByTestId('voice-cancel').click();
    expect(await alice.page.getByTestId('voice-recorder').count()).toBe(0);
    await alice.send('no voice after all');
    await expect.poll(() => bob.messageTexts(), poll).toContain('no voice after all');
    expect(await bob.page.getByTestId('attachment-voice').count()).toBe(before);
  });

  test('a video plays in the bubble at its own shape', async () => {
    // A short WebM video made in the page (a canvas recorded), sent like any file.
    const bytes = await alice.page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const context = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => {
        recorder.onstop = resolve;
      });
      recorder.start(100);
      for (let i = 0; i < 20; i++) {
        context.fillStyle = `hsl(${i * 18} 70% 50%)`;
        context.fillRect(0, 0, 320, 180);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      recorder.stop();
      await stopped;
      return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
    });
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'colours.webm', mimeType: 'video/webm', buffer: Buffer.from(bytes) }]);
    await alice.page.getByTestId('send').click();
    const video = bob.page.getByTestId('attachment-video');
    await video.waitFor({ timeout: poll.timeout });
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), poll).toBeGreaterThan(0);
    expect(await video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight])).toEqual([320, 180]);
    await bob.screenshot('video-message');
  });

  test('"Media, links and docs" lists what the chat shared: photos and videos in a grid that opens the viewer, documents, links', async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 220, g: 120, b: 40 } } })
      .png()
      .toBuffer();
    await alice.page.getByTestId('file-input').setInputFiles([
      { name: 'sunset.png', mimeType: 'image/png', buffer: photo },
      { name: 'Menu.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% the menu') },
    ]);
    await alice.page.getByTestId('send').click();
    await alice.send('Tickets at https://example.com/tickets and the map on maps.example.org');
    await expect.poll(() => bob.page.getByTestId('attachment-document').count(), poll).toBe(1);
    await expect.poll(() => bob.messageTexts(), poll).toContain('Tickets at https://example.com/tickets and the map on maps.example.org');

    // A DM's header opens it; a group's info has a row for it.
    await bob.page.locator('.chat-header-text').click();
    const panel = bob.page.getByTestId('media-panel');
    await panel.waitFor();
    await expect.poll(() => panel.getByTestId('media-tile').count(), poll).toBe(2);
    await expect.poll(() => panel.locator('[data-testid="media-tile"] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), poll).toBeGreaterThan(0);
    await bob.screenshot('media-panel');
    // Newest first: the photo, then the video; the viewer steps from one to the other.
    await panel.getByTestId('media-tile').first().click();
    await expect.poll(() => bob.page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.naturalWidth), poll).toBe(400);
    await bob.page.keyboard.press('ArrowRight');
    await bob.page.getByTestId('lightbox-video').waitFor();
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => bob.page.getByTestId('lightbox').count(), poll).toBe(0);
    expect(await panel.count()).toBe(1);

    await panel.getByTestId('media-tab-docs').click();
    expect(await panel.getByTestId('media-doc').allTextContents()).toEqual([expect.stringContaining('Menu.pdf'), expect.stringMatching(/Voice message · 0:0[23]/)]);
    const [download] = await Promise.all([bob.page.waitForEvent('download'), panel.getByTestId('media-doc').first().click()]);
    expect(download.suggestedFilename()).toBe('Menu.pdf');
    await bob.screenshot('media-panel-docs');

    await panel.getByTestId('media-tab-links').click();
    expect(await panel.getByTestId('media-link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://example.com/tickets', 'https://maps.example.org']);
    await bob.screenshot('media-panel-links');

    await bob.page.setViewportSize({ width: 390, height: 760 });
    await panel.getByTestId('media-tab-media').click();
    await bob.screenshot('media-panel-phone');
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => panel.count(), poll).toBe(0);
    await bob.page.setViewportSize({ width: 1100, height: 760 });
  });
});
