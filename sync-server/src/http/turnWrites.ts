import type { Duplex } from 'node:stream';

/**
 * Frames sent to one socket within one turn of the event loop leave in one write.
 * A message to a group reaches each member's socket as several frames within a few
 * microtasks (the update, a typing relay, an acknowledgement), and each `ws.send` is a
 * system call of its own; corking a socket on its first frame of the turn and uncorking
 * every corked socket once, when the turn's I/O is done (`setImmediate`), makes them one
 * `writev`. Nothing waits longer than the rest of the current turn.
 */
export class TurnWrites {
  private readonly corked = new Set<Duplex>();
  private scheduled = false;

  /** Call before writing a frame to `socket`. */
  hold(socket: Duplex): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.release);
    }
  }

  private readonly release = () => {
    this.scheduled = false;
    const sockets = [...this.corked];
    this.corked.clear();
    for (const socket of sockets) socket.uncork();
  };
}
