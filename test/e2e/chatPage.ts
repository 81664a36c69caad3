// Long on purpose: the one page object every end-to-end file drives; each method is one step a person takes in the UI.
import type { BrowserContext, Locator, Page, WebSocketRoute } from 'playwright-core';

/** How long a change may take to show up on another person's screen before a test gives up. */
export const SEEN_WITHIN_MS = 15_000;

/**
 * One person using Jeco in their own browser context: the steps a person takes,
 * through the UI only, and what they see.
 */
/** The sync sockets of one browser context (one device), which a test can cut as if the network were down. */
class SyncNetwork {
  blocked = false;
  private readonly open = new Set<WebSocketRoute>();

  async route(context: BrowserContext): Promise<void> {
    await context.routeWebSocket(/\/sync$/, (ws) => {
      if (this.blocked) return void ws.close();
      this.open.add(ws);
      ws.onClose(() => this.open.delete(ws));
      ws.connectToServer();
    });
  }

  /** Chromium's offline switch does not end a WebSocket that is already open: these are ended by hand. */
  async cut(): Promise<void> {
    this.blocked = true;
    await Promise.all([...this.open].map((ws) => ws.close().catch(() => undefined)));
    this.open.clear();
  }
}

/** How many of a page's latest console lines a failed test prints. */
const CONSOLE_TAIL = 40;

/** Every page the running file has open: what a failed test reports (`failureReport.ts`). */
export const openPages = new Set<ChatPage>();

