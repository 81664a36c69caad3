import type { PushPayload } from '#schema/api/push';
import type { PushSubscriptionRow } from '../store/db/pushStore';
import type { Store } from '../store/db/store';
import type { RoomId, UserId } from '#schema/ids';
import type { EndpointPolicy } from './endpointPolicy';
import { PushQueue, type PushStats } from './pushQueue';
import type { VapidKeys } from './vapidKeys';
import { LaterTimers } from './laterTimers';

/** What the projection asks to announce to one person about one chat. */
export interface PushNote {
  userId: UserId;
  roomId: RoomId;
  /** The chat's name (a group), or the author's (a DM). */
  title: string;
  /** One message's preview ("Ann: hi" in a group); absent when the person keeps previews off. */
  text?: string;
  /** How many new messages this note stands for (0 for an event). */
  messages: number;
  /**
   * Something that happened to the person ("Ann added you"), a whole sentence: the push
   * says it rather than counting messages. Events pass the per-person interval like
   * messages do, held per chat.
   */
  event?: string;
  /** The chat's count (chat index) after what this note announces: a read mark at or past it withdraws the push. */
  through?: number;
}

/** A chat announced this recently keeps counting: its next push says "5 new messages", replacing the last one (same tag). */
const RECENT_MS = 10 * 60 * 1000;
/** People tracked before idle ones are forgotten. */
const MAX_TRACKED_USERS = 10_000;

interface Held {
  title: string;
  text?: string;
  messages: number;
  event?: string;
  through?: number;
}

interface UserState {
  lastSentAt: number;
  held: Map<RoomId, Held>;
  timer: NodeJS.Timeout | null;
  /** Messages announced per chat lately, until the person is seen reading it. */
  recent: Map<RoomId, { count: number; at: number }>;
  /** Per chat whose last push may still show: the chat count it announced, for withdrawing it once read. */
  shown: Map<RoomId, number>;
}

/**
 * Sends Web Push notifications (the `web-push` library encrypts and signs them) from a
 * queue in this process's memory: a restart loses what was waiting (pushes are a
 * courtesy; the messages themselves are durable and the chat list shows them). Per
 * person, at most one push per `intervalMs`: what arrives meanwhile is held and goes
 * out as one push per chat when the interval ends ("5 new messages"). Sending, with
 * its retries, is the delivery queue's (`pushQueue.ts`).
 */
export class PushSender {
  private readonly users = new Map<UserId, UserState>();
  private releasing = new Map<UserId, PushPayload[]>();
  private releaseScheduled = false;
  private readonly timers = new LaterTimers();
  private closed = false;
  private readonly queue: PushQueue;

  constructor(
    private readonly deps: {
      store: Store;
      keys: VapidKeys;
      subject: string;
      intervalMs: number;
      policy: EndpointPolicy;
      log: (error: unknown, what: string) => void;
    },
  ) {
    this.queue = new PushQueue(deps);
  }

  /** Counters for `/metrics`. */
  get stats(): PushStats {
    return this.queue.stats;
  }

  /** Deliveries waiting, being retried or in flight. */
  queueLength(): number {
    return this.queue.length();
  }

  /** Announces new messages (see the class comment for when each goes out). */
  notify(notes: readonly PushNote[]): void {
    if (this.closed) return;
    const now = Date.now();
    for (const note of notes) {
      const user = this.stateOf(note.userId, now);
      const held = user.held.get(note.roomId);
      const event = note.event ?? held?.event;
      const through = Math.max(note.through ?? 0, held?.through ?? 0);
      user.held.set(note.roomId, {
        title: note.title,
        ...(note.text !== undefined ? { text: note.text } : held?.text !== undefined ? { text: held.text } : {}),
        messages: (held?.messages ?? 0) + note.messages,
        ...(event !== undefined ? { event } : {}),
        ...(through > 0 ? { through } : {}),
      });
      if (user.timer) continue;
      const wait = user.lastSentAt + this.deps.intervalMs - now;
      if (wait <= 0) this.release(note.userId, user, now);
      else
        user.timer = this.timers.later(wait, () => {
          user.timer = null;
          this.release(note.userId, user, Date.now());
        });
    }
  }

  /** The person has the chat open: its next push counts from zero again. */
  seen(userId: UserId, roomId: RoomId): void {
    this.users.get(userId)?.recent.delete(roomId);
  }

  /**
   * The person's read mark of a chat moved to `readCount` (on any device): what is held
   * for it and covered is not sent, and a push already shown for it that the mark
   * passes is withdrawn with a `close` push to every device of theirs.
   */
  read(userId: UserId, roomId: RoomId, readCount: number): void {
    const user = this.users.get(userId);
    if (!user || this.closed) return;
    const held = user.held.get(roomId);
    if (held && (held.through ?? Infinity) <= readCount) user.held.delete(roomId);
    const shown = user.shown.get(roomId);
    if (shown === undefined || shown > readCount) return;
    user.shown.delete(roomId);
    user.recent.delete(roomId);
    this.queuePayloads(userId, [{ roomId, title: '', tag: roomId, close: true }]);
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
    this.queue.close();
  }

  private stateOf(userId: UserId, now: number): UserState {
    let user = this.users.get(userId);
    if (user) return user;
    if (this.users.size >= MAX_TRACKED_USERS) this.forgetIdle(now);
    user = { lastSentAt: -Infinity, held: new Map(), timer: null, recent: new Map(), shown: new Map() };
    this.users.set(userId, user);
    return user;
  }

  private forgetIdle(now: number): void {
    for (const [id, user] of this.users) {
      if (!user.timer && user.held.size === 0 && now - user.lastSentAt > Math.max(this.deps.intervalMs, RECENT_MS)) this.users.delete(id);
    }
  }

  /** Turns what the person has held into one payload per chat and queues them for sending. */
  private release(userId: UserId, user: UserState, now: number): void {
    if (user.held.size === 0) return;
    user.lastSentAt = now;
    const payloads: PushPayload[] = [];
    for (const [roomId, held] of user.held) {
      const recent = user.recent.get(roomId);
      const count = held.messages + (recent && now - recent.at < RECENT_MS ? recent.count : 0);
      if (held.messages > 0) user.recent.set(roomId, { count, at: now });
      // Something that happened to the person is said as it is; it replaces the chat's message count.
      const body = held.event ?? (count > 1 ? `${count} new messages` : held.text);
      if (held.through !== undefined) user.shown.set(roomId, held.through);
      else user.shown.delete(roomId);
      payloads.push({ roomId, title: held.title, ...(body !== undefined ? { body } : {}), tag: roomId });
    }
    user.held.clear();
    this.queuePayloads(userId, payloads);
  }

  /** Queues payloads for the person's devices; everyone queued in this turn shares one subscriptions query. */
  private queuePayloads(userId: UserId, payloads: PushPayload[]): void {
    this.releasing.set(userId, [...(this.releasing.get(userId) ?? []), ...payloads]);
    if (this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(() => void this.lookUpSubscriptions());
  }

  private async lookUpSubscriptions(): Promise<void> {
    this.releaseScheduled = false;
    const batch = this.releasing;
    this.releasing = new Map();
    let subscriptions: PushSubscriptionRow[];
    try {
      subscriptions = await this.deps.store.push.subscriptionsOf([...batch.keys()]);
    } catch (error) {
      this.stats.failed += [...batch.values()].reduce((n, p) => n + p.length, 0);
      this.deps.log(error, 'looking up push subscriptions');
      return;
    }
    for (const subscription of subscriptions) {
      for (const payload of batch.get(subscription.userId) ?? []) this.queue.add(subscription, payload);
    }
  }
}
