import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { linkPreviewSchema, MAX_PREVIEW_DESCRIPTION, MAX_PREVIEW_TITLE, type LinkPreview } from '../../../schema/docs/message';
import { isPublicAddress } from '../push/endpointPolicy';

/** Whole fetch, redirects included: a slow site gets no preview rather than a stuck composer. */
const PREVIEW_TIMEOUT_MS = 5_000;
/** Bytes of a page read at most: the head (title, meta tags) is near the top. */
const PREVIEW_MAX_BYTES = 256 * 1024;
/** Redirects followed at most; each is checked like the first address. */
const PREVIEW_MAX_REDIRECTS = 3;

/**
 * Which addresses the server may fetch a preview from. Production: public unicast only
 * ({@link isPublicAddress}). `alsoAllowed` lists exact addresses the tests' local site
 * uses; it is set only through `startJeco`'s options, never from the environment, so no
 * deployment can widen it.
 */
export interface PreviewPolicy {
  alsoAllowed: ReadonlySet<string>;
}

export const PRODUCTION_PREVIEW_POLICY: PreviewPolicy = { alsoAllowed: new Set() };

const allowed = (policy: PreviewPolicy, address: string) => isPublicAddress(address) || policy.alsoAllowed.has(address);

/** Resolves like the system, and fails the connection if any address of the name is not allowed (DNS rebinding included). */
function guardedLookup(policy: PreviewPolicy): LookupFunction {
  return ((hostname: string, options: object, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (addresses.some((a) => !allowed(policy, a.address))) return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EPRIVATE' }), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

/** Why a URL may not be fetched (null: it may): http(s), no credentials, an IP-literal host only if allowed. */
export function refusePreviewUrl(raw: string, policy: PreviewPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not http(s)';
  if (url.username || url.password) return 'credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !allowed(policy, host)) return 'private address';
  // Names that only ever mean this machine or its network are refused before any lookup.
  if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) return 'private name';
  return null;
}

type Fetched = { status: number; location?: string; contentType: string; body: string };

/** One GET with the guarded lookup, reading at most {@link PREVIEW_MAX_BYTES}; never throws. */
function getOnce(url: URL, policy: PreviewPolicy, deadline: number): Promise<Fetched | null> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const timeout = Math.max(1, deadline - Date.now());
    const request = send(
      url,
      { method: 'GET', lookup: guardedLookup(policy), timeout, headers: { 'user-agent': 'JecoLinkPreview/1 (+link previews for chat messages)', accept: 'text/html,application/xhtml+xml;q=0.9', 'accept-encoding': 'identity' } },
      (response) => {
        const status = response.statusCode ?? 0;
        const contentType = String(response.headers['content-type'] ?? '');
        const location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
        if (status >= 300 && status < 400 || !/text\/html|application\/xhtml/i.test(contentType)) {
          response.destroy();
          return resolve({ status, contentType, body: '', ...(location ? { location } : {}) });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= PREVIEW_MAX_BYTES) response.destroy();
        });
        const done = () => resolve({ status, contentType, body: Buffer.concat(chunks).subarray(0, PREVIEW_MAX_BYTES).toString('utf8') });
        response.on('end', done);
        response.on('close', done);
        response.on('error', () => resolve(null));
      },
    );
    const timer = setTimeout(() => request.destroy(new Error('timed out')), timeout);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', () => resolve(null));
    request.end();
  });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? Number.parseInt(code.slice(2), 16) : Number.parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

const clean = (text: string, max: number) => {
  const line = decodeEntities(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The page's title and description: Open Graph tags first, then `<title>` and `<meta name="description">`. */
export function readPageMeta(html: string): { title?: string; description?: string } {
  const head = html.slice(0, PREVIEW_MAX_BYTES);
  const meta = new Map<string, string>();
  for (const tag of head.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = new Map<string, string>();
    for (const [, name, , dq, sq, bare] of tag[0].matchAll(/([a-zA-Z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g)) attrs.set(name!.toLowerCase(), dq ?? sq ?? bare ?? '');
    const key = (attrs.get('property') ?? attrs.get('name') ?? '').toLowerCase();
    const content = attrs.get('content');
    if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
  }
  const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(head)?.[1];
  const title = clean(meta.get('og:title') ?? meta.get('twitter:title') ?? titleTag ?? '', MAX_PREVIEW_TITLE);
  const description = clean(meta.get('og:description') ?? meta.get('twitter:description') ?? meta.get('description') ?? '', MAX_PREVIEW_DESCRIPTION);
  return { ...(title ? { title } : {}), ...(description ? { description } : {}) };
}

/**
 * Fetches a page on a sender's behalf and reads its preview (title, description, host):
 * only http(s), only to allowed addresses after DNS resolution (checked at connect
 * time, so a name that changes its answer is caught), redirects followed by hand and
 * checked the same way, at most {@link PREVIEW_MAX_BYTES} read, {@link PREVIEW_TIMEOUT_MS}
 * in all. Null when there is no preview to give, whatever the reason; never throws.
 */
export async function fetchLinkPreview(raw: string, policy: PreviewPolicy): Promise<LinkPreview | null> {
  const deadline = Date.now() + PREVIEW_TIMEOUT_MS;
  let current = raw;
  for (let hop = 0; hop <= PREVIEW_MAX_REDIRECTS; hop++) {
    if (refusePreviewUrl(current, policy)) return null;
    const url = new URL(current);
    const fetched = await getOnce(url, policy, deadline);
    if (!fetched) return null;
    if (fetched.status >= 300 && fetched.status < 400) {
      if (!fetched.location) return null;
      try {
        current = new URL(fetched.location, url).toString();
      } catch {
        return null;
      }
      continue;
    }
    if (fetched.status !== 200 || !fetched.body) return null;
    const { title, description } = readPageMeta(fetched.body);
    if (!title) return null;
    const parsed = linkPreviewSchema.safeParse({ url: raw, title, ...(description ? { description } : {}), site: url.hostname });
    return parsed.success ? parsed.data : null;
  }
  return null;
}