export class ChatPage {
  /** The page's latest console lines and uncaught errors, newest last. */
  readonly consoleTail: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly network: SyncNetwork,
  ) {
    openPages.add(this);
    const note = (line: string) => {
      this.consoleTail.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
      if (this.consoleTail.length > CONSOLE_TAIL) this.consoleTail.shift();
    };
    page.on('console', (message) => note(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => note(`uncaught: ${error.message}`));
    page.on('close', () => openPages.delete(this));
  }

  /** When true, the app's sync socket cannot reach the server, as if the network were down. */
  get syncBlocked(): boolean {
    return this.network.blocked;
  }

  set syncBlocked(blocked: boolean) {
    this.network.blocked = blocked;
  }

  static async open(context: BrowserContext, baseUrl: string): Promise<ChatPage> {
    const network = new SyncNetwork();
    await network.route(context);
    const chat = new ChatPage(context, await context.newPage(), network);
    await chat.page.goto(baseUrl);
    return chat;
  }

  /** Another tab of the same browser (same storage, same network). */
  async newTab(url: string): Promise<ChatPage> {
    const tab = new ChatPage(this.context, await this.context.newPage(), this.network);
    await tab.page.goto(url);
    return tab;
  }

  /**
   * No network at all for this browser: pages, API and the sync socket. Waits for the
   * service worker first, as a person's browser has it from any earlier visit.
   */
  async goOffline(): Promise<void> {
    await this.waitForOfflineShell();
    await this.context.setOffline(true);
    await this.network.cut();
  }

  async goOnline(): Promise<void> {
    this.network.blocked = false;
    await this.context.setOffline(false);
  }

  /** Resolves once the service worker controls the page, so the app shell opens without a network. */
  async waitForOfflineShell(): Promise<void> {
    await this.page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: SEEN_WITHIN_MS });
  }

  async register(username: string, displayName: string, password: string): Promise<void> {
    await this.page.waitForURL('**/login');
    await this.page.getByRole('link', { name: 'Create an account' }).click();
    await this.page.getByTestId('username-input').fill(username);
    await this.page.getByTestId('displayName-input').fill(displayName);
    await this.page.getByTestId('password-input').fill(password);
    await this.page.getByTestId('submit').click();
    await this.page.getByTestId('me-name').waitFor();
  }

  async signIn(username: string, password: string): Promise<void> {
    await this.page.waitForURL('**/login');
    await this.page.getByTestId('username-input').fill(username);
    await this.page.getByTestId('password-input').fill(password);
    await this.page.getByTestId('submit').click();
    await this.page.getByTestId('me-name').waitFor();
  }

  /** Signs out, confirming the warning that comes first when messages still wait to be sent. */
  async signOut(): Promise<void> {
    await this.page.getByTestId('sign-out').click();
    const warning = this.page.getByTestId('confirm-dialog').getByTestId('confirm-go');
    await Promise.race([this.page.waitForURL('**/login'), warning.click().catch(() => undefined)]);
    await this.page.waitForURL('**/login');
  }

  /** What this app left in the browser's storage: IndexedDB databases and localStorage keys. */
  storedNames(): Promise<string[]> {
    return this.page.evaluate(async () => {
      const databases = (await indexedDB.databases()).map((d) => d.name ?? '');
      return [...databases, ...Object.keys(localStorage)].filter((name) => name.startsWith('jeco:'));
    });
  }

  private async pickUser(username: string): Promise<void> {
    await this.page.getByTestId('user-search').fill(username.slice(0, -1));
    await this.page.locator(`[data-testid="user-result"][data-username="${username}"]`).click();
  }

  async startDm(username: string): Promise<void> {
    await this.page.getByTestId('new-chat').click();
    await this.pickUser(username);
    // The panel closes as the new chat opens; until then another chat may still be showing.
    await this.page.getByTestId('new-chat-panel').waitFor({ state: 'detached' });
    await this.page.getByTestId('chat-view').waitFor();
  }

  async createGroup(name: string, usernames: string[]): Promise<void> {
    await this.page.getByTestId('new-group').click();
    await this.page.getByTestId('group-name').fill(name);
    for (const username of usernames) await this.pickUser(username);
    await this.page.getByTestId('create-group').click();
    await this.page.getByTestId('new-group-panel').waitFor({ state: 'detached' });
    await this.page.getByTestId('chat-view').waitFor();
  }

  chatListItem(title: string): Locator {
    return this.page.getByTestId('chat-list-item').filter({ has: this.page.getByTestId('chat-title').getByText(title, { exact: true }) });
  }

  async openChat(title: string): Promise<void> {
    await this.chatListItem(title).click({ timeout: SEEN_WITHIN_MS });
    await this.page.getByTestId('chat-view').waitFor();
  }

  /** Settings, from the sidebar's menu. */
  async openSettings(): Promise<void> {
    await this.page.getByTestId('main-menu').click();
    await this.page.getByTestId('open-settings').click();
    await this.page.getByTestId('settings-panel').waitFor();
  }

  /** Phone-sized screens show one pane: back from the chat to the list. */
  async backToList(): Promise<void> {
    await this.page.getByTestId('back').click();
    await this.page.getByTestId('chat-list').waitFor();
  }

  async send(text: string): Promise<void> {
    await this.page.getByTestId('composer').fill(text);
    await this.page.getByTestId('composer').press('Enter');
  }

  /** Scrolls the messages to the very top, as a reader looking for older history. */
  async scrollToOldest(): Promise<void> {
    await this.page.getByTestId('messages').evaluate((el) => el.scrollTo({ top: 0 }));
  }

  /**
   * Every loaded message's text in order, read by scrolling the list from its top to its
   * bottom as a reader would: the list renders only the rows near the view, so
   * {@link messageTexts} sees those alone. Leaves the view at the bottom.
   */
  historyTexts(): Promise<string[]> {
    return this.page.getByTestId('messages').evaluate(async (el) => {
      const texts = new Map<string, string>();
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      el.scrollTop = 0;
      for (;;) {
        await frame();
        for (const row of el.querySelectorAll<HTMLElement>('[data-message-id]')) texts.set(row.dataset.messageId!, row.querySelector('[data-testid="message-text"]')?.textContent ?? '');
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
        el.scrollTop += el.clientHeight / 2;
      }
      // Rows come and go as the view moves; the list keeps them in its order, oldest first, and so does the map.
      return [...texts.values()];
    });
  }

  chatTitles(): Promise<string[]> {
    return this.page.getByTestId('chat-title').allTextContents();
  }

  messageTexts(): Promise<string[]> {
    return this.page.getByTestId('message-text').allTextContents();
  }

  /** Each of one's own messages as `text:pending` or `text:sent`, in order. */
  ownMessageStates(): Promise<string[]> {
    return this.page
      .locator('[data-testid="message"][data-own="true"]')
      .evaluateAll((rows) => rows.map((row) => `${row.querySelector('[data-testid="message-text"]')?.textContent}:${row.querySelector('[data-testid="message-pending"]') ? 'pending' : 'sent'}`));
  }

  /** The status line under one's name, as read: "Offline", or "Offline, 3 messages waiting to be sent". */
  async connectionText(): Promise<string> {
    const status = this.page.getByTestId('connection-status');
    const label = await status.locator('.connection-text').textContent();
    const waiting = status.getByTestId('waiting-count');
    return (await waiting.count()) === 0 ? `${label}` : `${label}, ${await waiting.getAttribute('title')}`;
  }

  async bannerText(): Promise<string | null> {
    return this.page.locator('.banner').first().textContent({ timeout: SEEN_WITHIN_MS });
  }

  /** The row of the message whose shown text (or, once deleted, original position) is `text`. */
  messageRow(text: string): Locator {
    return this.page.getByTestId('message').filter({ has: this.page.getByTestId('message-text').getByText(text, { exact: true }) });
  }

  /** Opens a message's menu (the chevron appears on hover) and returns it. */
  async openMessageMenu(text: string): Promise<Locator> {
    const row = this.messageRow(text);
    await row.locator('.bubble').hover({ timeout: SEEN_WITHIN_MS });
    await row.getByTestId('message-menu-button').click();
    // The menu floats over the page, outside the row; one is open at a time. It shows once placed.
    const menu = this.page.getByTestId('message-menu');
    await menu.waitFor();
    return menu;
  }

  /** The actions a message's menu offers, by test id (`action-reply`, `action-edit` …); closes the menu again. */
  async messageActions(text: string): Promise<string[]> {
    const menu = await this.openMessageMenu(text);
    const actions = await menu.locator('[data-testid^="action-"]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-testid') ?? ''));
    await this.page.keyboard.press('Escape');
    return actions;
  }

  async react(text: string, emoji: string): Promise<void> {
    const menu = await this.openMessageMenu(text);
    await menu.locator(`[data-testid="reaction-choice"][data-emoji="${emoji}"]`).click();
  }

  /** A message's reactions as `emoji count`, in order. */
  reactionsOf(text: string): Promise<string[]> {
    return this.messageRow(text)
      .getByTestId('reaction')
      .evaluateAll((chips) => chips.map((c) => `${c.getAttribute('data-emoji')} ${c.getAttribute('data-count')}`));
  }

  async replyTo(text: string, reply: string): Promise<void> {
    await (await this.openMessageMenu(text)).getByTestId('action-reply').click();
    await this.page.getByTestId('reply-preview').waitFor();
    await this.send(reply);
  }

  async edit(text: string, newText: string): Promise<void> {
    await (await this.openMessageMenu(text)).getByTestId('action-edit').click();
    await this.page.getByTestId('edit-preview').waitFor();
    await this.send(newText);
  }

  async deleteForEveryone(text: string): Promise<void> {
    await (await this.openMessageMenu(text)).getByTestId('action-delete-for-everyone').click();
  }

  async deleteForMe(text: string): Promise<void> {
    await (await this.openMessageMenu(text)).getByTestId('action-delete-for-me').click();
  }

  /** The "… is typing…" line in the chat header, or null when nobody is typing. */
  async typingText(): Promise<string | null> {
    // One read, not count-then-read: the line may go between two calls, and a read would then wait for it.
    const [text] = await this.page.getByTestId('typing-indicator').allTextContents();
    return text ?? null;
  }

  /** How many messages show the "This message was deleted" tombstone. */
  tombstoneCount(): Promise<number> {
    return this.page.getByTestId('message-deleted').count();
  }

  /** The ticks under one's own message: `pending`, `sent`, `delivered` or `read`. */
  async statusOf(text: string): Promise<string | null> {
    const status = this.messageRow(text).locator('.bubble-status');
    return (await status.count()) === 0 ? null : status.getAttribute('data-status');
  }

  /** The unread count a chat's row shows, 0 when none. */
  async unreadIn(title: string): Promise<number> {
    const [badge] = await this.chatListItem(title).getByTestId('chat-unread').allTextContents();
    return badge ? Number(badge) : 0;
  }

  /** The chat header's subtitle ("online", "last seen …", "typing…" or the members). */
  async headerSubtitle(): Promise<string | null> {
    const [text] = await this.page.locator('[data-testid="chat-header-subtitle"], [data-testid="typing-indicator"]').allTextContents();
    return text ?? null;
  }

  /** Opens "Message info" of one's own message: the people under each heading, by display name. */
  async messageInfo(text: string): Promise<Record<string, string[]>> {
    await (await this.openMessageMenu(text)).getByTestId('action-info').click();
    const dialog = this.page.getByTestId('message-info');
    await dialog.waitFor();
    const out: Record<string, string[]> = {};
    for (const section of ['info-read', 'info-delivered', 'info-waiting']) {
      out[section.slice('info-'.length)] = await dialog.getByTestId(section).locator('.info-name').allTextContents();
    }
    return out;
  }

  async closeDialog(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.getByTestId('message-info').waitFor({ state: 'detached' });
  }

  /** Opens a chat row's menu and picks an action by test id (`action-pin`, `action-archive`, `action-mute` …). */
  async chatAction(title: string, action: string, nth = 0): Promise<void> {
    const row = this.page.locator('.chat-item-row').filter({ has: this.chatListItem(title) });
    await row.hover();
    await row.getByTestId('chat-menu-button').click();
    await this.page.getByTestId('chat-menu').getByTestId(action).nth(nth).click();
  }

  /** Records, from now on, which messages get the highlight: it fades after 1.6 s, too soon to poll for. */
  watchHighlights(): Promise<void> {
    return this.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __highlighted: string[] }).__highlighted = seen;
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          if (el.classList.contains('highlight') && el.dataset.messageId) seen.push(el.querySelector('[data-testid="message-text"]')?.textContent ?? '');
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] });
    });
  }

  /** The texts of the messages highlighted since {@link watchHighlights}. */
  highlighted(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __highlighted: string[] }).__highlighted);
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `test-results/e2e/${name}.png` });
  }

  /**
   * The gallery's four pictures of what the page shows now: desktop and phone, light and
   * dark (`<name>-desktop-light.png` …); the theme follows the emulated system setting.
   * Leaves the page at desktop size in the light theme.
   */
  async screenshotGallery(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme: scheme });
      await this.page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
      for (const [size, viewport] of [
        ['desktop', { width: 1100, height: 760 }],
        ['phone', { width: 390, height: 760 }],
      ] as const) {
        await this.page.setViewportSize(viewport);
        // Two frames: the layout settles at the new size before the picture.
        await this.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        await this.screenshot(`${name}-${size}-${scheme}`);
      }
    }
    await this.page.setViewportSize({ width: 1100, height: 760 });
    await this.page.emulateMedia({ colorScheme: 'light' });
  }
}
