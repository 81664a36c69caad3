import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../apiError';
import type { HttpDeps } from '../deps';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether the request comes from this machine (`request.ip`: the TCP peer, or the forwarded client behind a trusted proxy). */
function fromLoopback(request: FastifyRequest): boolean {
  const ip = request.ip.startsWith('::ffff:') ? request.ip.slice('::ffff:'.length) : request.ip;
  return LOOPBACK.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}

/** Compares in time independent of where the strings differ (hashing first evens out the lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `GET /metrics`: Prometheus text format, which tells anyone reading it how busy the
 * server is and what it runs on, so it is not public. With `JECO_METRICS_TOKEN` set it
 * takes `Authorization: Bearer <token>` (Prometheus' `bearer_token`), from anywhere;
 * without it, only requests from this machine.
 */
export function metricsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/metrics', async (request, reply) => {
    const expected = deps.config.metricsToken;
    const header = request.headers.authorization;
    const allowed = expected ? header?.startsWith('Bearer ') === true && sameSecret(header.slice('Bearer '.length).trim(), expected) : fromLoopback(request);
    if (!allowed) return sendError(reply, 'forbidden');
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });
}
