/**
 * Whether a request that names its origin comes from another site: the `Origin`
 * header's host must be the `Host` the request was sent to. Browsers send `Origin`
 * on cross-site requests and WebSocket handshakes; a request without one (a script,
 * curl) is not cross-site by this test. `Origin: null` (sandboxed iframes, `file://`
 * pages) and anything else that is not a URL counts as another site. Never throws:
 * both headers come from the network.
 */
export function isCrossSite(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return false;
  if (!host) return true;
  try {
    return new URL(origin).host !== host.toLowerCase();
  } catch {
    return true;
  }
}
