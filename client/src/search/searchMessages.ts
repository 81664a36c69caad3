import type { ShownMessage } from '#schema/docs/bucket';
import type { MessageId, RoomId } from '#schema/ids';
import { foldText, matchRanges, queryWords, type TextRange } from './foldText';

/** One message as the search index keeps it: what it shows, folded once when its bucket is read. */
export interface IndexedMessage {
  roomId: RoomId;
  bucket: number;
  message: ShownMessage;
  /** The text the chat shows (the latest edit), as typed, and the name of its file if it has one. */
  text: string;
  /** {@link text} folded for matching. */
  folded: string;
}

/** The searchable messages of one bucket of one room. */
export interface IndexedBucket {
  roomId: RoomId;
  bucket: number;
  messages: IndexedMessage[];
}

/**
 * Prepares a bucket's shown messages (`readShownMessages`) for search: the text they
 * show and the names of their files. Messages deleted
 * for everyone are left out: nobody can find what the chat no longer shows, even before
 * the server's purge has taken the text out of the replica.
 */
export function indexBucket(roomId: RoomId, bucket: number, shown: readonly ShownMessage[]): IndexedBucket {
  const messages: IndexedMessage[] = [];
  for (const message of shown) {
    if (message.deleted) continue;
    const shown = message.editedText ?? message.text;
    // A file is found by its name too ("report", "IMG_2041"); the result shows both.
    const name = message.attachment?.name;
    const text = name ? (shown ? `${shown} · ${name}` : name) : shown;
    messages.push({ roomId, bucket, message, text, folded: foldText(text) });
  }
  return { roomId, bucket, messages };
}

export interface SearchOptions {
  /** Messages this user deleted for themself (inbox `hidden:` keys): never found. */
  hidden?: ReadonlySet<MessageId>;
  /** Search this room only. */
  roomId?: RoomId;
  /** At most this many hits, the newest; `total` still counts them all. */
  limit?: number;
}

export interface SearchResult {
  /** Matching messages, newest first. */
  hits: IndexedMessage[];
  /** How many messages matched, beyond `limit` too. */
  total: number;
}

const NO_HIDDEN: ReadonlySet<MessageId> = new Set();

/**
 * Messages whose shown text contains every word of `query`, ignoring case and accents,
 * newest first (by the writer's clock). A query without words finds nothing.
 */
export function searchMessages(query: string, buckets: Iterable<IndexedBucket>, options: SearchOptions = {}): SearchResult {
  const words = queryWords(query);
  if (words.length === 0) return { hits: [], total: 0 };
  const hidden = options.hidden ?? NO_HIDDEN;
  const limit = options.limit ?? Infinity;
  // The newest `limit` hits, newest first: a common word matches most messages, and
  // sorting them all to show a hundred would cost more than finding them.
  const newest: IndexedMessage[] = [];
  let total = 0;
  for (const bucket of buckets) {
    if (options.roomId !== undefined && bucket.roomId !== options.roomId) continue;
    for (const entry of bucket.messages) {
      if (!containsAll(entry.folded, words) || hidden.has(entry.message.id)) continue;
      total++;
      if (limit === Infinity) {
        newest.push(entry);
        continue;
      }
      const at = entry.message.createdAt;
      if (newest.length >= limit && at <= newest[newest.length - 1]!.message.createdAt) continue;
      newest.splice(insertionIndex(newest, at), 0, entry);
      if (newest.length > limit) newest.pop();
    }
  }
  if (limit === Infinity) newest.sort((a, b) => b.message.createdAt - a.message.createdAt);
  return { hits: newest, total };
}

function containsAll(text: string, words: readonly string[]): boolean {
  for (const word of words) if (!text.includes(word)) return false;
  return true;
}

/** Where a message written at `at` goes in `list` (newest first), after those as new: ties keep their found order. */
function insertionIndex(list: readonly IndexedMessage[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.message.createdAt >= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A piece of a snippet: plain text, or a part that matched the query. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Characters of context kept before the first match in a snippet. */
const CONTEXT_BEFORE = 24;
/** Longest snippet, in UTF-16 units, before the ellipsis. */
const SNIPPET_LENGTH = 120;

/**
 * The part of `text` to show in a result: on one line, from a little before the first
 * match, cut with "…" where text was left out, split into matching and plain parts so
 * the view can mark the matches (as text, never as HTML).
 */
export function snippetOf(text: string, query: string): SnippetPart[] {
  const line = text.replace(/\s+/g, ' ').trim();
  const ranges = matchRanges(line, queryWords(query));
  const first = ranges[0] ?? [0, 0];
  // A text whose first match fits in the snippet shows from its start; a longer one from a little before the match.
  let start = first[1] <= SNIPPET_LENGTH ? 0 : Math.max(0, first[0] - CONTEXT_BEFORE);
  // Start at a word boundary when one is near, rather than mid-word.
  if (start > 0) {
    const space = line.indexOf(' ', start);
    if (space !== -1 && space < first[0]) start = space + 1;
  }
  // Never split a surrogate pair (an emoji) at either end.
  const isLowSurrogate = (i: number) => i > 0 && i < line.length && /[\uDC00-\uDFFF]/.test(line[i]!);
  if (isLowSurrogate(start)) start--;
  let end = Math.min(line.length, start + SNIPPET_LENGTH);
  if (isLowSurrogate(end)) end--;

  const parts: SnippetPart[] = [];
  const push = (from: number, to: number, match: boolean) => {
    if (to > from) parts.push({ text: line.slice(from, to), match });
  };
  let at = start;
  for (const [from, to] of ranges as TextRange[]) {
    if (from >= end) break;
    push(at, Math.max(at, from), false);
    push(Math.max(at, from), Math.min(to, end), true);
    at = Math.min(to, end);
  }
  push(at, end, false);
  if (start > 0) parts.unshift({ text: '…', match: false });
  if (end < line.length) parts.push({ text: '…', match: false });
  return parts;
}

/** Chats whose title contains every word of `query`, ignoring case and accents, in the given order. */
export function matchTitles<T>(query: string, chats: readonly T[], titleOf: (chat: T) => string): T[] {
  const words = queryWords(query);
  if (words.length === 0) return [];
  return chats.filter((chat) => {
    const folded = foldText(titleOf(chat));
    return words.every((word) => folded.includes(word));
  });
}
