import { createMemo, onCleanup, type Accessor } from 'solid-js';
import { encodeTypingSignal } from '#schema/api/presence';
import type { UserId } from '#schema/ids';

/** One's "typing" goes out at most this often while keys keep coming. */
const TYPING_REFRESH_MS = 2_000;
/** "Typing" ends this long after the last key. */
const TYPING_IDLE_MS = 3_000;

/** A room head's replica, as far as typing goes. */
interface TypingHead {
  /** Sends a signal on the head's connection; false while not synced (the signal is then dropped). */
  sendStateless(payload: string): boolean;
  /** Who else types there, with their names, as the server says (`sync/presence.ts`). */
  typing: Accessor<ReadonlyMap<UserId, string>>;
}

/**
 * "Alice is typing…" through stateless signals on a room head's connection
 * (`schema/api/presence.ts`). `keyPressed` says so at most once per
 * {@link TYPING_REFRESH_MS}; `stop` (on send) says it stopped at once. Nothing is sent
 * while offline: a signal queued until a reconnect would be stale by then.
 */
export function useTyping(head: TypingHead, me: UserId): { typingNames: Accessor<string[]>; keyPressed: () => void; stop: () => void } {
  const typingNames = watchTyping(head, me);
  let lastSent = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;

  const stop = () => {
    clearTimeout(idle);
    if (lastSent === 0) return;
    lastSent = 0;
    head.sendStateless(encodeTypingSignal(false));
  };
  const keyPressed = () => {
    const now = Date.now();
    if (now - lastSent >= TYPING_REFRESH_MS && head.sendStateless(encodeTypingSignal(true))) lastSent = now;
    clearTimeout(idle);
    idle = setTimeout(stop, TYPING_IDLE_MS);
  };

  onCleanup(stop);
  return { typingNames, keyPressed, stop };
}

/** The names of the others typing on a room head, sorted. */
export function watchTyping(head: Pick<TypingHead, 'typing'>, me: UserId): Accessor<string[]> {
  return createMemo(
    () =>
      [...head.typing()]
        .filter(([user]) => user !== me)
        .map(([, name]) => name)
        .sort((a, b) => a.localeCompare(b)),
    [],
    { equals: (a, b) => a.join('\n') === b.join('\n') },
  );
}

/** "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and Carol are typing…". */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
}
