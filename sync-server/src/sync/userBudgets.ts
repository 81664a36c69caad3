import type { UserId } from '#schema/ids';
import { TokenBucket, type RateLimits } from './rateLimit';

/** What one user may use on this node, across all their sockets, tabs and doc connections. */
export interface BudgetLimits {
  /** Doc connections open at once. */
  docsOpen: number;
  /** Messages of any kind from the user's doc connections (sync, awareness, …). */
  messages: RateLimits;
  /** Bytes of those messages. */
  bytes: RateLimits;
  /** Awareness updates. */
  awareness: RateLimits;
}

/** Which budget a message ran out of, or null when it fits. */
export type Overdraft = 'messages' | 'bytes' | 'awareness' | null;

/**
 * A doc connection's claim on its user's `docsOpen`, taken when it authenticates and
 * given back when it closes.
 */
export interface DocSlot {
  readonly userId: UserId;
  /** When the slot was taken; a slot whose connection never came up is reclaimed after a while. */
  readonly takenAt: number;
  /** Set once the connection is up: from then on only its close gives the slot back. */
  live: boolean;
}

/**
 * How long a slot may wait for its connection to come up. Between `onAuthenticate` and
 * `connected` the document loads; if that fails no close follows, so without this the
 * slot would be lost for good. Far longer than any load.
 */
const PENDING_SLOT_MS = 30_000;

interface UserUse {
  slots: Set<DocSlot>;
  messages: TokenBucket;
  bytes: TokenBucket;
  awareness: TokenBucket;
  /** Last time anything was taken or given back, for {@link UserBudgets.sweep}. */
  lastUseAt: number;
}

/**
 * Every user's budgets on this node (design §5b: budgets are per user, not per
 * connection). Memory is one small record per user with something open or recently
 * active: {@link sweep} drops users with nothing open once their buckets would have
 * refilled anyway, so leaving and coming back buys a flooder nothing.
 */
export class UserBudgets {
  private readonly users = new Map<UserId, UserUse>();

  constructor(
    readonly limits: BudgetLimits,
    private readonly options: { now?: () => number; refused?: (budget: Exclude<Overdraft, null> | 'docs') => void } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  private use(userId: UserId): UserUse {
    let use = this.users.get(userId);
    if (!use) {
      use = {
        slots: new Set(),
        messages: new TokenBucket(this.limits.messages, () => this.now()),
        bytes: new TokenBucket(this.limits.bytes, () => this.now()),
        awareness: new TokenBucket(this.limits.awareness, () => this.now()),
        lastUseAt: this.now(),
      };
      this.users.set(userId, use);
    }
    use.lastUseAt = this.now();
    return use;
  }

  /** Takes a doc slot for `userId`; null when they already have `docsOpen` docs open. */
  openDoc(userId: UserId): DocSlot | null {
    const use = this.use(userId);
    if (use.slots.size >= this.limits.docsOpen) this.reclaimPending(use);
    if (use.slots.size >= this.limits.docsOpen) {
      this.options.refused?.('docs');
      return null;
    }
    const slot: DocSlot = { userId, takenAt: this.now(), live: false };
    use.slots.add(slot);
    return slot;
  }

  /** Gives a doc slot back (its connection closed). Safe to call twice. */
  closeDoc(slot: DocSlot): void {
    const use = this.users.get(slot.userId);
    if (!use) return;
    use.slots.delete(slot);
    use.lastUseAt = this.now();
  }

  /** Docs `userId` has open on this node. */
  docsOpen(userId: UserId): number {
    return this.users.get(userId)?.slots.size ?? 0;
  }

  /** Counts one message of `bytes` from `userId`, arrived at `at`; names the budget it overdraws, if any. */
  takeMessage(userId: UserId, bytes: number, awareness: boolean, at?: number): Overdraft {
    const overdraft = this.overdraft(this.use(userId), bytes, awareness, at);
    if (overdraft) this.options.refused?.(overdraft);
    return overdraft;
  }

  private overdraft(use: UserUse, bytes: number, awareness: boolean, at?: number): Overdraft {
    if (!use.messages.take(1, at)) return 'messages';
    if (!use.bytes.take(bytes, at)) return 'bytes';
    if (awareness && !use.awareness.take(1, at)) return 'awareness';
    return null;
  }

  /** Forgets users with nothing open whose buckets have had time to refill; returns how many are kept. */
  sweep(): number {
    const now = this.now();
    const refillMs = Math.max(...[this.limits.messages, this.limits.bytes, this.limits.awareness].map((l) => (l.burst / l.perSecond) * 1000));
    for (const [userId, use] of this.users) {
      if (use.slots.size === 0 && now - use.lastUseAt >= refillMs) this.users.delete(userId);
    }
    return this.users.size;
  }

  private reclaimPending(use: UserUse): void {
    const now = this.now();
    for (const slot of use.slots) if (!slot.live && now - slot.takenAt > PENDING_SLOT_MS) use.slots.delete(slot);
  }
}
