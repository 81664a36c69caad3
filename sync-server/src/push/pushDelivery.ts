import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPublicAddress, type EndpointPolicy } from './endpointPolicy';

/** A request `web-push` prepared (encrypted body, VAPID and encoding headers). */
export interface PreparedPush {
  endpoint: string;
  method: string;
  headers: Record<string, string | number>;
  body: Buffer | null;
}

/** What the push service said: its HTTP status, or a network failure. */
export type DeliveryResult = { status: number } | { error: Error };

/**
 * POSTs a prepared push to its endpoint. `web-push` builds the request (the RFC 8291
 * encryption and the RFC 8292 signature) but always sends it over https with the
 * system's resolver; here the request goes through {@link guardedLookup}, so no
 * endpoint reaches a private address, and over http only when the policy allows
 * private endpoints (the tests' local push service). Never throws.
 */
export function deliver(push: PreparedPush, policy: EndpointPolicy, timeoutMs: number): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(push.endpoint);
    } catch (error) {
      return resolve({ error: error as Error });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!policy.allowPrivate && (url.protocol !== 'https:' || (isIP(host) !== 0 && !isPublicAddress(host)))) {
      return resolve({ error: new Error('push endpoint refused by policy') });
    }
    const send = url.protocol === 'https:' ? https.request : http.request;
    const lookup = guardedLookup(policy);
    const request = send(url, { method: push.method, headers: push.headers, timeout: timeoutMs, ...(lookup ? { lookup } : {}) }, (response) => {
      // The body is not needed; reading it lets the socket be reused.
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      response.on('error', (error) => resolve({ error }));
    });
    request.on('timeout', () => request.destroy(new Error('push request timed out')));
    request.on('error', (error) => resolve({ error }));
    request.end(push.body ?? undefined);
  });
}
