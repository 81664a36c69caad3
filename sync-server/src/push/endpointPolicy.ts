import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which push endpoints the server may POST to. A subscription's endpoint comes from the
 * browser, that is from whoever holds a session: without a rule, anyone could make the
 * server send requests into the network it runs in (SSRF). So an endpoint must be an
 * `https://` URL whose host resolves only to public unicast addresses — checked when
 * the subscription is saved, and again on every connection (the lookup below), so a
 * name that later resolves to an inside address (DNS rebinding) is refused then too.
 * `allowPrivate` (JECO_PUSH_ALLOW_PRIVATE_ENDPOINTS, for tests) lifts both rules.
 */
export interface EndpointPolicy {
  allowPrivate: boolean;
}

/** Whether an address is public unicast: not loopback, private, link-local, unique-local, CGNAT, multicast or reserved. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  return ipaddr.process(address).range() === 'unicast';
}

/** Why an endpoint is refused (shown to the client), or null when it may be used. */
export async function refuseEndpoint(endpoint: string, policy: EndpointPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The push endpoint is not a URL.';
  }
  if (url.username || url.password) return 'The push endpoint must not carry credentials.';
  if (policy.allowPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'The push endpoint must be an http(s) URL.';
  if (url.protocol !== 'https:') return 'The push endpoint must be an https URL.';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  if (addresses === null || addresses.length === 0) return "The push endpoint's host does not resolve.";
  if (!addresses.every(isPublicAddress)) return 'The push endpoint must be on a public address.';
  return null;
}

function resolveAll(host: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => resolve(error ? null : addresses.map((a) => a.address)));
  });
}

/**
 * A `lookup` for the request to an endpoint: resolves as usual and fails the
 * connection if the name resolves to an address {@link isPublicAddress} refuses.
 * (A host that is an IP literal is never looked up; the sender checks it itself.)
 */
export function guardedLookup(policy: EndpointPolicy): LookupFunction | undefined {
  if (policy.allowPrivate) return undefined;
  return ((hostname: string, options: object, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(Object.assign(new Error(`push endpoint ${hostname} resolves to a non-public address`), { code: 'EPUSHPRIVATE' }), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
