import type { HocuspocusProvider } from '@hocuspocus/provider';
import { createSignal, type Accessor } from 'solid-js';
import { parsePresence, parseTyping } from '#schema/api/presence';
import type { UserId } from '#schema/ids';

/**
 * Someone's "typing" counts only this long after the server last said so: a stop that
 * never arrived must not say "typing…" for good. Longer than the 2 s at which a typing
 * device says it again (`chat/useTyping.ts`), so steady typing never flickers.
 */
const TYPING_STALE_MS = 5_000;

const NOBODY: ReadonlySet<UserId> = new Set();

const sameUsers = (a: ReadonlySet<UserId>, b: ReadonlySet<UserId>) => a.size === b.size && [...a].every((id) => b.has(id));

/**
 * Who has a room head open somewhere ("online") and who types there, as the server
 * tells this doc's connection (`schema/api/presence.ts`), oneself left out. Emptied
 * whenever the connection drops: while it is down nobody is known to be there.
 */
export class ServerPresence {
  /** The users the server last named, oneself left out; empty while not connected. */
  readonly present: Accessor<ReadonlySet<UserId>>;
  /** The names of those typing, by user, oneself left out. */
  readonly typing: Accessor<ReadonlyMap<UserId, string>>;
  private readonly set: (users: ReadonlySet<UserId>) => void;
  private readonly setTyping: (typing: ReadonlyMap<UserId, string>) => void;
  /** When each "typing" shown goes stale. */
  private readonly stale = new Map<UserId, ReturnType<typeof setTimeout>>();

  constructor(private readonly me: string) {
    const [present, setPresent] = createSignal(NOBODY, { equals: sameUsers });
    const [typing, setTyping] = createSignal<ReadonlyMap<UserId, string>>(new Map());
    this.present = present;
    this.typing = typing;
    this.set = (users) => setPresent(users);
    this.setTyping = setTyping;
  }

  /** Follows a provider's stateless messages; anything that is not a presence or typing payload is ignored. */
  listen(provider: HocuspocusProvider): void {
    provider.on('stateless', ({ payload }: { payload: string }) => {
      const users = parsePresence(payload);
      if (users) {
        users.delete(this.me as UserId);
        this.set(users);
        return;
      }
      const typing = parseTyping(payload);
      if (typing && typing.user !== this.me) this.typed(typing.user, typing.on ? typing.name : null);
    });
    const gone = () => this.clear();
    provider.on('close', gone);
    provider.on('disconnect', gone);
    provider.on('authenticationFailed', gone);
  }

  clear(): void {
    this.set(NOBODY);
    for (const timer of this.stale.values()) clearTimeout(timer);
    this.stale.clear();
    if (this.typing().size > 0) this.setTyping(new Map());
  }

  /** `user` types under `name`, or stopped (null). */
  private typed(user: UserId, name: string | null): void {
    clearTimeout(this.stale.get(user));
    this.stale.delete(user);
    const next = new Map(this.typing());
    if (name === null) {
      if (!next.delete(user)) return;
    } else {
      next.set(user, name);
      this.stale.set(
        user,
        setTimeout(() => this.typed(user, null), TYPING_STALE_MS),
      );
    }
    this.setTyping(next);
  }
}
