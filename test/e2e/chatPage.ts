import type { BrowserContext, Locator, Page } from 'playwright-core';

/** How long a change may take to show up on another person's screen before a test gives up. */
export const SEEN_WITHIN_MS = 15_000;

/**
 * One person using Jeco in their own browser context: the steps a person takes,
 * through the UI only, and what they see.
 */
export class ChatPage {
  /** When true, the app's sync socket cannot reach the server, as if the network were down. */
  syncBlocked = false;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(context: BrowserContext, baseUrl: string): Promise<ChatPage> {
    const chat = new ChatPage(context, await context.newPage());
    await context.routeWebSocket(/\/sync$/, (ws) => {
      if (chat.syncBlocked) ws.close();
      else ws.connectToServer();
    });
    await chat.page.goto(baseUrl);
    return chat;
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

  async signOut(): Promise<void> {
    await this.page.getByTestId('sign-out').click();
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
    await this.page.getByTestId('chat-view').waitFor();
  }

  async createGroup(name: string, usernames: string[]): Promise<void> {
    await this.page.getByTestId('new-group').click();
    await this.page.getByTestId('group-name').fill(name);
    for (const username of usernames) await this.pickUser(username);
    await this.page.getByTestId('create-group').click();
    await this.page.getByTestId('chat-view').waitFor();
  }

  chatListItem(title: string): Locator {
    return this.page.getByTestId('chat-list-item').filter({ has: this.page.getByTestId('chat-title').getByText(title, { exact: true }) });
  }

  async openChat(title: string): Promise<void> {
    await this.chatListItem(title).click({ timeout: SEEN_WITHIN_MS });
    await this.page.getByTestId('chat-view').waitFor();
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
    // The list is a reversed column: its top is the most negative scroll offset.
    await this.page.getByTestId('messages').evaluate((el) => el.scrollTo({ top: -el.scrollHeight }));
  }

  chatTitles(): Promise<string[]> {
    return this.page.getByTestId('chat-title').allTextContents();
  }

  messageTexts(): Promise<string[]> {
    return this.page.getByTestId('message-text').allTextContents();
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `test-results/e2e/${name}.png` });
  }
}
