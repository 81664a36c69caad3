// Long on purpose: one walkthrough of the app for the gallery, shot by shot, read top to bottom.
/**
 * `npm run screenshots`: the gallery in docs/screenshots/, taken from the real app.
 *
 * Starts the server on a temporary data dir seeded with demo users and chats
 * (scripts/seed.ts), then people write a DM and a group conversation, reply and react
 * through the app itself in Chromium (one browser context each), and the main screens
 * are captured at 1280×800 and on a 390×844 phone into docs/screenshots/<name>.png,
 * with docs/screenshots/README.md listing them. Screens are found by their
 * `data-testid`s; a screen whose way in is missing is skipped with a line saying so.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { ChatPage } from '../test/e2e/chatPage';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, ROOT, serve } from './bench/benchServer';
import { seed } from './seed';

const OUT = path.join(ROOT, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Seeded peers 1–8 get a DM each; 9 and 10 have none yet, so their chats hold only what is written here. */
const SEED = { users: 11, chats: 10, messages: 3 };
const PASSWORD = 'demo password';
/** How long a screen's way in may take to appear before it counts as missing. */
const APPEARS_MS = 5000;
/** Long enough for a message to reach the other people's screens. */
const SEEN_MS = 15_000;

interface Shot {
  name: string;
  title: string;
  caption: string;
}

const taken: Shot[] = [];

/** Captures `page` as docs/screenshots/<name>.png once fonts and pending frames have settled. */
async function shoot(page: Page, shot: Shot): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(OUT, `${shot.name}.png`) });
  taken.push(shot);
  console.log(`wrote docs/screenshots/${shot.name}.png`);
}

