import type { Server } from 'node:http';
import { BlockList, isIPv4, type Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Caps the open TCP connections from one peer address (HTTP keep-alive and upgraded
 * WebSockets alike: both are connections of the one server). Over the cap the new
 * socket is destroyed before anything is read from it, so one host holding stalled or
 * idle connections cannot use up the process's sockets and memory. Counted by hand on
 * the server's `connection` event: Node's `maxConnections` caps the total only, and
 * rate-limit plugins count requests, not open connections. The key is the TCP peer,
 * never a forwarded header (which the peer writes); IPv4-mapped IPv6 addresses count
 * as their IPv4 address. Peers in `exempt` (by default this machine, where a reverse
 * proxy would connect from) are not counted.
 */
export function capConnectionsPerAddress(server: Server, options: { max: number; exempt: readonly string[] }, log: FastifyBaseLogger): void {
  if (options.max <= 0) return;
  const exempt = blockListOf(options.exempt);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = peerKey(socket.remoteAddress);
    if (address === null) {
      // Already gone before we saw it.
      socket.destroy();
      return;
    }
    if (exempt.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')) return;
    const count = open.get(address) ?? 0;
    if (count >= options.max) {
      log.debug({ address, open: count }, 'connection refused: too many from one address');
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** Entries are checked by the config (`addr` or `addr/prefix`). */
function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function peerKey(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
