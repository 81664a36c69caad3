import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { PASSWORD, poll, usePeople } from './browser';
import { type ChatPage, SEEN_WITHIN_MS } from './chatPage';

/** The group info drawer of one person's open chat, through the UI only. */
class GroupInfo {
  constructor(private readonly chat: ChatPage) {}

  get drawer(): Locator {
    return this.chat.page.getByTestId('group-info');
  }

  async open(): Promise<void> {
    await this.chat.page.getByTestId('chat-header-title').click();
    await this.drawer.waitFor();
    // Screenshots show it settled, not sliding in.
    await this.drawer.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  }

  async close(): Promise<void> {
    await this.drawer.getByTestId('group-info-close').click();
    await this.drawer.waitFor({ state: 'detached' });
  }

  /** Each member as `name` or `name (badge)`, in the order the list shows them. */
  members(): Promise<string[]> {
    return this.drawer.getByTestId('member-row').evaluateAll((rows) =>
      rows.map((row) => {
        const name = row.querySelector('[data-testid="member-name"]')?.textContent ?? '';
        const badge = row.querySelector('[data-testid="member-badge"]')?.textContent;
        return badge ? `${name} (${badge})` : name;
      }),
    );
  }

  row(name: string): Locator {
    return this.drawer.getByTestId('member-row').filter({ has: this.chat.page.getByTestId('member-name').getByText(name, { exact: true }) });
  }

  /** The admin actions offered anywhere in the drawer, by test id (a member menu counts when it holds group actions, not only "Block"). */
  async adminControls(): Promise<string[]> {
    const ids = ['rename-group', 'add-members', 'member-menu-button'];
    const found: string[] = [];
    for (const id of ids) {
      const locator = id === 'member-menu-button' ? this.drawer.locator('[data-testid="member-menu-button"][data-group-actions]') : this.drawer.getByTestId(id);
      if ((await locator.count()) > 0) found.push(id);
    }
    return found;
  }

  async memberAction(name: string, action: 'make-admin' | 'dismiss-admin' | 'remove'): Promise<void> {
    const row = this.row(name);
    await row.hover();
    await row.getByTestId('member-menu-button').click();
    await row.getByTestId(`member-action-${action}`).click();
  }

  async rename(name: string): Promise<void> {
    await this.drawer.getByTestId('rename-group').click();
    await this.drawer.getByTestId('group-name-input').fill(name);
    await this.drawer.getByTestId('group-name-input').press('Enter');
  }
}

const systemLines = (chat: ChatPage) => chat.page.getByTestId('system-line').allTextContents();
const refusedText = (chat: ChatPage) => chat.page.getByTestId('chat-refused').allTextContents();

