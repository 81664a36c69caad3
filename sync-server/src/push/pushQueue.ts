import { createHash } from 'node:crypto';
import webpush from 'web-push';
import type { PushPayload } from '#schema/api/push';
import type { PushSubscriptionRow } from '../store/db/pushStore';
import type { Store } from '../store/db/store';
import type { EndpointPolicy } from './endpointPolicy';
import { deliver, type DeliveryResult } from './pushDelivery';
import type { VapidKeys } from './vapidKeys';
import { LaterTimers } from './laterTimers';

/** Pushes one request may be in flight at once, over all endpoints: a push service is a remote host, not our disk. */
const CONCURRENCY = 8;
/** Deliveries waiting at most; past it new ones are dropped (and counted failed): memory stays bounded when push services are down. */
const MAX_QUEUE = 10_000;
/** Tries per delivery (network errors, 429 and 5xx are retried). */
const MAX_ATTEMPTS = 5;
/** Backoff before retry n: 1 s, 2 s, 4 s, 8 s, with ±25 % jitter. */
const BACKOFF_BASE_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** How long a push waits at the push service for an offline browser. */
const TTL_SECONDS = 24 * 60 * 60;
interface Delivery {
  subscription: PushSubscriptionRow;
  payload: PushPayload;
  attempt: number;
}

/** Counters for `/metrics`. */
export interface PushStats {
  sent: number;
  failed: number;
  expired: number;
}

/**
 * The deliveries of push payloads to browsers' subscriptions (the `web-push` library
 * encrypts and signs them), from a queue in this process's memory: at most
 * {@link CONCURRENCY} requests at once and {@link MAX_QUEUE} waiting. A delivery that
 * fails on the network, with 429 or with 5xx is tried again with backoff; 404 or 410
 * means the browser dropped the subscription, which is then deleted.
 */
export class PushQueue {
  readonly stats: PushStats = { sent: 0, failed: 0, expired: 0 };
  private readonly waiting: Delivery[] = [];
  private retrying = 0;
  private inFlight = 0;
  private readonly timers = new LaterTimers();
  private closed = false;

  constructor(
    private readonly deps: {
      store: Store;
      keys: VapidKeys;
      subject: string;
      policy: EndpointPolicy;
      log: (error: unknown, what: string) => void;
    },
  ) {}

  /** Deliveries waiting, being retried or in flight. */
  length(): number {
    return this.waiting.length + this.retrying + this.inFlight;
  }

  /** Sends `payload` to one subscription (when the queue has room). */
  add(subscription: PushSubscriptionRow, payload: PushPayload): void {
    this.enqueue({ subscription, payload, attempt: 0 });
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
    this.waiting.length = 0;
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return;
    if (this.length() >= MAX_QUEUE) {
      this.stats.failed++;
      return;
    }
    this.waiting.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < CONCURRENCY && this.waiting.length > 0) {
      const delivery = this.waiting.shift()!;
      this.inFlight++;
      void this.send(delivery).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(delivery: Delivery): Promise<void> {
    const { subscription, payload } = delivery;
    let result: DeliveryResult;
    try {
      const prepared = webpush.generateRequestDetails({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, JSON.stringify(payload), {
        vapidDetails: { subject: this.deps.subject, publicKey: this.deps.keys.publicKey, privateKey: this.deps.keys.privateKey },
        TTL: TTL_SECONDS,
        urgency: 'high',
        topic: topicOf(payload.roomId),
      });
      result = await deliver(
        { endpoint: prepared.endpoint, method: prepared.method, headers: prepared.headers as Record<string, string | number>, body: (prepared.body as Buffer | null) ?? null },
        this.deps.policy,
        REQUEST_TIMEOUT_MS,
      );
    } catch (error) {
      // A subscription whose keys do not make a valid encryption: it can never work.
      this.stats.failed++;
      this.deps.log(error, 'preparing a push');
      return;
    }
    if ('status' in result && result.status >= 200 && result.status < 300) {
      this.stats.sent++;
      return;
    }
    if ('status' in result && (result.status === 404 || result.status === 410)) {
      this.stats.expired++;
      await this.deps.store.push.deleteEndpoint(subscription.endpoint).catch((error: unknown) => this.deps.log(error, 'deleting an expired push subscription'));
      return;
    }
    const retryable = 'error' in result || result.status === 429 || result.status >= 500;
    if (!retryable || delivery.attempt + 1 >= MAX_ATTEMPTS) {
      this.stats.failed++;
      return;
    }
    const backoff = BACKOFF_BASE_MS * 2 ** delivery.attempt * (0.75 + Math.random() * 0.5);
    this.retrying++;
    this.timers.later(backoff, () => {
      this.retrying--;
      this.enqueue({ ...delivery, attempt: delivery.attempt + 1 });
    });
  }
}

/** The push service's `Topic` (≤ 32 base64url characters): a newer push for the same chat replaces one still undelivered. */
function topicOf(roomId: string): string {
  return createHash('sha256').update(roomId).digest('base64url').slice(0, 32);
}
