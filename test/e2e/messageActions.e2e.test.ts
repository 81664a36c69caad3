import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

describe.skipIf(!(await hasChromium()))('reacting to, replying to, editing and deleting messages', () => {
  const { alice, bob, carol, usernames } = useSignedUpPeople(3);
  const bobName = usernames[1]!;
  const carolName = usernames[2]!;

  test('Alice writes to Bob in a DM', async () => {
    await alice.startDm(bobName);
    for (const text of ['Are we still on for Friday?', 'I booked the table', 'Bring the tickets', 'See you at 8']) await alice.send(text);
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Are we still on for Friday?', 'I booked the table', 'Bring the tickets', 'See you at 8']);
  });

  test('a reaction shows on both sides with its count; choosing another changes it, the same again removes it', async () => {
    await bob.react('I booked the table', '👍');
    await expect.poll(() => alice.reactionsOf('I booked the table'), poll).toEqual(['👍 1']);
    await alice.react('I booked the table', '👍');
    await expect.poll(() => bob.reactionsOf('I booked the table'), poll).toEqual(['👍 2']);
    expect(await bob.messageRow('I booked the table').getByTestId('reaction').getAttribute('title')).toBe('You, Alice Liddell');
    // A tap (no hover on a touch screen) lists who reacted with what.
    await bob.messageRow('I booked the table').getByTestId('reactions').locator('button').click();
    expect(await bob.page.getByTestId('reaction-detail').allTextContents()).toEqual(['You👍', 'Alice Liddell👍']);
    await bob.page.keyboard.press('Escape');
    await bob.page.getByTestId('reaction-details').waitFor({ state: 'detached' });

    // One reaction per person: Bob's heart replaces his thumb (equal counts are ordered by emoji, the same everywhere).
    await bob.react('I booked the table', '❤️');
    await expect.poll(() => alice.reactionsOf('I booked the table'), poll).toEqual(['❤️ 1', '👍 1']);
    await bob.react('I booked the table', '❤️');
    await expect.poll(() => alice.reactionsOf('I booked the table'), poll).toEqual(['👍 1']);
    await expect.poll(() => bob.reactionsOf('I booked the table'), poll).toEqual(['👍 1']);
  });

  test('a reply quotes its original on the other side; clicking the quote jumps to it', async () => {
    await bob.replyTo('Are we still on for Friday?', 'Yes, absolutely');
    expect(await bob.page.getByTestId('reply-preview').count()).toBe(0);
    const reply = alice.messageRow('Yes, absolutely');
    await expect.poll(() => reply.getByTestId('quote-text').textContent(), poll).toBe('Are we still on for Friday?');
    expect(await reply.locator('.quote-author').textContent()).toBe('You');

    await reply.getByTestId('quote').click();
    await expect.poll(() => alice.messageRow('Are we still on for Friday?').getAttribute('class'), poll).toContain('highlight');
    await expect.poll(() => alice.messageRow('Are we still on for Friday?').getAttribute('class'), poll).not.toContain('highlight');
  });

  test('cancelling a reply sends a plain message', async () => {
    await (await bob.openMessageMenu('See you at 8')).getByTestId('action-reply').click();
    await bob.screenshot('message-reply-preview-bob');
    await bob.page.getByTestId('cancel-context').click();
    await bob.send('Great');
    await expect.poll(() => alice.messageTexts(), poll).toContain('Great');
    expect(await alice.messageRow('Great').getByTestId('quote').count()).toBe(0);
  });

  test('an edit shows the new text marked "edited" on both sides', async () => {
    await (await alice.openMessageMenu('Bring the tickets')).getByTestId('action-edit').click();
    expect(await alice.page.getByTestId('composer').inputValue()).toBe('Bring the tickets');
    await alice.screenshot('message-edit-preview-alice');
    await alice.page.getByTestId('cancel-context').click();
    expect(await alice.page.getByTestId('composer').inputValue()).toBe('');
    await alice.edit('Bring the tickets', 'Bring the tickets and your ID');
    await expect.poll(() => bob.messageTexts(), poll).toContain('Bring the tickets and your ID');
    expect(await bob.messageTexts()).not.toContain('Bring the tickets');
    expect(await bob.messageRow('Bring the tickets and your ID').getByTestId('message-edited').textContent()).toBe('edited');
    expect(await alice.messageRow('Bring the tickets and your ID').getByTestId('message-edited').count()).toBe(1);
  });

  test('in a DM only the author is offered edit and delete for everyone', async () => {
    expect(await bob.messageActions('See you at 8')).toEqual(['action-reply', 'action-forward', 'action-copy', 'action-star', 'action-select', 'action-delete-for-me']);
    expect(await alice.messageActions('See you at 8')).toEqual([
      'action-reply',
      'action-forward',
      'action-copy',
      'action-star',
      'action-select',
      'action-edit',
      'action-info',
      'action-delete-for-me',
      'action-delete-for-everyone',
    ]);
    await alice.openMessageMenu('See you at 8');
    await alice.screenshot('message-menu-alice');
    await alice.page.keyboard.press('Escape');
  });

  test('delete for everyone leaves a tombstone on both sides', async () => {
    await alice.send('Oops, wrong chat');
    await expect.poll(() => bob.messageTexts(), poll).toContain('Oops, wrong chat');
    await alice.deleteForEveryone('Oops, wrong chat');
    await expect.poll(() => bob.messageTexts(), poll).not.toContain('Oops, wrong chat');
    await expect.poll(() => bob.tombstoneCount(), poll).toBe(1);
    expect(await alice.tombstoneCount()).toBe(1);
    expect(await bob.page.getByTestId('message-deleted').textContent()).toBe('This message was deleted');
    await alice.screenshot('message-actions-alice');
    await bob.screenshot('message-actions-bob');
  });

  test('delete for me hides a message on my devices only', async () => {
    await bob.deleteForMe('I booked the table');
    await expect.poll(() => bob.messageTexts(), poll).not.toContain('I booked the table');
    // Still gone after a reload: kept in Bob's inbox, not in this tab.
    await bob.page.reload();
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toContain('See you at 8');
    expect(await bob.messageTexts()).not.toContain('I booked the table');
    expect(await alice.messageTexts()).toContain('I booked the table');
  });

  test('in a group, a member may not delete others’ messages for everyone; the owner may', async () => {
    await alice.createGroup('Book club', [bobName, carolName]);
    await alice.send('Next book: Dune');
    await carol.openChat('Book club');
    await carol.send('Sounds good');
    await bob.openChat('Book club');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Next book: Dune', 'Sounds good']);

    expect(await bob.messageActions('Next book: Dune')).toEqual(['action-reply', 'action-forward', 'action-copy', 'action-star', 'action-select', 'action-delete-for-me']);
    expect(await bob.messageActions('Sounds good')).toEqual(['action-reply', 'action-forward', 'action-copy', 'action-star', 'action-select', 'action-delete-for-me']);
    // The owner may delete anyone's message, but edit only her own.
    await expect.poll(() => alice.messageTexts(), poll).toContain('Sounds good');
    expect(await alice.messageActions('Sounds good')).toEqual(['action-reply', 'action-forward', 'action-copy', 'action-star', 'action-select', 'action-delete-for-me', 'action-delete-for-everyone']);
    await alice.deleteForEveryone('Sounds good');
    await expect.poll(() => carol.tombstoneCount(), poll).toBe(1);
    await expect.poll(() => bob.tombstoneCount(), poll).toBe(1);
  });
});
