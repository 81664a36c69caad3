import type { Server } from 'node:http';
import { BlockList, isIPv4, isIPv6, type Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Caps the open TCP connections from one peer address (HTTP keep-alive and upgraded
 * WebSockets alike: both are connections of the one server). Over the cap the new
 * socket is destroyed before anything is read from it, so one host holding stalled or
 * idle connections cannot use up the process's sockets and memory. Counted by hand on
 * the server's `connection` event: Node's `maxConnections` caps the total only, and
 * rate-limit plugins count requests, not open connections. The key is the TCP peer
 * ({@link peerKey}), never a forwarded header (which the peer writes). Peers in `exempt` (by default this machine, where a reverse
 * proxy would connect from) are not counted.
 */
export function capConnectionsPerAddress(server: Server, options: { max: number; exempt: readonly string[] }, log: FastifyBaseLogger): void {
  if (options.max <= 0) return;
  const exempt = blockListOf(options.exempt);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = peerKey(socket.remoteAddress);
    if (address === null) {
      // Already gone before we saw it (no address).
      socket.destroy();
      return;
    }
    // Exemptions match the peer itself (an IPv6 key is a whole /64).
    const v4 = isIPv4(address);
    if (exempt.check(v4 ? address : socket.remoteAddress!, v4 ? 'ipv4' : 'ipv6')) return;
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

/**
 * The address a connection counts against: an IPv4 address (also when IPv4-mapped), or
 * an IPv6 address's /64, since one host is usually given a whole /64 and could
 * otherwise open the cap's worth of connections from each of its 2^64 addresses.
 */
export function peerKey(address: string | undefined): string | null {
  if (!address) return null;
  if (isIPv4(address)) return address;
  const mapped = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : '';
  if (isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return null;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  // `::` stands for as many zero groups as the address lacks; only the first four matter.
  const groups = tail === undefined ? left : [...left, '0', '0', '0', '0'];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
