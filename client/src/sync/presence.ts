import type { HocuspocusProvider } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { parsePresence } from '#schema/api/presence';
import type { UserId } from '#schema/ids';

/** What every awareness state carries. */
export interface PresenceState {
  /** Rewritten by the server to the authenticated user: trusted for names. */
  user?: { id?: unknown; name?: unknown };
}

/**
 * An awareness that states nothing: others see nothing of this client on the doc, and
 * y-protocols renews nothing every 15 s. Only typing sets a state, for a few seconds
 * (`chat/useTyping.ts`); "online" comes from the server ({@link ServerPresence}).
 * Setting null moves the clock to 1, so the first state set later (clock 2) is newer
 * than the clock 0 a peer that never saw this client assumes, and reaches everyone.
 */
export function createAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState(null);
  return awareness;
}

const NOBODY: ReadonlySet<UserId> = new Set();

const sameUsers = (a: ReadonlySet<UserId>, b: ReadonlySet<UserId>) => a.size === b.size && [...a].every((id) => b.has(id));

/**
 * Who has a room head open somewhere ("online"), as the server tells this doc's
 * connection (`schema/api/presence.ts`), oneself left out. Emptied whenever the
 * connection drops: while it is down nobody is known to be there.
 */
export class ServerPresence {
  /** The users the server last named, oneself left out; empty while not connected. */
  readonly present: Accessor<ReadonlySet<UserId>>;
  private readonly set: (users: ReadonlySet<UserId>) => void;

  constructor(private readonly me: string) {
    const [present, setPresent] = createSignal(NOBODY, { equals: sameUsers });
    this.present = present;
    this.set = (users) => setPresent(users);
  }

  /** Follows a provider's stateless messages; anything that is not a presence payload is ignored. */
  listen(provider: HocuspocusProvider): void {
    provider.on('stateless', ({ payload }: { payload: string }) => {
      const users = parsePresence(payload);
      if (!users) return;
      users.delete(this.me as UserId);
      this.set(users);
    });
    const gone = () => this.clear();
    provider.on('close', gone);
    provider.on('disconnect', gone);
    provider.on('authenticationFailed', gone);
  }

  clear(): void {
    this.set(NOBODY);
  }
}
