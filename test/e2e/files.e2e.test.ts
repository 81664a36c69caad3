import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

describe.skipIf(!(await hasChromium()))('photos and documents between two people', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  let photo: Buffer;
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% notes for the trip\n'), Buffer.alloc(20_000, 7)]);

  beforeAll(async () => {
    // A 600×400 photo: wider than tall, so the bubble's shape is checkable.
    photo = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 30, g: 140, b: 200 } } })
      .png()
      .toBuffer();
  });

  test('Alice sends a photo with a caption and a document; Bob sees the thumbnail at its shape, opens the lightbox and downloads the document by its name', async () => {
    await alice.startDm(usernames[1]!);
    await alice.page.getByTestId('file-input').setInputFiles([
      { name: 'lake.png', mimeType: 'image/png', buffer: photo },
      { name: 'Trip notes.pdf', mimeType: 'application/pdf', buffer: pdf },
    ]);
    await expect.poll(() => alice.page.getByTestId('chosen-file').count(), poll).toBe(2);
    await alice.screenshot('files-preview');
    await alice.page.getByTestId('composer').fill('The lake!');
    await alice.page.getByTestId('send').click();
    await expect.poll(() => alice.page.getByTestId('attachment-image').count(), poll).toBe(1);
    await expect.poll(() => alice.page.getByTestId('attachment-document').count(), poll).toBe(1);
    expect(await alice.page.getByTestId('file-tray').count()).toBe(0);
    // Messages keep the order the files were chosen in, though the smaller one finishes first.
    expect(await alice.page.getByTestId('message').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid^="attachment-"]')?.getAttribute('data-testid')))).toEqual([
      'attachment-image',
      'attachment-document',
    ]);
    await alice.screenshot('files-sent');
    // Search still reads the chat, captions included.
    await alice.page.getByTestId('chat-search-input').fill('lake');
    await expect.poll(() => alice.page.getByTestId('search-result').count(), poll).toBeGreaterThan(0);
    await alice.page.getByTestId('chat-search-input').fill('');

    await bob.openChat('Alice Liddell');
    const image = bob.page.getByTestId('attachment-image');
    await image.waitFor();
    await expect.poll(() => bob.page.locator('[data-testid="attachment-image"] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), poll).toBeGreaterThan(0);
    const box = (await image.boundingBox())!;
    expect(box.width / box.height).toBeCloseTo(1.5, 1);
    expect(await bob.messageTexts()).toContain('The lake!');
    await expect.poll(() => bob.page.getByTestId('attachment-name').textContent(), poll).toBe('Trip notes.pdf');

    await image.click();
    const full = bob.page.getByTestId('lightbox-image');
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth), poll).toBe(600);
    await bob.screenshot('files-lightbox');
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => bob.page.getByTestId('lightbox').count(), poll).toBe(0);

    const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.getByTestId('attachment-document').click()]);
    expect(download.suggestedFilename()).toBe('Trip notes.pdf');
    expect((await readFile((await download.path())!)).equals(pdf)).toBe(true);
  });

  test('a photo attached offline waits on the device with a clock, survives a reload, and is delivered once the network returns', async () => {
    const second = await sharp({ create: { width: 300, height: 500, channels: 3, background: { r: 240, g: 200, b: 40 } } })
      .png()
      .toBuffer();
    await alice.goOffline();
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'sunflower.png', mimeType: 'image/png', buffer: second }]);
    await alice.page.getByTestId('send').click();
    await expect.poll(() => alice.page.getByTestId('upload-waiting').count(), poll).toBe(1);
    await alice.screenshot('files-offline');

    await alice.page.reload();
    await expect.poll(() => alice.page.getByTestId('upload-waiting').count(), poll).toBe(1);
    expect(await bob.page.getByTestId('attachment-image').count()).toBe(1);

    await alice.goOnline();
    await expect.poll(() => bob.page.getByTestId('attachment-image').count(), { ...poll, timeout: 40_000 }).toBe(2);
    await expect.poll(() => alice.page.getByTestId('upload').count(), poll).toBe(0);
    const tall = (await bob.page.getByTestId('attachment-image').last().boundingBox())!;
    expect(tall.height / tall.width).toBeCloseTo(5 / 3, 1);
  });

  test('a file dropped on the chat and an image pasted into the composer join the tray; one removed, the other sent', async () => {
    const before = await bob.page.getByTestId('attachment-document').count();
    await alice.page.getByTestId('chat-view').evaluate((chat) => {
      const dropped = new DataTransfer();
      dropped.items.add(new File(['%PDF-1.4\n dropped'], 'dropped.pdf', { type: 'application/pdf' }));
      chat.dispatchEvent(new DragEvent('dragover', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      chat.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
    });
    await alice.page.getByTestId('composer').evaluate((input) => {
      const pasted = new DataTransfer();
      pasted.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'pasted.png', { type: 'image/png' }));
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => alice.page.getByTestId('chosen-file').allTextContents(), poll).toEqual([expect.stringContaining('dropped.pdf'), expect.stringContaining('pasted.png')]);
    await alice.page.getByTestId('remove-chosen').last().click();
    await expect.poll(() => alice.page.getByTestId('chosen-file').count(), poll).toBe(1);
    await alice.page.getByTestId('send').click();
    await expect.poll(() => bob.page.getByTestId('attachment-document').count(), poll).toBe(before + 1);
    expect(await bob.page.getByTestId('attachment-name').last().textContent()).toBe('dropped.pdf');
  });
  test('a photo Bob has seen opens again with no network, after a reload; Settings shows what the device keeps and clears it', async () => {
    await bob.openChat('Alice Liddell');
    // From a page the service worker controls, as on any visit after the first.
    await bob.waitForOfflineShell();
    await bob.page.reload();
    await bob.openChat('Alice Liddell');
    const shown = () =>
      bob.page
        .locator('[data-testid="attachment-image"] img')
        .first()
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);
    await expect.poll(shown, poll).toBeGreaterThan(0);

    await bob.goOffline();
    await bob.page.reload();
    await bob.openChat('Alice Liddell');
    await expect.poll(shown, poll).toBeGreaterThan(0);
    await bob.goOnline();

    await bob.openSettings();
    const size = bob.page.getByTestId('media-cache-size');
    await expect.poll(() => size.textContent(), poll).toMatch(/^[\d.]+ (KB|MB) on this device$/);
    await bob.page.getByTestId('settings-storage').scrollIntoViewIfNeeded();
    await bob.screenshot('settings-storage');
    await bob.page.getByTestId('media-cache-clear').click();
    await expect.poll(() => size.textContent(), poll).toBe('0 B on this device');
    expect(await bob.page.evaluate(() => caches.has('jeco-media'))).toBe(false);
  });
});
