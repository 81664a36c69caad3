import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** A fake microphone (a beeping tone) that the page may use without asking. */
const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

describe.skipIf(!(await hasChromium()))('voice notes and videos in a chat', () => {
  const cast = useSignedUpPeople(2, {}, FAKE_MICROPHONE);
  let alice: ChatPage;
  let bob: ChatPage;

  beforeAll(async () => {
    [alice, bob] = cast.pages as [ChatPage, ChatPage];
  });

  test('Alice records a voice note and sends it; Bob sees its length and plays it in the bubble', async () => {
    await alice.startDm(cast.usernames[1]!);
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
});
