import { createSignal, onCleanup, type Accessor } from 'solid-js';
import type { Awareness } from 'y-protocols/awareness';
import type { UserId } from '#schema/ids';
import type { PresenceState } from '../sync/presence';

/** One's "typing" state goes out at most this often while keys keep coming. */
const TYPING_REFRESH_MS = 2_000;
/** "Typing" ends this long after the last key. */
const TYPING_IDLE_MS = 3_000;
/**
 * Someone else's "typing" counts only this long after it last changed here: a stop
 * that never arrived (a tab closed mid-word) must not say "typing…" for good. Longer
 * than {@link TYPING_REFRESH_MS}, so steady typing never flickers.
 */
const TYPING_STALE_MS = 5_000;

/** The awareness field this client sets: when typing started or was last refreshed, or null. */
const TYPING_FIELD = 'typing';

interface PeerState extends PresenceState {
  typing?: unknown;
}

/**
 * "Alice is typing…" through a doc's awareness. `keyPressed` is throttled to one
 * broadcast per {@link TYPING_REFRESH_MS}; `stop` (on send) clears it at once.
 */
export function useTyping(awareness: Awareness, me: UserId): { typingNames: Accessor<string[]>; keyPressed: () => void; stop: () => void } {
  const typingNames = watchTyping(awareness, me);
  let lastSent = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;

  const stop = () => {
    clearTimeout(idle);
    lastSent = 0;
    if (awareness.getLocalState() === null) return;
    // Others learn of the stop from a state saying so: the server does not relay a
    // removal (Hocuspocus re-encodes only the states present after its hooks). Then no
    // state at all, so nothing is renewed every 15 s; others drop the stopped state at
    // awareness' 30 s timeout.
    awareness.setLocalState({ [TYPING_FIELD]: null });
    awareness.setLocalState(null);
  };
  const keyPressed = () => {
    const now = Date.now();
    if (now - lastSent >= TYPING_REFRESH_MS) {
      lastSent = now;
      // The whole state: an idle awareness has none, and a field cannot be set on none.
      awareness.setLocalState({ [TYPING_FIELD]: now });
    }
    clearTimeout(idle);
    idle = setTimeout(stop, TYPING_IDLE_MS);
  };

  onCleanup(stop);
  return { typingNames, keyPressed, stop };
}

/** The names of the others typing in a doc's awareness, sorted; for as long as the current owner lives. */
export function watchTyping(awareness: Awareness, me: UserId): Accessor<string[]> {
  const [typingNames, setTypingNames] = createSignal<string[]>([], { equals: (a, b) => a.join('\n') === b.join('\n') });
  /** When each remote client's typing value last changed, by this device's clock. */
  const changedAt = new Map<number, { value: unknown; at: number }>();
  let recheck: ReturnType<typeof setTimeout> | undefined;

  const read = () => {
    const now = Date.now();
    const names = new Set<string>();
    let nextExpiry = Infinity;
    for (const [clientId, raw] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue;
      const state = raw as PeerState;
      if (!state.typing || state.user?.id === me || typeof state.user?.name !== 'string') {
        changedAt.delete(clientId);
        continue;
      }
      const seen = changedAt.get(clientId);
      if (!seen || seen.value !== state.typing) changedAt.set(clientId, { value: state.typing, at: now });
      const expires = changedAt.get(clientId)!.at + TYPING_STALE_MS;
      if (expires <= now) continue;
      names.add(state.user.name);
      nextExpiry = Math.min(nextExpiry, expires);
    }
    setTypingNames([...names].sort((a, b) => a.localeCompare(b)));
    clearTimeout(recheck);
    if (nextExpiry !== Infinity) recheck = setTimeout(read, nextExpiry - now + 50);
  };
  awareness.on('change', read);
  read();
  onCleanup(() => {
    clearTimeout(recheck);
    awareness.off('change', read);
  });
  return typingNames;
}

/** "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and Carol are typing…". */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
}