/** Runs one screen; a missing way in (an element by test id) skips it with a line instead of failing the gallery. */
async function screen(shot: Shot, page: Page, needs: string[], take: () => Promise<void>): Promise<void> {
  for (const testId of needs) {
    const found = await page
      .getByTestId(testId)
      .first()
      .waitFor({ timeout: APPEARS_MS })
      .then(
        () => true,
        () => false,
      );
    if (!found) {
      console.log(`skipped ${shot.name}: nothing with data-testid="${testId}" on the page`);
      return;
    }
  }
  try {
    await take();
  } catch (error) {
    console.log(`skipped ${shot.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

async function person(browser: Browser, url: string, username: string, viewport = DESKTOP): Promise<ChatPage> {
  // Notifications already allowed, as on a device in use: the gallery shows the app, not the first-run prompt.
  const chat = await ChatPage.open(await browser.newContext({ viewport, deviceScaleFactor: 1, permissions: ['notifications'] }), url);
  await chat.signIn(username, PASSWORD);
  return chat;
}

/** A demo holiday photo (sky, mountains, a lake), drawn here so the gallery needs no binary in the repo. */
function demoPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb8e6"/><stop offset="1" stop-color="#f4d9b0"/></linearGradient>
    <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3d7ea6"/><stop offset="1" stop-color="#1d4a66"/></linearGradient></defs>
    <rect width="1200" height="800" fill="url(#sky)"/>
    <polygon points="0,520 220,260 380,420 560,180 760,440 920,300 1200,520" fill="#5b6f7d"/>
    <polygon points="520,230 560,180 600,235 580,228 560,240 540,226" fill="#ffffff"/>
    <polygon points="0,560 300,470 620,540 900,480 1200,560 1200,800 0,800" fill="#3f7a4a"/>
    <ellipse cx="600" cy="660" rx="520" ry="110" fill="url(#lake)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function waitForText(chat: ChatPage, text: string): Promise<void> {
  await chat.page.getByTestId('message-text').getByText(text, { exact: true }).last().waitFor({ timeout: SEEN_MS });
}

async function main(): Promise<void> {
  await buildClientIfStale();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-screenshots-'));
  const seeded = await seed({ dataDir, ...SEED, bucketSize: 1000, password: PASSWORD });
  // Several people sign in from one address here: the sign-in rate limit is raised.
  const server = await serve({ dataDir, env: { JECO_AUTH_RATE_PER_MIN: '1000' } });
  // A fake microphone (a tone), allowed without asking, for the voice note.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  await mkdir(OUT, { recursive: true });
  try {
    const signInPage = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signInPage.goto(`${server.url}/`);
    await signInPage.waitForURL('**/login');
    const signInShot = { name: 'signin', title: 'Sign in', caption: 'Signing in. Accounts live on your own server; "Create an account" signs up.' };
    await screen(signInShot, signInPage, ['username-input'], () => shoot(signInPage, signInShot));

    const me = await person(browser, server.url, seeded.username);
    const sam = await person(browser, server.url, `${seeded.username}_peer9`);
    const kim = await person(browser, server.url, `${seeded.username}_peer10`);
    const myName = (await me.page.getByTestId('me-name').textContent())!;

    // A DM with a reply and reactions, written through the app by both people.
    await me.startDm(`${seeded.username}_peer9`);
    await me.send('Hey! Are you around this weekend?');
    await sam.openChat(myName);
    await waitForText(sam, 'Hey! Are you around this weekend?');
    await sam.send('Yes! Thinking of hiking up to the lake on Saturday 🏔️');
    await waitForText(me, 'Yes! Thinking of hiking up to the lake on Saturday 🏔️');
    await me.send('Count me in. Should I bring the tent?');
    await waitForText(sam, 'Count me in. Should I bring the tent?');
    await sam.replyTo('Count me in. Should I bring the tent?', 'Yes please, and the small stove. I will pick you up at 8');
    await waitForText(me, 'Yes please, and the small stove. I will pick you up at 8');
    await me.react('Yes please, and the small stove. I will pick you up at 8', '❤️');
    await sam.react('Count me in. Should I bring the tent?', '👍');
    await me.send('Perfect, see you Saturday!');
    await waitForText(sam, 'Perfect, see you Saturday!');
    await me.page.getByTestId('reaction').first().waitFor({ timeout: SEEN_MS });

    // A group of three.
    await me.createGroup('Weekend trip', [`${seeded.username}_peer9`, `${seeded.username}_peer10`]);
    await me.send("Who's driving on Saturday?");
    await kim.openChat('Weekend trip');
    await waitForText(kim, "Who's driving on Saturday?");
    await kim.send('I can take four people and the bikes 🚲');
    await sam.backToList().catch(() => undefined);
    await sam.openChat('Weekend trip');
    await waitForText(sam, 'I can take four people and the bikes 🚲');
    await sam.send("I'll bring snacks and the trail map");
    await waitForText(me, "I'll bring snacks and the trail map");
    await me.send('Great, leaving at 8 sharp');
    await waitForText(kim, 'Great, leaving at 8 sharp');

    const dmTitle = (await sam.page.getByTestId('me-name').textContent())!;
    await me.openChat(dmTitle);
    await waitForText(me, 'Perfect, see you Saturday!');
    const chatShot = { name: 'chat', title: 'A direct message', caption: 'A direct message: a reply quoting the message it answers, reactions, and sent ticks.' };
    await screen(chatShot, me.page, ['chat-view'], () => shoot(me.page, chatShot));

    const menuShot = {
      name: 'message-menu',
      title: 'The message menu',
      caption: "The menu of one's own message: react (six quick ones, or any emoji with +), reply, forward, copy, star, edit, delete for everyone or only for oneself. It stays inside the window.",
    };
    await screen(menuShot, me.page, ['message'], async () => {
      await me.openMessageMenu('Count me in. Should I bring the tent?');
      await me.page.getByTestId('message-menu').waitFor();
      await me.page.waitForTimeout(300);
      await me.page.screenshot({ path: path.join(OUT, `${menuShot.name}.png`) });
      taken.push(menuShot);
      console.log(`wrote docs/screenshots/${menuShot.name}.png`);
      await me.page.keyboard.press('Escape');
    });

    const emojiShot = {
      name: 'emoji-picker',
      title: 'The emoji picker',
      caption: "Every emoji, with search and recently used ones, from the composer (and from a message menu's + for reactions). Loaded on first use.",
    };
    await screen(emojiShot, me.page, ['composer-emoji'], async () => {
      await me.page.getByTestId('composer-emoji').click();
      await me.page.getByTestId('emoji-picker').getByRole('combobox').waitFor({ timeout: SEEN_MS });
      await me.page.waitForTimeout(500);
      await me.page.screenshot({ path: path.join(OUT, `${emojiShot.name}.png`) });
      taken.push(emojiShot);
      console.log(`wrote docs/screenshots/${emojiShot.name}.png`);
      await me.page.keyboard.press('Escape');
    });

    const starredShot = { name: 'starred', title: 'Starred messages', caption: 'Messages starred from their menu, listed from the sidebar menu (⋮); a click opens the chat at the message.' };
    await screen(starredShot, me.page, ['main-menu'], async () => {
      for (const text of ['Yes please, and the small stove. I will pick you up at 8', 'Perfect, see you Saturday!']) {
        await (await me.openMessageMenu(text)).getByTestId('action-star').click();
      }
      await me.page.getByTestId('main-menu').click();
      await me.page.getByTestId('open-starred').click();
      await me.page.getByTestId('starred-item').nth(1).waitFor({ timeout: SEEN_MS });
      await shoot(me.page, starredShot);
      await me.page.keyboard.press('Escape');
    });

    const shortcutsShot = { name: 'shortcuts', title: 'Keyboard shortcuts', caption: 'Ctrl+/ (or the sidebar menu) lists the keyboard shortcuts.' };
    await screen(shortcutsShot, me.page, ['chat-view'], async () => {
      await me.page.keyboard.press('Control+/');
      await me.page.getByTestId('shortcuts-dialog').waitFor({ timeout: SEEN_MS });
      await shoot(me.page, shortcutsShot);
      await me.page.keyboard.press('Escape');
    });

    const darkShot = { name: 'chat-dark', title: 'Dark theme', caption: 'The dark theme follows the system setting, or the choice in the sidebar menu (⋮).' };
    await screen(darkShot, me.page, ['chat-view'], async () => {
      await me.page.emulateMedia({ colorScheme: 'dark' });
      await shoot(me.page, darkShot);
      await me.page.emulateMedia({ colorScheme: 'light' });
    });

    await me.openChat('Weekend trip');
    await waitForText(me, 'Great, leaving at 8 sharp');
    const groupShot = { name: 'group', title: 'A group chat', caption: "A group chat: each run of someone's messages is headed by their name." };
    await screen(groupShot, me.page, ['chat-view'], () => shoot(me.page, groupShot));

    const infoShot = { name: 'group-info', title: 'Group info', caption: "A group's info, opened from its header: members with their roles, and what an owner may change." };
    await screen(infoShot, me.page, ['chat-header-info'], async () => {
      await me.page.getByTestId('chat-header-info').click();
      await me.page.getByTestId('group-info').waitFor({ timeout: SEEN_MS });
      await me.page.waitForTimeout(400);
      await shoot(me.page, infoShot);
      await me.page.keyboard.press('Escape');
      await me.page
        .getByTestId('group-info')
        .waitFor({ state: 'detached', timeout: SEEN_MS })
        .catch(() => undefined);
    });

    const inviteShot = { name: 'group-invite-link', title: 'Invite link', caption: "An admin's invite link, made in the group info: shown once to copy, reset or turned off there." };
    await screen(inviteShot, me.page, ['chat-header-info'], async () => {
      await me.page.getByTestId('chat-header-info').click();
      await me.page.getByTestId('invite-create').click({ timeout: SEEN_MS });
      await me.page.getByTestId('invite-url').waitFor({ timeout: SEEN_MS });
      await shoot(me.page, inviteShot);
      await me.page.keyboard.press('Escape');
      await me.page
        .getByTestId('group-info')
        .waitFor({ state: 'detached', timeout: SEEN_MS })
        .catch(() => undefined);
    });

    const timerShot = {
      name: 'disappearing-messages',
      title: 'Disappearing messages',
      caption: "The clock in a chat's header: new messages disappear for everyone after 24 hours, 7 days or 90 days (admins choose in a group).",
    };
    await screen(timerShot, me.page, ['disappearing-button'], async () => {
      await me.page.getByTestId('disappearing-button').click();
      await me.page.getByTestId('disappearing-dialog').waitFor({ timeout: SEEN_MS });
      await shoot(me.page, timerShot);
      await me.page.keyboard.press('Escape');
    });

    const selectShot = { name: 'select-messages', title: 'Selecting messages', caption: '"Select" in a message\'s menu: tick several to forward, copy or delete them together.' };
    await screen(selectShot, me.page, ['message-menu-button'], async () => {
      const rows = me.page.getByTestId('message');
      await rows.last().locator('.bubble').hover();
      await rows.last().getByTestId('message-menu-button').click();
      await me.page.getByTestId('action-select').click({ timeout: SEEN_MS });
      await rows
        .nth(-2)
        .getByTestId('message-select')
        .click()
        .catch(() => undefined);
      await shoot(me.page, selectShot);
      await me.page.keyboard.press('Escape');
    });

    const searchShot = {
      name: 'search',
      title: 'Search across chats',
      caption: 'Searching every chat kept on the device, offline too: chats by name, messages with the match marked. A result opens its chat at that message.',
    };
    await screen(searchShot, me.page, ['chat-search-input'], async () => {
      await me.page.getByTestId('chat-search-input').fill('weekend');
      await me.page.getByTestId('search-result').first().waitFor({ timeout: SEEN_MS });
      // The first search online brings the chats never opened here onto the device; let it finish.
      await me.page.getByTestId('search-fetching').waitFor({ state: 'detached', timeout: 60_000 });
      await me.page.getByTestId('search-result').filter({ hasText: 'around this weekend' }).click({ timeout: SEEN_MS });
      await waitForText(me, 'Hey! Are you around this weekend?');
      await me.page.waitForTimeout(200);
      await me.page.screenshot({ path: path.join(OUT, `${searchShot.name}.png`) });
      taken.push(searchShot);
      console.log(`wrote docs/screenshots/${searchShot.name}.png`);
    });

    const inChatShot = { name: 'search-in-chat', title: 'Search in one chat', caption: "Searching one chat: the chat header's magnifier opens its results, newest first." };
    await screen(inChatShot, me.page, ['chat-search-button'], async () => {
      await me.page.getByTestId('chat-search-input').fill('');
      await me.page.getByTestId('chat-search-button').click();
      await me.page.getByTestId('chat-search-panel-input').fill('the');
      await me.page.getByTestId('chat-search-results').waitFor({ timeout: SEEN_MS });
      await shoot(me.page, inChatShot);
    });

    // Files: a photo with a caption and a document, chosen with the paperclip (after the
    // search screens, which show the conversation as written above).
    await me.page
      .getByTestId('chat-search-close')
      .click()
      .catch(() => undefined);
    await me.openChat(dmTitle);
    const attachShot = {
      name: 'attach-preview',
      title: 'Attaching files',
      caption: 'Files chosen with the paperclip (or dropped, or pasted) wait above the composer; the text typed becomes the caption.',
    };
    await screen(attachShot, me.page, ['attach'], async () => {
      await me.page.getByTestId('file-input').setInputFiles([
        { name: 'lake.jpg', mimeType: 'image/jpeg', buffer: await demoPhoto() },
        { name: 'Packing list.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(48_000, 32)]) },
      ]);
      await me.page.getByTestId('composer').fill('The lake last year 😍');
      await shoot(me.page, attachShot);
      await me.page.getByTestId('send').click();
      await me.page.getByTestId('attachment-document').waitFor({ timeout: SEEN_MS });
    });
    const photoShot = {
      name: 'photo',
      title: 'A photo and a document',
      caption: 'A photo shows at its own shape (a ThumbHash placeholder until the thumbnail arrives); a document shows its name, type and size and downloads under its name.',
    };
    await sam.openChat(myName);
    await screen(photoShot, sam.page, ['attachment-image'], async () => {
      await sam.page.locator('[data-testid="attachment-image"] img').evaluate((img: HTMLImageElement) => img.decode());
      await shoot(sam.page, photoShot);
    });
    const lightboxShot = { name: 'lightbox', title: 'The photo viewer', caption: "A click opens the photo full size; arrow keys go through the chat's photos, Escape closes, the arrow downloads." };
    await screen(lightboxShot, sam.page, ['attachment-image'], async () => {
      await sam.page.getByTestId('attachment-image').last().click();
      await sam.page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.decode());
      await shoot(sam.page, lightboxShot);
      await sam.page.keyboard.press('Escape');
    });

    // A large photo on its way: its second part is held back, so its bubble shows the progress half-way.
    const pendingShot = {
      name: 'upload-pending',
      title: 'A photo on its way',
      caption:
        'A file being sent shows in its own bubble where its message will be, with its progress and a cancel; after a failure it says why and offers Retry. Sent offline, it shows a clock and goes by itself when the network is back, whichever chat is open, after a reload too.',
    };
    const pendingPhoneShot = { name: 'phone-upload-pending', title: 'Phone: a photo on its way', caption: 'On a phone: the pending bubble with its progress and cancel.' };
    await screen(pendingShot, me.page, ['attach'], async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let patches = 0;
      await me.page.route('**/api/files/tus/*', async (route) => {
        if (route.request().method() === 'PATCH' && ++patches >= 2) await held;
        await route.continue().catch(() => undefined);
      });
      // Uncompressed, so it goes in several parts.
      const large = await sharp(await demoPhoto())
        .resize(3000, 2000)
        .png({ compressionLevel: 0 })
        .toBuffer();
      await me.page.getByTestId('file-input').setInputFiles([{ name: 'panorama.png', mimeType: 'image/png', buffer: large }]);
      await me.page.getByTestId('send').click();
      await me.page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('[data-testid="upload-progress"]')?.value ?? 0) > 0.2, undefined, { timeout: SEEN_MS });
      await shoot(me.page, pendingShot);
      await me.page.setViewportSize(PHONE);
      await shoot(me.page, pendingPhoneShot);
      await me.page.setViewportSize(DESKTOP);
      await me.page.getByTestId('upload-cancel').click();
      release();
      await me.page.unroute('**/api/files/tus/*');
    });

    const voiceShot = {
      name: 'voice-note',
      title: 'A voice note',
      caption: 'The mic stands where Send is while there is nothing to send; a voice note plays in its bubble, with a progress bar one can drag and its length.',
    };
    await screen(voiceShot, me.page, ['voice-record'], async () => {
      await me.page.getByTestId('voice-record').click();
      await me.page.getByTestId('voice-elapsed').getByText('0:03').waitFor({ timeout: SEEN_MS });
      await me.page.getByTestId('voice-send').click();
      const note = sam.page.getByTestId('attachment-voice');
      await note.waitFor({ timeout: SEEN_MS });
      await note.getByTestId('voice-play').click();
      await sam.page.waitForTimeout(1200);
      await note.getByTestId('voice-play').click();
      await shoot(sam.page, voiceShot);
    });
    const mediaShot = {
      name: 'media-links-docs',
      title: 'Media, links and docs',
      caption: "What a chat shared, from the group info or a DM's header: photos and videos in a grid that opens the viewer, then documents and voice notes, then links.",
    };
    await screen(mediaShot, sam.page, ['attachment-image'], async () => {
      await sam.page.locator('.chat-header-text').click();
      await sam.page.getByTestId('media-tile').first().waitFor({ timeout: SEEN_MS });
      await sam.page
        .locator('[data-testid="media-tile"] img')
        .first()
        .evaluate((img: HTMLImageElement) => img.decode());
      await shoot(sam.page, mediaShot);
      await sam.page.getByTestId('media-panel-close').click();
    });

    const contactsShot = {
      name: 'contacts',
      title: 'Contacts',
      caption: 'Contacts (from the menu): the people one added, by the nickname one gave them, with their about line and when they were last online. A click opens the chat.',
    };
    await screen(contactsShot, me.page, ['main-menu'], async () => {
      await me.page.getByTestId('chat-search-input').fill('');
      await me.openChat(dmTitle);
      await me.page.getByTestId('peer-add-contact').click();
      await me.page.getByTestId('main-menu').click();
      await me.page.getByTestId('open-contacts').click();
      const row = me.page.getByTestId('contact-row').first();
      await row.getByTestId('contact-rename').click();
      await row.getByTestId('contact-nickname').fill('Sam (climbing)');
      await row.getByTestId('contact-nickname').press('Enter');
      await me.page.waitForTimeout(300);
      await shoot(me.page, contactsShot);
      await me.page.getByTestId('panel-back').click();
    });

    const settingsShot = {
      name: 'settings',
      title: 'Settings',
      caption:
        "Settings (from the menu): one's photo, name and about line, privacy, the devices signed in (this one marked; sign out any other, or all), the password and e-mail address, the people one blocked, exporting one's data and deleting the account.",
    };
    const devicesShot = {
      name: 'settings-devices',
      title: 'Settings: devices and password',
      caption:
        'The devices signed in to the account, with their browser and last use (this one marked): sign out any other at once, or all others; below, changing the password signs out every other device.',
    };
    const accountShot = {
      name: 'settings-account',
      title: 'Settings: blocked people, storage and your data',
      caption: "The people one blocked (unblock from here), the photos and files this device keeps for offline use (and a way to clear them), exporting one's data, and deleting the account.",
    };
    await screen(settingsShot, me.page, ['main-menu'], async () => {
      await me.page.getByTestId('main-menu').click();
      await me.page.getByTestId('open-settings').click();
      await me.page.getByTestId('device-row').first().waitFor({ timeout: SEEN_MS });
      await shoot(me.page, settingsShot);
      // Further down the same panel: the devices signed in, then the password, e-mail and blocked people.
      await me.page.getByTestId('settings-devices').evaluate((section) => section.scrollIntoView({ block: 'start' }));
      await shoot(me.page, devicesShot);
      await me.page.getByTestId('settings-blocked').evaluate((section) => section.scrollIntoView({ block: 'start' }));
      await shoot(me.page, accountShot);
      await me.page.getByTestId('panel-back').click();
    });

    const notificationsShot = {
      name: 'notifications',
      title: 'Notifications',
      caption:
        'The bell counts what is new for you: mentions, replies to your messages, reactions to them, being added to a group, removed or made admin. A click opens the chat at the message; the read marks follow you to every device.',
    };
    await screen(notificationsShot, me.page, ['notifications-bell'], async () => {
      // Kim mentions me in the group (Sam's reply and reaction in the DM above are already listed).
      await kim.page.getByTestId('composer').pressSequentially(`@${myName.slice(0, 3)}`);
      await kim.page.getByTestId('mention-option').first().waitFor({ timeout: SEEN_MS });
      await kim.page.getByTestId('composer').press('Enter');
      await kim.page.getByTestId('composer').pressSequentially('can you bring the trail snacks too?');
      await kim.page.getByTestId('composer').press('Enter');
      await me.page.getByTestId('notifications-unread').filter({ hasText: '3' }).waitFor({ timeout: SEEN_MS });
      await me.page.getByTestId('notifications-bell').click();
      await me.page.getByTestId('notification-item').nth(2).waitFor({ timeout: SEEN_MS });
      await shoot(me.page, notificationsShot);
      await me.page.getByTestId('panel-back').click();
    });

    const chatMenuShot = {
      name: 'chat-menu',
      title: 'The chat menu',
      caption: "A chat's menu in the list: archive, mute for a while, what to be notified of (all messages, mentions only, or nothing, on every device and for Web Push), pin.",
    };
    await screen(chatMenuShot, me.page, ['chat-menu-button'], async () => {
      await me.chatAction('Weekend trip', 'notify-mentions');
      const row = me.page.locator('.chat-item-row').filter({ has: me.chatListItem('Weekend trip') });
      await row.hover();
      await row.getByTestId('chat-menu-button').click();
      await me.page.getByTestId('notify-levels').waitFor({ timeout: SEEN_MS });
      await shoot(me.page, chatMenuShot);
      await me.page.keyboard.press('Escape');
      await me.chatAction('Weekend trip', 'notify-all');
    });

    const phone = await person(browser, server.url, seeded.username, PHONE);
    const phoneList = { name: 'phone-chats', title: 'Phone: the chat list', caption: 'On a phone: the chat list, one pane at a time.' };
    await screen(phoneList, phone.page, ['chat-list'], () => shoot(phone.page, phoneList));
    const phoneChat = { name: 'phone-group', title: 'Phone: a chat', caption: 'On a phone: a chat fills the screen, with a way back to the list.' };
    await screen(phoneChat, phone.page, ['chat-list'], async () => {
      await phone.openChat('Weekend trip');
      await waitForText(phone, 'Great, leaving at 8 sharp');
      await shoot(phone.page, phoneChat);
    });
    const phoneDark = { name: 'phone-group-dark', title: 'Phone: dark theme', caption: 'On a phone, in the dark theme.' };
    await screen(phoneDark, phone.page, ['chat-view'], async () => {
      await phone.page.emulateMedia({ colorScheme: 'dark' });
      await shoot(phone.page, phoneDark);
    });
    const phoneDarkList = { name: 'phone-chats-dark', title: 'Phone: the chat list, dark', caption: 'The chat list on a phone, in the dark theme.' };
    await screen(phoneDarkList, phone.page, ['back'], async () => {
      await phone.backToList();
      await shoot(phone.page, phoneDarkList);
    });

    const phonePhoto = { name: 'phone-photo', title: 'Phone: a photo', caption: 'On a phone: the photo and the document in the chat.' };
    await screen(phonePhoto, phone.page, ['main-menu'], async () => {
      if ((await phone.page.getByTestId('back').count()) > 0) await phone.backToList();
      // The contacts screen above gave Sam a nickname, which the chat list shows.
      await phone.openChat('Sam (climbing)');
      await phone.page.locator('[data-testid="attachment-image"] img').evaluate((img: HTMLImageElement) => img.decode());
      await shoot(phone.page, phonePhoto);
    });

    const phoneSettings = { name: 'phone-settings', title: 'Phone: settings', caption: 'On a phone: settings fill the screen.' };
    await screen(phoneSettings, phone.page, ['back'], async () => {
      if ((await phone.page.getByTestId('back').count()) > 0) await phone.backToList();
      await phone.page.getByTestId('main-menu').click();
      await phone.page.getByTestId('open-settings').click();
      await phone.page.getByTestId('device-row').first().waitFor({ timeout: SEEN_MS });
      await shoot(phone.page, phoneSettings);
    });

    await writeFile(
      path.join(OUT, 'README.md'),
      [
        '# Screenshots',
        '',
        'Taken from the real app by `npm run screenshots` (`scripts/screenshots.ts`): a server on a temporary data dir seeded by `scripts/seed.ts`, the conversations written through the app by two and three people, headless Chromium at 1280×800 and 390×844.',
        '',
        ...taken.flatMap((shot) => [`## ${shot.title}`, '', shot.caption, '', `![${shot.title}](${shot.name}.png)`, '']),
      ].join('\n'),
    );
    console.log('wrote docs/screenshots/README.md');
  } finally {
    await browser.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
