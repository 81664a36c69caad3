import net from 'node:net';
import { afterAll } from 'vitest';

export interface Target {
  host: string;
  port: number;
}

export interface TcpProxy {
  port: number;
  /** Drops every connection through the proxy and refuses new ones, as a dead network or a stopped service would. */
  cut(): void;
  /** Lets connections through again. */
  restore(): void;
  close(): Promise<void>;
}

const proxies = new Set<TcpProxy>();
afterAll(() => Promise.all([...proxies].map((proxy) => proxy.close())));

/**
 * A TCP proxy on 127.0.0.1 that a test owns, to inject faults between a node and a
 * shared service (Postgres, Redis) without touching the service itself. With several
 * targets it is a small balancer: each new connection goes to the next target in turn,
 * and to the one after if that refuses (a node that was killed), the way a balancer
 * with retries sends clients to a live node.
 */
export async function startTcpProxy(targets: Target | Target[]): Promise<TcpProxy> {
  const list = Array.isArray(targets) ? targets : [targets];
  const open = new Set<net.Socket>();
  let cut = false;
  let next = 0;

  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    open.add(client);
    client.on('error', () => undefined);
    client.once('close', () => open.delete(client));
    client.pause();
    const tryTarget = (attempt: number) => {
      if (attempt >= list.length || cut || client.destroyed) {
        client.destroy();
        return;
      }
      const target = list[next++ % list.length]!;
      const upstream = net.connect(target);
      open.add(upstream);
      upstream.once('close', () => open.delete(upstream));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      upstream.once('error', () => {
        upstream.destroy();
        tryTarget(attempt + 1);
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const proxy: TcpProxy = {
    port,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    close() {
      proxies.delete(proxy);
      proxy.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  proxies.add(proxy);
  return proxy;
}

/** The same URL with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

/** Host and port of a service URL (`postgres://…`, `redis://…`). */
export function targetOf(url: string, defaultPort: number): Target {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port) || defaultPort };
}