describe.skipIf(!(await hasChromium()))('managing a group', () => {
  const { alice, bob, carol } = usePeople(['alice', 'bob', 'carol']);
  const suffix = Date.now().toString(36);
  const bobName = `bob_${suffix}`;
  const carolName = `carol_${suffix}`;

  test('the owner creates a group; everyone reads who created it', async () => {
    await alice.register(`alice_${suffix}`, 'Alice Liddell', PASSWORD);
    await bob.register(bobName, 'Bob Builder', PASSWORD);
    await carol.register(carolName, 'Carol Danvers', PASSWORD);
    await alice.createGroup('Trip', [bobName, carolName]);
    await expect.poll(() => systemLines(alice), poll).toEqual(['You created group “Trip”']);
    await bob.openChat('Trip');
    await expect.poll(() => systemLines(bob), poll).toEqual(['Alice Liddell created group “Trip”']);
    await carol.openChat('Trip');
    await expect.poll(() => systemLines(carol), poll).toEqual(['Alice Liddell created group “Trip”']);
    // A system line is no message: nothing to react to or delete.
    expect(await carol.page.getByTestId('message-menu-button').count()).toBe(0);
  });

  test('the owner sees the members and renames the group; everyone sees the new name and a line', async () => {
    const info = new GroupInfo(alice);
    await info.open();
    await expect.poll(() => info.drawer.getByTestId('group-info-count').textContent(), poll).toBe('Group · 3 members');
    await expect.poll(() => info.members(), poll).toEqual(['You (Owner)', 'Bob Builder', 'Carol Danvers']);
    // An empty name is refused in place, and nothing is written.
    await info.rename('   ');
    await expect.poll(() => info.drawer.getByRole('alert').textContent(), poll).toBe('The group name cannot be empty.');
    await info.drawer.getByTestId('group-name-input').fill('Trip 2');
    await info.drawer.getByTestId('group-name-input').press('Enter');
    await expect.poll(() => info.drawer.getByTestId('group-info-name').textContent(), poll).toBe('Trip 2');
    await alice.screenshot('group-info-owner');
    await alice.page.keyboard.press('Escape');
    await info.drawer.waitFor({ state: 'detached' });

    await expect.poll(() => systemLines(alice), poll).toEqual(['You created group “Trip”', 'You changed the group name to “Trip 2”']);
    for (const other of [bob, carol]) {
      await expect.poll(() => systemLines(other), poll).toEqual(['Alice Liddell created group “Trip”', 'Alice Liddell changed the group name to “Trip 2”']);
      await expect.poll(() => other.page.getByTestId('chat-header-title').textContent(), poll).toBe('Trip 2');
      await expect.poll(() => other.chatTitles(), poll).toEqual(['Trip 2']);
    }
    await expect.poll(() => bob.page.getByTestId('chat-preview').first().textContent(), poll).toBe('Alice Liddell changed the group name to “Trip 2”');
  });

  test('a plain member sees the group info read-only', async () => {
    const info = new GroupInfo(carol);
    await info.open();
    await expect.poll(() => info.members(), poll).toEqual(['Alice Liddell (Owner)', 'Bob Builder', 'You']);
    expect(await info.adminControls()).toEqual([]);
    await info.drawer.getByTestId('exit-group').waitFor();
    await carol.screenshot('group-info-member');
    // "Media, links and docs" opens over the info; Escape closes it, and only it.
    await info.drawer.getByTestId('open-media').click();
    const media = carol.page.getByTestId('media-panel');
    await media.waitFor();
    expect(await media.textContent()).toContain('No photos or videos yet');
    await carol.page.keyboard.press('Escape');
    await media.waitFor({ state: 'detached' });
    expect(await info.drawer.count()).toBe(1);
    await info.close();
  });

  test('a member menu stays open while the chat goes on under it', async () => {
    const info = new GroupInfo(alice);
    await info.open();
    const row = info.row('Bob Builder');
    await row.hover();
    await row.getByTestId('member-menu-button').click();
    await row.getByTestId('member-menu').waitFor();
    // Carol writes; everyone's devices mark it delivered and read in the group's head, Alice's too.
    await carol.send('who brings the rope?');
    await expect.poll(() => carol.statusOf('who brings the rope?'), { timeout: SEEN_WITHIN_MS, interval: 100 }).toBe('read');
    expect(await row.getByTestId('member-menu').isVisible()).toBe(true);
    expect(await row.getByTestId('member-action-make-admin').textContent()).toBe('Make group admin');
    await alice.page.keyboard.press('Escape');
    await row.getByTestId('member-menu').waitFor({ state: 'detached' });
    await info.close();
  });

  test('the owner makes Bob an admin, and Bob, now with admin actions, removes Carol', async () => {
    const aliceInfo = new GroupInfo(alice);
    await aliceInfo.open();
    // Escape closes an open member menu, and only it.
    await aliceInfo.row('Bob Builder').hover();
    await aliceInfo.row('Bob Builder').getByTestId('member-menu-button').click();
    await aliceInfo.row('Bob Builder').getByTestId('member-menu').waitFor();
    await alice.page.keyboard.press('Escape');
    await aliceInfo.row('Bob Builder').getByTestId('member-menu').waitFor({ state: 'detached' });
    expect(await aliceInfo.drawer.count()).toBe(1);
    await aliceInfo.memberAction('Bob Builder', 'make-admin');
    await expect.poll(() => aliceInfo.members(), poll).toEqual(['You (Owner)', 'Bob Builder (Group admin)', 'Carol Danvers']);
    await aliceInfo.close();
    await expect.poll(() => systemLines(bob), poll).toContain('Alice Liddell made you an admin');
    await expect.poll(() => systemLines(carol), poll).toContain('Alice Liddell made Bob Builder an admin');

    const bobInfo = new GroupInfo(bob);
    await bobInfo.open();
    await expect.poll(() => bobInfo.adminControls(), poll).toEqual(['rename-group', 'add-members', 'member-menu-button']);
    // The owner's row offers an admin nothing: only an owner touches an owner.
    expect(await bobInfo.row('Alice Liddell').locator('[data-testid="member-menu-button"][data-group-actions]').count()).toBe(0);
    await bobInfo.memberAction('Carol Danvers', 'remove');
    const confirm = bob.page.getByTestId('confirm-dialog');
    await expect.poll(() => confirm.textContent(), poll).toContain('Remove Carol Danvers from “Trip 2”?');
    await bob.screenshot('group-info-confirm-remove');
    await confirm.getByTestId('confirm-go').click();
    await expect.poll(() => bobInfo.members(), poll).toEqual(['Alice Liddell (Owner)', 'You (Group admin)']);
    await bobInfo.close();
  });

  test('Carol sees she was removed, keeps the history read-only and receives nothing new', async () => {
    await expect.poll(() => refusedText(carol), poll).toEqual(['You were removed from this group.']);
    expect(await carol.page.getByTestId('composer').count()).toBe(0);
    expect(await systemLines(carol)).toContain('Alice Liddell changed the group name to “Trip 2”');
    // Her open chat gets the line that removed her, read-only.
    await expect.poll(() => systemLines(carol), poll).toContain('Bob Builder removed you');
    await expect.poll(() => carol.page.getByTestId('chat-preview').first().textContent(), poll).toBe('Bob Builder removed you');
    // Her info shows the group without her, and offers her nothing.
    expect(await carol.page.getByTestId('chat-header-subtitle').textContent()).toBe('Alice Liddell, Bob Builder');
    const info = new GroupInfo(carol);
    await info.open();
    await expect.poll(() => info.members(), poll).toEqual(['Alice Liddell (Owner)', 'Bob Builder (Group admin)']);
    await info.drawer.getByTestId('group-info-not-member').waitFor();
    expect(await info.drawer.getByTestId('exit-group').count()).toBe(0);
    expect(await info.adminControls()).toEqual([]);
    await info.close();

    await expect.poll(() => systemLines(alice), poll).toContain('Bob Builder removed Carol Danvers');
    await alice.send('Carol is out of the loop');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['who brings the rope?', 'Carol is out of the loop']);
    // Bob has it; Carol's screen must not get it, not even a while later.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await carol.messageTexts()).toEqual(['who brings the rope?']);
    expect(await systemLines(carol)).not.toContain('Bob Builder removed Carol Danvers');
    await carol.screenshot('group-removed-member');
  });

  test('the owner adds Carol back, and Carol exits; the others read that she left', async () => {
    const info = new GroupInfo(alice);
    await info.open();
    await info.drawer.getByTestId('add-members').click();
    await info.drawer.getByTestId('user-search').fill(carolName.slice(0, -1));
    await info.drawer.locator(`[data-testid="user-result"][data-username="${carolName}"]`).click();
    await expect.poll(() => info.members(), poll).toEqual(['You (Owner)', 'Bob Builder (Group admin)', 'Carol Danvers']);
    await info.close();
    await expect.poll(() => systemLines(bob), poll).toContain('Alice Liddell added Carol Danvers');

    // Her open chat was cut off when she was removed: it connects again by itself.
    await carol.page.getByTestId('composer').waitFor({ timeout: SEEN_WITHIN_MS });
    await expect.poll(() => systemLines(carol), poll).toContain('Alice Liddell added you');
    expect(await refusedText(carol)).toEqual([]);
    const carolInfo = new GroupInfo(carol);
    await carolInfo.open();
    await carolInfo.drawer.getByTestId('exit-group').click();
    await carol.page.getByTestId('confirm-dialog').getByTestId('confirm-go').click();
    await expect.poll(() => refusedText(carol), poll).toEqual(["You're no longer a participant in this group."]);
    await expect.poll(() => carolInfo.members(), poll).toEqual(['Alice Liddell (Owner)', 'Bob Builder (Group admin)']);
    await carolInfo.drawer.getByTestId('group-info-not-member').waitFor();
    await carolInfo.close();

    await expect.poll(() => systemLines(alice), poll).toContain('Carol Danvers left');
    await expect.poll(() => systemLines(bob), poll).toContain('Carol Danvers left');
    await expect.poll(() => alice.page.getByTestId('chat-preview').first().textContent(), poll).toBe('Carol Danvers left');
    await alice.screenshot('group-system-lines');
  });

  test('on a phone-sized screen the group info fills the screen', async () => {
    await bob.page.setViewportSize({ width: 390, height: 760 });
    const info = new GroupInfo(bob);
    await info.open();
    // Polled: the drawer slides in.
    const placement = async () => {
      const box = await info.drawer.boundingBox();
      return box && [Math.round(box.x), Math.round(box.width)];
    };
    await expect.poll(placement, poll).toEqual([0, 390]);
    await bob.screenshot('group-info-phone');
    await bob.page.keyboard.press('Escape');
    await info.drawer.waitFor({ state: 'detached' });
    await bob.page.setViewportSize({ width: 1100, height: 760 });
  });

  test('the owner exits: the group passes to its admin, who reads it', async () => {
    const info = new GroupInfo(alice);
    await info.open();
    await info.drawer.getByTestId('exit-group').click();
    const confirm = alice.page.getByTestId('confirm-dialog');
    await expect.poll(() => confirm.textContent(), poll).toContain("Exit “Trip 2”? Bob Builder becomes the group's owner.");
    await confirm.getByTestId('confirm-go').click();
    await expect.poll(() => refusedText(alice), poll).toEqual(["You're no longer a participant in this group."]);
    await info.close();

    await expect.poll(() => systemLines(bob), poll).toEqual(expect.arrayContaining(['Alice Liddell made you the group owner', 'Alice Liddell left']));
    const bobInfo = new GroupInfo(bob);
    await bobInfo.open();
    await expect.poll(() => bobInfo.members(), poll).toEqual(['You (Owner)']);
    await bob.screenshot('group-owner-handed-over');
    await bobInfo.close();
  });
});
