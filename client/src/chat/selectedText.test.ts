import { describe, expect, test } from 'vitest';
import type { ShownMessage } from '#schema/docs/bucket';
import type { MessageId, UserId } from '#schema/ids';
import { selectedText } from './selectedText';

const message = (id: string, text: string, extra: Partial<ShownMessage> = {}): ShownMessage =>
  ({ id: id as MessageId, authorId: 'u1' as UserId, createdAt: 0, text, reactions: new Map(), ...extra }) as ShownMessage;
const label = (m: ShownMessage) => `10:0${m.id} Alice`;

describe('selectedText', () => {
  test('one message is copied as its text alone', () => {
    expect(selectedText([message('1', 'Hello')], label)).toBe('Hello');
  });

  test('several are copied in order as "[time name] text" lines, edits as edited, deleted ones left out', () => {
    const chosen = [message('1', 'Hello'), message('2', 'gone', { deleted: true }), message('3', 'Typo', { editedText: 'Fixed' })];
    expect(selectedText(chosen, label)).toBe('[10:01 Alice] Hello\n[10:03 Alice] Fixed');
  });
});
