import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BUCKET_SIZE } from '../../schema/docs/bucket';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

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
  JECO_REDIS_URL: { schema: z.string().optional(), default: undefined, describe: 'Unset: one server process. `redis://…`: relay updates and awareness between processes.' },
  JECO_PUBLIC_URL: { schema: z.string().url().optional(), default: undefined, describe: 'The address people open, used in mailed links; also makes session cookies `Secure` when it is https. Default http://localhost:<port>.' },
  JECO_SMTP_URL: { schema: z.string().optional(), default: undefined, describe: 'SMTP relay for mail (`smtp://user:pass@host:587`). Unset: mail is written to `<data dir>/outbox` and the log.' },
  JECO_MAIL_FROM: { schema: z.string().min(3), default: 'Jeco <jeco@localhost>', describe: 'Sender of password-reset mail.' },
  JECO_STATIC_DIR: { schema: z.string().min(1), default: './dist', describe: 'The built web app (`npm run build`).' },
  JECO_SESSION_IDLE_MS: { schema: z.coerce.number().int().positive(), default: String(30 * DAY_MS), describe: 'A session unused this long expires; each use slides it forward.' },
  JECO_SESSION_MAX_MS: { schema: z.coerce.number().int().positive(), default: String(90 * DAY_MS), describe: 'A session expires this long after sign-in however much it is used.' },
  JECO_RESET_TOKEN_TTL_MS: { schema: z.coerce.number().int().positive(), default: String(HOUR_MS), describe: 'How long a password-reset link works.' },
  JECO_AUTH_RATE_PER_MIN: { schema: z.coerce.number().int().positive(), default: '10', describe: 'Sign-in, sign-up and reset attempts allowed per client address per minute.' },
  JECO_BUCKET_SIZE: { schema: z.coerce.number().int().min(2), default: String(DEFAULT_BUCKET_SIZE), describe: 'Messages per history bucket before the room head moves to a new one.' },
  JECO_COMPACT_AFTER_UPDATES: { schema: z.coerce.number().int().min(1), default: '200', describe: 'Log rows a document may gather before they are merged into its snapshot.' },
  JECO_PROJECTION_DELAY_MS: { schema: z.coerce.number().int().min(0).max(10_000), default: '20', describe: 'How long new messages gather before the chat indexes of the room\'s members are updated: each inbox is written once per window, not once per message.' },
  JECO_SYNC_UPDATES_PER_SEC: { schema: z.coerce.number().positive(), default: '200', describe: 'Updates (document and awareness) one document connection may send per second, sustained; a connection over it is closed as `rate_limited` and its client re-attaches after a pause.' },
  JECO_SYNC_BURST: { schema: z.coerce.number().int().min(1), default: '400', describe: 'Updates one document connection may send at once before `JECO_SYNC_UPDATES_PER_SEC` applies (a reconnect catching up, a paste).' },
  JECO_TRUST_PROXY: { schema: bool, default: 'false', describe: 'Trust X-Forwarded-* headers (set when behind a reverse proxy).' },
  JECO_LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', describe: 'How much the server logs (pino levels).' },
} as const;

type Options = typeof OPTIONS;
type OptionValues = { [K in keyof Options]: z.infer<Options[K]['schema']> };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  publicUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  staticDir: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  resetTokenTtlMs: number;
  authRatePerMin: number;
  bucketSize: number;
  compactAfterUpdates: number;
  projectionDelayMs: number;
  syncUpdatesPerSec: number;
  syncBurst: number;
  trustProxy: boolean;
  logLevel: OptionValues['JECO_LOG_LEVEL'];
}

/** Reads the configuration from `env`; throws one error listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Partial<Record<keyof Options, unknown>> = {};
  const problems: string[] = [];
  for (const [name, option] of Object.entries(OPTIONS) as [keyof Options, Options[keyof Options]][]) {
    const raw = env[name] === '' ? undefined : (env[name] ?? option.default);
    const parsed = option.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${name}=${JSON.stringify(env[name])}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (problems.length > 0) throw new Error(`Bad configuration:\n  ${problems.join('\n  ')}`);
  const v = values as OptionValues;
  return {
    port: v.JECO_PORT,
    host: v.JECO_HOST,
    dataDir: path.resolve(v.JECO_DATA_DIR),
    databaseUrl: v.JECO_DATABASE_URL,
    redisUrl: v.JECO_REDIS_URL,
    publicUrl: v.JECO_PUBLIC_URL?.replace(/\/$/, ''),
    smtpUrl: v.JECO_SMTP_URL,
    mailFrom: v.JECO_MAIL_FROM,
    staticDir: path.resolve(v.JECO_STATIC_DIR),
    sessionIdleMs: v.JECO_SESSION_IDLE_MS,
    sessionMaxMs: v.JECO_SESSION_MAX_MS,
    resetTokenTtlMs: v.JECO_RESET_TOKEN_TTL_MS,
    authRatePerMin: v.JECO_AUTH_RATE_PER_MIN,
    bucketSize: v.JECO_BUCKET_SIZE,
    compactAfterUpdates: v.JECO_COMPACT_AFTER_UPDATES,
    projectionDelayMs: v.JECO_PROJECTION_DELAY_MS,
    syncUpdatesPerSec: v.JECO_SYNC_UPDATES_PER_SEC,
    syncBurst: v.JECO_SYNC_BURST,
    trustProxy: v.JECO_TRUST_PROXY,
    logLevel: v.JECO_LOG_LEVEL,
  };
}

/** The address links in mail point at. */
export function publicUrlOf(config: Config, listeningPort: number): string {
  return config.publicUrl ?? `http://localhost:${listeningPort}`;
}
