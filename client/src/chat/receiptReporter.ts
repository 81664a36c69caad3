import { comparePositions, encodeReceiptAdvance, type Position, type ReceiptKind } from '#schema/docs/receipts';
import type { Replica } from '../sync/replica';

/** Where reports go: a room head's connection (a {@link Replica} in the app). */
export type ReceiptChannel = Pick<Replica, 'onSynced' | 'sendStateless'>;

/**
 * How often a device reports one room's receipts at most. Reports only say "up to
 * here", so the last one in a window carries everything before it: a chat scrolled
 * through or a burst of messages costs one report per window, not one per message.
 */
const REPORT_EVERY_MS = 300;

/**
 * Reports this device's receipts for one room to the server (design §5b): the
 * furthest position it has received or shown, coalesced, sent on the room head's
 * connection once synced, and sent again after every reconnect (the server keeps
 * only advances, so repeating one is harmless).
 */
class ReceiptReporter {
  private readonly wanted: Partial<Record<ReceiptKind, Position>> = {};
  private sent: Partial<Record<ReceiptKind, Position>> = {};
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSentAt = 0;

  constructor(private readonly head: ReceiptChannel) {
    head.onSynced(() => {
      this.sent = {};
      this.schedule();
    });
  }

  report(kind: ReceiptKind, to: Position): void {
    const wanted = this.wanted[kind];
    if (wanted && comparePositions(wanted, to) >= 0) return;
    this.wanted[kind] = { bucket: to.bucket, index: to.index };
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.send();
      },
      Math.max(0, this.lastSentAt + REPORT_EVERY_MS - Date.now()),
    );
  }

  private send(): void {
    for (const kind of ['delivered', 'read'] as const) {
      const wanted = this.wanted[kind];
      const sent = this.sent[kind];
      if (!wanted || (sent && comparePositions(sent, wanted) >= 0)) continue;
      // Not synced: the next sync sends it.
      if (!this.head.sendStateless(encodeReceiptAdvance(kind, wanted))) return;
      this.sent[kind] = wanted;
      this.lastSentAt = Date.now();
    }
  }
}

const reporters = new WeakMap<ReceiptChannel, ReceiptReporter>();

/** Tells the server this user has received (`delivered`) or seen (`read`) the room of `head` up to `to`. */
export function reportReceipt(head: ReceiptChannel, kind: ReceiptKind, to: Position): void {
  let reporter = reporters.get(head);
  if (!reporter) {
    reporter = new ReceiptReporter(head);
    reporters.set(head, reporter);
  }
  reporter.report(kind, to);
}
