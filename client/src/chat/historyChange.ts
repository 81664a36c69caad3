import type { MessageId, UserId } from '#schema/ids';

/** What the message list needs to know of a message to tell how the history changed. */
interface Entry {
  id: MessageId;
  authorId: UserId;
}

/** How a chat's history changed between two renders. */
export interface HistoryChange<T extends Entry> {
  messages: readonly T[];
  /** Older messages were added before the first one: the view keeps its place from the end. */
  prepended: boolean;
  /** Messages added after the last one (all of them on the first render). */
  appended: number;
  /** Of those, the ones other people wrote, which the reader has not seen if scrolled up. */
  appendedByOthers: number;
}

/** The change that starts every list: nothing shown yet. */
export function emptyHistory<T extends Entry>(): HistoryChange<T> {
  return { messages: [], prepended: false, appended: 0, appendedByOthers: 0 };
}

/** Index of `id` in `list`, looked for from `from` in the given direction: O(distance), not O(list). */
function find(list: readonly Entry[], id: MessageId, from: number, step: 1 | -1): number {
  for (let i = from; i >= 0 && i < list.length; i += step) if (list[i]!.id === id) return i;
  return -1;
}

/**
 * Compares the history before and after a change in time proportional to what was
 * added: older buckets arrive at the start, new messages at the end, and a message
 * hidden or delivered late into an older bucket changes the middle (neither).
 */
export function historyChange<T extends Entry>(before: readonly T[], after: readonly T[], me: UserId): HistoryChange<T> {
  if (before.length === 0) return { messages: after, prepended: false, appended: after.length, appendedByOthers: 0 };
  const first = before[0]!;
  const last = before.at(-1)!;
  const prepended = after.length > 0 && after[0]!.id !== first.id && find(after, first.id, 0, 1) > 0;
  const lastAt = find(after, last.id, after.length - 1, -1);
  let appendedByOthers = 0;
  for (let i = lastAt + 1; lastAt >= 0 && i < after.length; i++) if (after[i]!.authorId !== me) appendedByOthers++;
  return { messages: after, prepended, appended: lastAt < 0 ? 0 : after.length - 1 - lastAt, appendedByOthers };
}
