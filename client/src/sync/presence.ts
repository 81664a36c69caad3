import { createSignal, onCleanup, type Accessor } from 'solid-js';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { UserId } from '#schema/ids';

/** What every awareness state carries. */
export interface PresenceState {
  /** Rewritten by the server to the authenticated user: trusted for names. */
  user?: { id?: unknown; name?: unknown };
}

/**
 * An awareness whose own state others will see as soon as it connects. A new
 * Awareness starts its state at clock 0, and a peer that has never seen the client
 * counts it as clock 0 too, so applies only newer states: the first state would reach
 * nobody until the 15-second renewal. Setting it once more moves it to clock 1.
 * Without `present`, the state is null: others see nothing of this client on the
 * doc, and no renewal is sent for it every 15 s.
 */
export function createAwareness(doc: Y.Doc, present = true): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState(present ? {} : null);
  return awareness;
}

/** The users with this doc open somewhere, by the server-rewritten `user` of each awareness state. */
export function watchPresent(awareness: Awareness): Accessor<Set<UserId>> {
  const read = () =>
    new Set(
      [...awareness.getStates()]
        .filter(([id]) => id !== awareness.clientID)
        .map(([, state]) => (state as PresenceState).user?.id)
        .filter((id): id is UserId => typeof id === 'string'),
    );
  const [present, setPresent] = createSignal(read(), { equals: (a, b) => a.size === b.size && [...a].every((id) => b.has(id)) });
  const changed = () => setPresent(read());
  awareness.on('change', changed);
  onCleanup(() => awareness.off('change', changed));
  return present;
}
