import net from 'node:net';

/** A raw TCP connection to the server, for requests no HTTP client would send. */
export interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves, with milliseconds since connecting, when the server (or the network) closed it. */
  closed: Promise<number>;
}

/** Connects to 127.0.0.1:`port`, optionally from another loopback address (`127.0.0.2`, …: a different peer). */
export function rawConnect(port: number, options: { localAddress?: string } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port, ...options });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    // A reset from the server is one way of closing; the test looks at what arrived.
    socket.on('error', () => {});
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed }));
    socket.once('error', reject);
  });
}

/** Sends raw bytes and waits for the server to close the connection (or `timeoutMs`). */
export async function rawExchange(
  port: number,
  request: string | Uint8Array,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<{ status: number | null; text: string; closed: boolean }> {
  const connection = await rawConnect(port, options);
  connection.socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  const closed = await Promise.race([connection.closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), options.timeoutMs ?? 5000))]);
  connection.socket.destroy();
  const text = connection.received();
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return { status: status ? Number(status[1]) : null, text, closed };
}

/**
 * A WebSocket handshake for `/sync` as a browser sends it, with `headers` added or
 * replaced (a `null` value leaves the header out).
 */
export function upgradeRequest(port: number, headers: Record<string, string | null> = {}, path = '/sync'): string {
  const all: Record<string, string | null> = {
    host: `127.0.0.1:${port}`,
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
