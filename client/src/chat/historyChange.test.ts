import { describe, expect, test } from 'vitest';
import type { MessageId, UserId } from '#schema/ids';
import { historyChange } from './historyChange';

const me = 'me' as UserId;
const them = 'them' as UserId;
const entry = (n: number, authorId: UserId = them) => ({ id: `m${n}` as MessageId, authorId });
const range = (from: number, to: number, authorId?: UserId) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, authorId));

describe('historyChange', () => {
  test('the first render appends everything and counts nothing as unseen', () => {
    expect(historyChange([], range(1, 5), me)).toMatchObject({ prepended: false, appended: 5, appendedByOthers: 0 });
  });

  test('an older bucket arriving is a prepend, with nothing appended', () => {
    expect(historyChange(range(11, 20), range(1, 20), me)).toMatchObject({ prepended: true, appended: 0, appendedByOthers: 0 });
  });

  test('new messages at the end are appended; only other people’s count as unseen', () => {
    const after = [...range(1, 10), entry(11), entry(12, me), entry(13)];
    expect(historyChange(range(1, 10), after, me)).toMatchObject({ prepended: false, appended: 3, appendedByOthers: 2 });
  });

  test('a message hidden from the middle or the end is neither a prepend nor an append', () => {
    const hiddenMiddle = range(1, 10).filter((m) => m.id !== 'm5');
    expect(historyChange(range(1, 10), hiddenMiddle, me)).toMatchObject({ prepended: false, appended: 0 });
    expect(historyChange(range(1, 10), range(1, 9), me)).toMatchObject({ prepended: false, appended: 0 });
  });

  test('a message delivered late into an older bucket (the middle) is not counted as new', () => {
    const after = [...range(1, 5), entry(99), ...range(6, 10)];
    expect(historyChange(range(1, 10), after, me)).toMatchObject({ prepended: false, appended: 0, appendedByOthers: 0 });
  });

  test('an older bucket and a new message in one change are both seen', () => {
    expect(historyChange(range(11, 20), range(1, 21), me)).toMatchObject({ prepended: true, appended: 1, appendedByOthers: 1 });
  });
});
