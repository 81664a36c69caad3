import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BUCKET_SIZE } from '#schema/docs/bucket';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const KIB = 1024;
const MIB = 1024 * KIB;
/** The largest WebSocket frame server.ts accepts: a byte budget's burst must let one through. */
const LARGEST_FRAME_BYTES = 2 * MIB;

/** Comma-separated IP addresses or CIDR ranges (`10.0.0.0/8`, `::1`); `none` for none. */
const addressList = z
  .string()
  .transform((v) =>
    v.trim() === 'none'
      ? []
      : v
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
  )
  .refine((entries) => entries.every(isAddressOrRange), 'Use comma-separated IP addresses or CIDR ranges, or `none`.');

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every option of the sync server: a `JECO_`-prefixed environment variable, its
 * default and why. This is the only module that reads `process.env`; the README's
 * configuration table is generated from the descriptions here (`npm run config:docs`).
 */
export const OPTIONS = {
  JECO_PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '8080', describe: 'Port for the web app, the API and /sync (0 picks a free port).' },
  JECO_HOST: { schema: z.string().min(1), default: '0.0.0.0', describe: 'Interface to listen on.' },
  JECO_DATA_DIR: { schema: z.string().min(1), default: './data', describe: 'Where the SQLite database and the mail outbox live.' },
  JECO_DATABASE_URL: { schema: z.string().optional(), default: undefined, describe: 'Unset: SQLite in the data dir. `postgres://…`: Postgres (needed for more than one server process).' },
  JECO_REDIS_URL: {
    schema: z.string().optional(),
    default: undefined,
    describe: 'Unset: one server process. `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS): relay updates, presence, typing and removals between processes.',
  },
  JECO_PUBLIC_URL: {
    schema: z.string().url().optional(),
    default: undefined,
    describe: 'The address people open, used in mailed links; also makes session cookies `Secure` when it is https. Default http://localhost:<port>.',
  },
  JECO_SMTP_URL: { schema: z.string().optional(), default: undefined, describe: 'SMTP relay for mail (`smtp://user:pass@host:587`). Unset: mail is written to `<data dir>/outbox` and the log.' },
  JECO_MAIL_FROM: { schema: z.string().min(3), default: 'Jeco <jeco@localhost>', describe: 'Sender of password-reset mail.' },
  JECO_STATIC_DIR: { schema: z.string().min(1), default: './dist', describe: 'The built web app (`npm run build`).' },
  JECO_SESSION_IDLE_MS: { schema: z.coerce.number().int().positive(), default: String(30 * DAY_MS), describe: 'A session unused this long expires; each use slides it forward.' },
  JECO_SESSION_MAX_MS: { schema: z.coerce.number().int().positive(), default: String(90 * DAY_MS), describe: 'A session expires this long after sign-in however much it is used.' },
  JECO_LINK_PREVIEW_RATE_PER_MIN: {
    schema: z.coerce.number().int().positive(),
    default: '30',
    describe: 'Link previews one person may ask the server to fetch per minute (each is a request the server makes to a public website).',
  },
  JECO_INVITE_RATE_PER_MIN: {
    schema: z.coerce.number().int().positive(),
    default: '20',
    describe: 'Group invite links one person may open or join per minute (per address without a session): guessing links gets nowhere.',
  },
  JECO_DISAPPEARING_SWEEP_MS: {
    schema: z.coerce.number().int().min(10),
    default: String(5 * 60_000),
    describe: "How often the server removes messages older than their chat's disappearing-messages setting (24 hours, 7 days or 90 days); a message goes at most this long after its time is up.",
  },
  JECO_SESSION_SWEEP_MS: {
    schema: z.coerce.number().int().min(10),
    default: String(HOUR_MS),
    describe: 'How often expired sessions are deleted from the database (an expired session is refused at once either way; this keeps the table from growing).',
  },
  JECO_RESET_TOKEN_TTL_MS: { schema: z.coerce.number().int().positive(), default: String(HOUR_MS), describe: 'How long a password-reset link works.' },
  JECO_USERNAME_GRACE_MS: {
    schema: z.coerce.number().int().min(0),
    default: String(30 * DAY_MS),
    describe: 'How long the username of a deleted account stays taken before someone else may sign up with it (so nobody can pose as the person to those who knew them straight away).',
  },
  JECO_EXPORTS_PER_HOUR: {
    schema: z.coerce.number().int().min(1),
    default: '3',
    describe: 'Data exports ("Export my data") one person may start per hour; each reads every message they can read, so it is the heaviest request there is. One runs at a time per person.',
  },
  JECO_AUTH_RATE_PER_MIN: { schema: z.coerce.number().int().positive(), default: '10', describe: 'Sign-in, sign-up and reset attempts allowed per client address per minute.' },
  JECO_BUCKET_SIZE: { schema: z.coerce.number().int().min(2), default: String(DEFAULT_BUCKET_SIZE), describe: 'Messages per history bucket before the room head moves to a new one.' },
  JECO_COMMIT_SPACING_MS: {
    schema: z.coerce.number().int().min(0).max(100).optional(),
    default: undefined,
    describe:
      "The least time between the starts of two commits of the message log. Appends that arrive meanwhile share the next commit (one fsync, or one Postgres round trip, for all of them), so a busy server writes its disk a hundred times a second, not once per message; each waits at most this long more for its acknowledgement. A quiet server's commit starts at once. Unset: 10 on SQLite, where a commit is an fsync and its WAL pages, and 5 on Postgres, where it is a round trip. `0` commits as soon as the previous commit is done.",
  },
  JECO_COMPACT_AFTER_UPDATES: {
    schema: z.coerce.number().int().min(1),
    default: '200',
    describe: 'Log rows a document nobody has open may gather before they are merged into its snapshot; one still open gathers ten times as many first.',
  },
  JECO_SYNC_UPDATES_PER_SEC: {
    schema: z.coerce.number().positive(),
    default: '200',
    describe:
      'Messages (document updates, typing, receipts, …) one user may send per second over all their connections on one server, sustained; the doc connection whose message goes over it is closed as `rate_limited` and its client re-attaches after a pause.',
  },
  JECO_SYNC_BURST: {
    schema: z.coerce.number().int().min(1),
    default: '3000',
    describe: 'Messages one user may send at once before `JECO_SYNC_UPDATES_PER_SEC` applies: every open doc of every tab catching up after a reconnect (about 5 messages per doc) or a paste.',
  },
  JECO_SYNC_BYTES_PER_SEC: {
    schema: z.coerce.number().int().positive(),
    default: String(256 * KIB),
    describe: 'Bytes one user may send per second over all their connections on one server, sustained; over it works as `JECO_SYNC_UPDATES_PER_SEC`.',
  },
  JECO_SYNC_BYTES_BURST: {
    schema: z.coerce.number().int().min(LARGEST_FRAME_BYTES),
    default: String(8 * MIB),
    describe: 'Bytes one user may send at once before `JECO_SYNC_BYTES_PER_SEC` applies (offline edits going out on reconnect); at least the largest frame (2 MiB).',
  },
  JECO_SYNC_DOCS_OPEN: {
    schema: z.coerce.number().int().min(1),
    default: '400',
    describe:
      'Documents one user may have open at once over all their tabs and devices on one server (a tab of the app, a chat open and read far back, holds about 25: `npm run bench:budgets`); past it a doc is refused as `too_many_docs` and its client retries after a pause.',
  },
  JECO_SYNC_PING_AFTER_MS: {
    schema: z.coerce.number().int().min(10),
    default: '20000',
    describe:
      'A sync socket that was sent nothing for this long gets a one-byte Ping, which the client answers: the keep-alive of idle sockets. Under 30 s, the time after which the client reconnects a silent socket.',
  },
  JECO_SYNC_IDLE_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(10),
    default: '60000',
    describe: 'A sync socket whose client sent nothing (not even the answer to a Ping) for this long is closed; at least twice `JECO_SYNC_PING_AFTER_MS`.',
  },
  JECO_PRESENCE_HEARTBEAT_MS: {
    schema: z.coerce.number().int().min(10),
    default: '10000',
    describe: 'With several nodes: how often each says it is alive on Redis. The users connected through a node silent for three of these count as offline on the others.',
  },
  JECO_AWARENESS_PER_SEC: {
    schema: z.coerce.number().positive(),
    default: '30',
    describe:
      'Awareness updates one user may send per second over all their connections on one server, sustained; over it works as `JECO_SYNC_UPDATES_PER_SEC`. The app sends none (typing is a stateless message, online is worked out by the server); every state a client sends is dropped.',
  },
  JECO_AWARENESS_BURST: {
    schema: z.coerce.number().int().min(1),
    default: '1000',
    describe: 'Awareness updates one user may send at once before `JECO_AWARENESS_PER_SEC` applies.',
  },
  JECO_HTTP_REQUEST_TIMEOUT_MS: {
    schema: z.coerce.number().int().positive(),
    default: '30000',
    describe: 'Longest a client may take to send a whole HTTP request, headers and body; a slower one is answered 408 and closed (slowloris). Every body Jeco takes is small.',
  },
  JECO_HTTP_HEADERS_TIMEOUT_MS: {
    schema: z.coerce.number().int().positive(),
    default: '10000',
    describe: 'Longest a client may take to send the headers of an HTTP request (at most `JECO_HTTP_REQUEST_TIMEOUT_MS`).',
  },
  JECO_HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    schema: z.coerce.number().int().positive(),
    default: '10000',
    describe: "How long an idle HTTP connection is kept open for the next request. Behind a load balancer, set it above the balancer's idle timeout.",
  },
  JECO_MAX_CONNECTIONS_PER_ADDRESS: {
    schema: z.coerce.number().int().min(0),
    default: '64',
    describe:
      'Open TCP connections (HTTP and WebSocket) allowed from one peer address (an IPv6 /64 counts as one); more are closed at once (0: no cap). It counts the TCP peer, not `X-Forwarded-For`: behind a reverse proxy every connection comes from the proxy, so exempt the proxy (`JECO_CONNECTION_CAP_EXEMPT`) or set 0, and cap per client at the proxy.',
  },
  JECO_CONNECTION_CAP_EXEMPT: {
    schema: addressList,
    default: '127.0.0.0/8,::1',
    describe: 'Peers the per-address connection cap leaves alone: comma-separated addresses or CIDR ranges, or `none`. The default is this machine, which covers a reverse proxy running on it.',
  },
  JECO_METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    default: undefined,
    describe: 'Bearer token, 16 characters or more, that `/metrics` requires (Prometheus `bearer_token`). Unset: `/metrics` answers only requests from this machine (127.0.0.0/8, ::1).',
  },
  JECO_RECEIPTS_FLUSH_MS: {
    schema: z.coerce.number().int().min(10).max(10_000),
    default: '250',
    describe:
      "How often reported receipts are saved (one transaction for all of them) and each touched room's delivered/read aggregate is rewritten; every member gets at most one receipt update per room this often.",
  },
  JECO_MAX_PHOTO_BYTES: {
    schema: z.coerce.number().int().positive(),
    default: String(5 * MIB),
    describe: 'Largest profile photo one may send, in bytes (the app sends a cropped 1024 px JPEG of a few hundred KB; the server stores 512 px).',
  },
  JECO_MAX_UPLOAD_BYTES: { schema: z.coerce.number().int().positive(), default: String(100 * 1024 * 1024), describe: 'Largest file one upload may be (photos, documents), in bytes.' },
  JECO_UPLOAD_QUOTA_BYTES: {
    schema: z.coerce.number().int().positive(),
    default: String(5 * 1024 * 1024 * 1024),
    describe: 'Bytes each user may have uploaded in total; an upload that would pass it is refused.',
  },
  JECO_UPLOADS_PER_MIN: { schema: z.coerce.number().int().positive(), default: '30', describe: 'Uploads each user may start per minute.' },
  JECO_FILE_GRACE_MS: {
    schema: z.coerce.number().int().min(0),
    default: String(24 * HOUR_MS),
    describe:
      'How long a stored file may stay unsent (uploaded, never attached to a message: a closed tab, a cancelled send) or deleted for everyone before the sweep removes it, with its bytes once no other file shares them. A day lets a phone that uploaded offline-queued files send their messages the next morning.',
  },
  JECO_FILE_SWEEP_MS: { schema: z.coerce.number().int().min(10), default: String(HOUR_MS), describe: 'How often the sweep of unsent and deleted files (`JECO_FILE_GRACE_MS`) runs.' },
  JECO_PROJECTION_DELAY_MS: {
    schema: z.coerce.number().int().min(0).max(10_000),
    default: '100',
    describe:
      "How long new messages gather before the chat indexes of the room's members are updated (the chat list's preview, unread count and delivered ticks; the message itself is not held): each inbox is written once per window, not once per message.",
  },
  JECO_PROJECTION_BUSY_DELAY_MS: {
    schema: z.coerce.number().int().min(0).max(10_000),
    default: '500',
    describe:
      "The same window for a busy room (its chat indexes updated within the last second): its preview changes every moment anyway, and a longer window writes each member's inbox less often. Never shorter than `JECO_PROJECTION_DELAY_MS`.",
  },
  JECO_PROJECTION_BUSY_MS_PER_MEMBER: {
    schema: z.coerce.number().min(0).max(1_000),
    default: '1',
    describe:
      "A busy room's window grows with its members by this much each, up to 2 s: each projection writes every member's inbox, so a busy 1,000-member group's inboxes are written once a second rather than twice. 0 keeps every busy room at `JECO_PROJECTION_BUSY_DELAY_MS`.",
  },
  JECO_SERVER_DOC_HOLD_MS: {
    schema: z.coerce
      .number()
      .int()
      .min(0)
      .max(10 * 60_000),
    default: '30000',
    describe:
      "How long a document the server itself last wrote or read (a member's chat index written by a projection, a room head, a bucket) stays loaded when no client of this process holds it. A busy room's projections then find its members' chat indexes loaded instead of loading each again after it is stored (a read of its log, and with Redis a state exchange with the other nodes). 0: unloaded once stored, as a client's are.",
  },
  JECO_VAPID_PUBLIC_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{87}$/, 'A P-256 public key in base64url (87 characters), as `npx web-push generate-vapid-keys` prints it.')
      .optional(),
    default: undefined,
    describe:
      'Web Push: the VAPID public key (base64url), set together with `JECO_VAPID_PRIVATE_KEY`. Unset: a key pair is generated on first start and kept in the database, shared by every server process. Browsers subscribed under one key must subscribe again if it changes.',
  },
  JECO_VAPID_PRIVATE_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'A P-256 private key in base64url (43 characters).')
      .optional(),
    default: undefined,
    describe: 'Web Push: the VAPID private key (base64url) that signs every push; keep it secret.',
  },
  JECO_VAPID_SUBJECT: {
    schema: z
      .string()
      .regex(/^(mailto:|https:\/\/)\S+$/, 'A `mailto:` address or an `https://` URL.')
      .optional(),
    default: undefined,
    describe: 'Web Push: how push services can reach the operator (`mailto:` or `https://`). Default: `mailto:` the address of `JECO_MAIL_FROM`.',
  },
  JECO_PUSH_INTERVAL_MS: {
    schema: z.coerce.number().int().min(0).max(3_600_000),
    default: '10000',
    describe: 'Web Push: the least time between two pushes to one person; what arrives meanwhile is gathered into one push per chat ("5 new messages").',
  },
  JECO_PUSH_ALLOW_PRIVATE_ENDPOINTS: {
    schema: bool,
    default: 'false',
    describe:
      'Web Push, for tests only: accept push endpoints on `http://` and on private, loopback and link-local addresses. Off, a subscription must name a public `https://` host, so nobody can make the server post to the inside network.',
  },
  JECO_TRUST_PROXY: { schema: bool, default: 'false', describe: 'Trust X-Forwarded-* headers (set when behind a reverse proxy).' },
  JECO_LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', describe: 'How much the server logs (pino levels).' },
} as const;

