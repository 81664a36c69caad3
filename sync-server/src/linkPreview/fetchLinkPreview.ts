import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import sharp from 'sharp';
import { linkPreviewSchema, MAX_PREVIEW_DESCRIPTION, MAX_PREVIEW_IMAGE, MAX_PREVIEW_TITLE, type LinkPreview } from '#schema/docs/message';
import { isPublicAddress } from '../push/endpointPolicy';

/** Whole fetch, redirects included: a slow site gets no preview rather than a stuck composer. */
const PREVIEW_TIMEOUT_MS = 5_000;
/** Bytes of a page read at most: the head (title, meta tags) is near the top. */
const PREVIEW_MAX_BYTES = 256 * 1024;
/** Redirects followed at most; each is checked like the first address. */
const PREVIEW_MAX_REDIRECTS = 3;
/** Bytes of a page's picture read at most, and the pixels it may decode to (no decompression bombs). */
const PREVIEW_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
const PREVIEW_IMAGE_MAX_PIXELS = 40_000_000;
/** The inline picture's side: a square thumbnail beside the title. */
const PREVIEW_IMAGE_SIDE = 120;

/** What a GET may bring back: a page (text) or a picture (bytes). */
type Wanted = 'page' | 'image';
const ACCEPT: Record<Wanted, { header: string; type: RegExp; maxBytes: number }> = {
  page: { header: 'text/html,application/xhtml+xml;q=0.9', type: /text\/html|application\/xhtml/i, maxBytes: PREVIEW_MAX_BYTES },
  image: { header: 'image/webp,image/png,image/jpeg,image/gif;q=0.9', type: /^image\/(png|jpeg|webp|gif|avif)\b/i, maxBytes: PREVIEW_IMAGE_MAX_BYTES },
};

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

type Fetched = { status: number; location?: string; contentType: string; body: Buffer };

/** One GET with the guarded lookup, reading at most the wanted kind's bytes; never throws. */
function getOnce(url: URL, policy: PreviewPolicy, deadline: number, wanted: Wanted): Promise<Fetched | null> {
  const want = ACCEPT[wanted];
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const timeout = Math.max(1, deadline - Date.now());
    const request = send(
      url,
      { method: 'GET', lookup: guardedLookup(policy), timeout, headers: { 'user-agent': 'JecoLinkPreview/1 (+link previews for chat messages)', accept: want.header, 'accept-encoding': 'identity' } },
      (response) => {
        const status = response.statusCode ?? 0;
        const contentType = String(response.headers['content-type'] ?? '');
        const location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
        if ((status >= 300 && status < 400) || !want.type.test(contentType)) {
          response.destroy();
          return resolve({ status, contentType, body: Buffer.alloc(0), ...(location ? { location } : {}) });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= want.maxBytes) response.destroy();
        });
        // A picture cut short would not decode: only a page may be read in part.
        const done = () => resolve(wanted === 'image' && size >= want.maxBytes ? null : { status, contentType, body: Buffer.concat(chunks).subarray(0, want.maxBytes) });
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

/** The page's title, description and picture: Open Graph tags first, then `<title>` and `<meta name="description">`. */
export function readPageMeta(html: string): { title?: string; description?: string; image?: string } {
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
  const image = decodeEntities(meta.get('og:image') ?? meta.get('og:image:url') ?? meta.get('twitter:image') ?? '').trim();
  return { ...(title ? { title } : {}), ...(description ? { description } : {}), ...(image ? { image } : {}) };
}

/**
 * GETs `raw`, following redirects by hand, each hop checked like the first; the final
 * answer if it is a 200 of the wanted kind, with the URL it came from. Null otherwise.
 */
async function fetchFollowing(raw: string, policy: PreviewPolicy, deadline: number, wanted: Wanted): Promise<{ url: URL; body: Buffer } | null> {
  let current = raw;
  for (let hop = 0; hop <= PREVIEW_MAX_REDIRECTS; hop++) {
    if (refusePreviewUrl(current, policy)) return null;
    const url = new URL(current);
    const fetched = await getOnce(url, policy, deadline, wanted);
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
    return fetched.status === 200 && fetched.body.length > 0 ? { url, body: fetched.body } : null;
  }
  return null;
}

/** The page's picture as a small square WebP `data:` URL, or null (none, refused, not an image, too big). */
async function previewImage(raw: string, page: URL, policy: PreviewPolicy, deadline: number): Promise<string | null> {
  let url: string;
  try {
    url = new URL(raw, page).toString();
  } catch {
    return null;
  }
  const fetched = await fetchFollowing(url, policy, deadline, 'image');
  if (!fetched) return null;
  try {
    const webp = await sharp(fetched.body, { limitInputPixels: PREVIEW_IMAGE_MAX_PIXELS, animated: false })
      .resize(PREVIEW_IMAGE_SIDE, PREVIEW_IMAGE_SIDE, { fit: 'cover' })
      .webp({ quality: 60 })
      .toBuffer();
    const data = `data:image/webp;base64,${webp.toString('base64')}`;
    return data.length <= MAX_PREVIEW_IMAGE ? data : null;
  } catch {
    return null;
  }
}

/**
 * Fetches a page on a sender's behalf and reads its preview (title, description, host,
 * and its picture re-encoded as a small inline WebP):
 * only http(s), only to allowed addresses after DNS resolution (checked at connect
 * time, so a name that changes its answer is caught), redirects followed by hand and
 * checked the same way, at most {@link PREVIEW_MAX_BYTES} read, {@link PREVIEW_TIMEOUT_MS}
 * in all. Null when there is no preview to give, whatever the reason; never throws.
 */
export async function fetchLinkPreview(raw: string, policy: PreviewPolicy): Promise<LinkPreview | null> {
  const deadline = Date.now() + PREVIEW_TIMEOUT_MS;
  const page = await fetchFollowing(raw, policy, deadline, 'page');
  if (!page) return null;
  const { title, description, image: imageUrl } = readPageMeta(page.body.toString('utf8'));
  if (!title) return null;
  // The picture is fetched like the page (same checks, same deadline); a page keeps its preview without one.
  const image = imageUrl ? await previewImage(imageUrl, page.url, policy, deadline) : null;
  const parsed = linkPreviewSchema.safeParse({ url: raw, title, ...(description ? { description } : {}), site: page.url.hostname, ...(image ? { image } : {}) });
  return parsed.success ? parsed.data : null;
}
