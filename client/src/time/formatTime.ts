const DAY_MS = 86_400_000;

function startOfDay(at: number): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** One formatter for every bubble: `toLocaleTimeString` builds a new one per call, a cost each row pays as it scrolls into view. */
const CLOCK = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** `14:05`: the time inside a message bubble. */
export function formatClock(at: number): string {
  return CLOCK.format(at);
}

/** Whole calendar days between `at` and `now` (0 = same day), by the local calendar. */
function daysAgo(at: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
}

/** The chat list's time: `14:05` today, `Yesterday`, the weekday within a week, else the date. */
export function formatChatTime(at: number, now = Date.now()): string {
  const days = daysAgo(at, now);
  if (days <= 0) return formatClock(at);
  if (days === 1) return 'Yesterday';
  if (days < 7) return new Date(at).toLocaleDateString([], { weekday: 'long' });
  return new Date(at).toLocaleDateString();
}

/** A day separator in a chat: `Today`, `Yesterday`, else a full date. */
export function formatDay(at: number, now = Date.now()): string {
  const days = daysAgo(at, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return new Date(at).toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** Whether two instants fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

/** `today at 14:05`, `yesterday at 14:05`, `on 3/11/2026 at 14:05`: when something happened, in a sentence. */
export function formatMoment(at: number, now = Date.now()): string {
  const days = daysAgo(at, now);
  const day = days <= 0 ? 'today' : days === 1 ? 'yesterday' : `on ${new Date(at).toLocaleDateString()}`;
  return `${day} at ${formatClock(at)}`;
}
