/** Hocuspocus' application Ping and Pong (`MessageType` 9 and 10), each a frame of one byte with no document name. */
const PING = new Uint8Array([9]);
const PONG = 10;

/** What the keep-alive needs of one socket. */
export interface KeptSocket {
  /** Sends the Ping frame. */
  ping(frame: Uint8Array): void;
}

/**
 * Keeps idle sync sockets open without anyone saying anything. The provider reconnects
 * a socket that received nothing for 30 s (`messageReconnectTimeout`), and Hocuspocus
 * ends one that sent nothing for its `timeout`; presence used to be the traffic that
 * kept both quiet, renewed every 15 s on every room head and relayed to every other
 * connection of the head. Now a socket that had nothing sent to it for `pingAfterMs`
 * gets Hocuspocus' one-byte Ping, and the provider answers Pong by itself: two bytes
 * per socket per `pingAfterMs` when idle, nothing when busy.
 *
 * One sweep over every socket, a few times per `pingAfterMs`, rather than a timer per
 * socket: re-arming 10,000 timers on every frame sent costs more than looking at 10,000
 * numbers every few seconds. A socket is pinged between `pingAfterMs` and
 * `pingAfterMs * 1.25` after the last frame sent to it.
 */
export class KeepAlive {
  /** When each socket was last sent anything, by `Date.now()`. */
  private readonly lastSent = new Map<KeptSocket, number>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly pingAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts watching a socket; `sent` is to be called on every frame sent to it, `forget` when it closes. */
  watch(socket: KeptSocket): { sent(): void; forget(): void } {
    this.lastSent.set(socket, this.now());
    this.sweep ??= setInterval(() => this.pingIdle(), Math.max(10, this.pingAfterMs / 4)).unref();
    return {
      sent: () => {
        if (this.lastSent.has(socket)) this.lastSent.set(socket, this.now());
      },
      forget: () => {
        this.lastSent.delete(socket);
        if (this.lastSent.size === 0) this.stop();
      },
    };
  }

  /** Number of sockets watched. */
  get size(): number {
    return this.lastSent.size;
  }

  stop(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private pingIdle(): void {
    const now = this.now();
    for (const [socket, at] of this.lastSent) {
      if (now - at < this.pingAfterMs) continue;
      this.lastSent.set(socket, now);
      socket.ping(PING);
    }
  }
}

/** Whether a frame from a client is the provider's Pong (the answer to {@link KeepAlive}'s Ping). */
export function isPong(frame: Uint8Array): boolean {
  return frame.length === 1 && frame[0] === PONG;
}