type Options = typeof OPTIONS;

/** `SESSION_IDLE_MS` → `SessionIdleMs`. */
type PascalCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Capitalize<Lowercase<Head>>}${PascalCase<Tail>}` : Capitalize<Lowercase<S>>;
/** `JECO_SESSION_IDLE_MS` → `sessionIdleMs`: the name an option has in {@link Config}. */
type ConfigKey<Name extends string> = Name extends `JECO_${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${PascalCase<Tail>}` : Name extends `JECO_${infer Only}` ? Lowercase<Only> : never;

type Parsed = { -readonly [Name in keyof Options as ConfigKey<Name>]: z.infer<Options[Name]['schema']> };

/**
 * The parsed configuration: one field per option of {@link OPTIONS}, named after it in
 * camelCase, typed by its schema; plus what is worked out from several of them.
 */
export type Config = Omit<Parsed, 'vapidSubject' | 'commitSpacingMs'> & {
  /** `JECO_COMMIT_SPACING_MS`; unset, 10 on SQLite and 5 on Postgres (the store `JECO_DATABASE_URL` names, as `openStore` picks it). */
  commitSpacingMs: number;
  /** Given VAPID keys, else generated and kept in the store. */
  vapid: { publicKey: string; privateKey: string } | undefined;
  /** `JECO_VAPID_SUBJECT`, or `mailto:` the address of `JECO_MAIL_FROM`. */
  vapidSubject: string;
};

/** The runtime twin of {@link ConfigKey}. */
function configKey(name: string): string {
  return name
    .slice('JECO_'.length)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Reads the configuration from `env`; throws one error listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, option] of Object.entries(OPTIONS) as [keyof Options, Options[keyof Options]][]) {
    const raw = env[name] === '' ? undefined : (env[name] ?? option.default);
    const parsed = option.schema.safeParse(raw);
    if (parsed.success) values[configKey(name)] = parsed.data;
    else problems.push(`${name}=${JSON.stringify(env[name])}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if ((env.JECO_VAPID_PUBLIC_KEY ? 1 : 0) + (env.JECO_VAPID_PRIVATE_KEY ? 1 : 0) === 1) problems.push('JECO_VAPID_PUBLIC_KEY and JECO_VAPID_PRIVATE_KEY: set both or neither.');
  if (values.syncIdleTimeoutMs !== undefined && (values.syncIdleTimeoutMs as number) < 2 * (values.syncPingAfterMs as number)) {
    problems.push('JECO_SYNC_IDLE_TIMEOUT_MS: at least twice JECO_SYNC_PING_AFTER_MS, or idle sockets are closed between two Pings.');
  }
  if (problems.length > 0) throw new Error(`Bad configuration:\n  ${problems.join('\n  ')}`);
  const config = values as Parsed;
  return {
    ...config,
    dataDir: path.resolve(config.dataDir),
    staticDir: path.resolve(config.staticDir),
    publicUrl: config.publicUrl?.replace(/\/$/, ''),
    // Node refuses a headers timeout longer than the request timeout.
    httpHeadersTimeoutMs: Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs),
    vapid: config.vapidPublicKey && config.vapidPrivateKey ? { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey } : undefined,
    vapidSubject: config.vapidSubject ?? `mailto:${mailAddressOf(config.mailFrom)}`,
    commitSpacingMs: config.commitSpacingMs ?? (config.databaseUrl ? 5 : 10),
  };
}

/** The bare address of a sender such as `Jeco <jeco@localhost>`. */
function mailAddressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

/** The address links in mail point at. */
export function publicUrlOf(config: Config, listeningPort: number): string {
  return config.publicUrl ?? `http://localhost:${listeningPort}`;
}
