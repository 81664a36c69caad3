import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { noteArrival } from '../sync/budgets';
import { OpenDocs } from '../sync/openDocs';
import { isPong, type KeepAlive } from './keepAlive';
import { isCrossSite } from './sameOrigin';
import { syncRequest } from './syncRequest';
import { TurnWrites } from './turnWrites';

/** The WebSocket close code for "a message that violates its policy" (RFC 6455 §7.4.1). */
const CLOSE_POLICY_VIOLATION = 1008;
/** Pongs nobody asked for that a socket may send (ignored) before it is closed. */
const UNASKED_PONGS_MAX = 8;
/** The WebSocket close code for "the server hit something it could not handle" (RFC 6455 §7.4.1). */
const CLOSE_INTERNAL_ERROR = 1011;

export interface SyncUpgradeDeps {
  hocuspocus(): Hocuspocus;
  sockets: WebSocketServer;
  log: FastifyBaseLogger;
  /** Pings sockets nobody sent anything to for a while, so that idle ones stay open. */
  keepAlive: KeepAlive;
  /** True once shutdown began: new sockets are turned away. */
  closing(): boolean;
}

type Verdict = { accept: Request } | { refuse: 400 | 403 | 404 | 503; why: string };

/**
 * The HTTP server's `upgrade` listener for `/sync`. Everything in it comes from the
 * network and runs outside any request handler, where a throw would end the process,
 * so it is total: a handshake that cannot be parsed, names another site or another path
 * is answered on the socket with an HTTP status and closed; errors of the socket, of
 * Hocuspocus' handlers and of the WebSocket are logged and end only that socket.
 */
export function syncUpgradeListener(deps: SyncUpgradeDeps) {
  const writes = new TurnWrites();
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node leaves an upgraded socket without an error listener; an unheard 'error' would crash.
    socket.on('error', (error) => deps.log.debug({ err: error }, 'sync handshake socket error'));
    try {
      const verdict = judge(request, deps.closing());
      if ('refuse' in verdict) {
        deps.log.debug({ status: verdict.refuse, why: verdict.why, origin: request.headers.origin, host: request.headers.host }, 'sync handshake refused');
        refuse(socket, verdict.refuse);
        return;
      }
      deps.sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, socket, verdict.accept, deps, writes));
    } catch (error) {
      deps.log.warn({ err: error }, 'sync handshake failed');
      refuse(socket, 400);
    }
  };
}

/** Decides on a handshake without throwing; on acceptance, the web `Request` Hocuspocus takes. */
function judge(request: IncomingMessage, closing: boolean): Verdict {
  if (closing) return { refuse: 503, why: 'shutting down' };
  const host = request.headers.host ?? 'localhost';
  let base: URL;
  let url: URL;
  try {
    base = new URL(`http://${host}`);
    url = new URL(request.url ?? '/', base);
  } catch {
    return { refuse: 400, why: 'unparseable host or path' };
  }
  // A Host is an authority and nothing else: `a/b`, `user@a` or `a?b` would move the URL.
  if (base.username || base.password || base.pathname !== '/' || base.search || base.hash) return { refuse: 400, why: 'malformed host' };
  if (url.pathname !== '/sync') return { refuse: 404, why: 'not /sync' };
  // Browsers send cookies on cross-site WebSocket handshakes; only our own pages may use them.
  if (isCrossSite(request.headers.origin, request.headers.host)) return { refuse: 403, why: 'cross-site origin' };
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    return { accept: syncRequest(new URL(url.pathname + url.search, base), headers) };
  } catch {
    return { refuse: 400, why: 'headers a web Request cannot hold' };
  }
}

/** Answers a handshake with a bodyless HTTP status and closes the socket once it is written. */
function refuse(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Feeds one accepted WebSocket to Hocuspocus; a failure in any handler closes this socket only. */
function serve(ws: WebSocket, socket: Duplex, request: Request, deps: SyncUpgradeDeps, writes: TurnWrites): void {
  // The peer's doing (a bad frame, a reset): debug, so that nobody can fill the log at will.
  ws.on('error', (error) => deps.log.debug({ err: error }, 'sync socket error'));
  const fail = (error: unknown, what: string) => {
    deps.log.warn({ err: error }, `sync socket: ${what} failed`);
    ws.terminate();
  };
  const openDocs = new OpenDocs();
  // Pings sent and not yet answered: a Pong is taken only as an answer. Pongs skip the
  // per-user budgets (they name no document), so a socket sending more than a few that
  // nobody asked for is closed. A few are honest: a provider that answers a Ping while
  // its socket is closing queues the Pong and sends it on the next socket.
  let unanswered = 0;
  let unasked = 0;
  const kept = deps.keepAlive.watch({
    ping(frame) {
      try {
        unanswered++;
        ws.send(frame);
      } catch (error) {
        fail(error, 'ping');
      }
    },
  });
  // Hocuspocus talks to the socket through this, so the docs it closes or refuses are seen.
  const socketLike = {
    get readyState() {
      return ws.readyState;
    },
    send(data: Uint8Array) {
      try {
        openDocs.sent(data);
        kept.sent();
        writes.hold(socket);
        ws.send(data);
      } catch (error) {
        fail(error, 'send');
      }
    },
    close(code?: number, reason?: string) {
      try {
        ws.close(code, reason);
      } catch (error) {
        fail(error, 'close');
      }
    },
  };
  let connection: ReturnType<Hocuspocus['handleConnection']>;
  try {
    connection = deps.hocuspocus().handleConnection(socketLike, request);
  } catch (error) {
    kept.forget();
    fail(error, 'connection');
    return;
  }
  ws.on('message', (data: Buffer) => {
    try {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      // The answer to the keep-alive's Ping names no document: it only proves the socket
      // alive to Hocuspocus' own idle check, and would be a malformed frame past here.
      if (isPong(bytes)) {
        if (unanswered === 0) {
          if (++unasked > UNASKED_PONGS_MAX) {
            deps.log.debug('sync socket: Pongs nobody asked for');
            socketLike.close(CLOSE_POLICY_VIOLATION);
          }
          return;
        }
        unanswered--;
        connection.lastMessageReceivedAt = Date.now();
        return;
      }
      if (!openDocs.received(bytes)) return;
      noteArrival(bytes);
      connection.handleMessage(bytes);
    } catch (error) {
      deps.log.warn({ err: error }, 'sync socket: message failed');
      socketLike.close(CLOSE_INTERNAL_ERROR);
    }
  });
  ws.on('close', (code, reason) => {
    kept.forget();
    try {
      connection.handleClose({ code, reason: reason.toString() });
    } catch (error) {
      deps.log.warn({ err: error }, 'sync socket: close failed');
    }
  });
}
