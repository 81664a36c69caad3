import { LogController, type FastifyServerOptions } from 'fastify';
import type { Config } from './config';

/** What an error becomes in a log line: no field that may carry user content. */
export interface LoggedError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: LoggedError;
}

/** How deep a chain of `cause`s is followed; drivers wrap once or twice. */
const MAX_CAUSE_DEPTH = 3;

/**
 * A failed query's error carries its parameters — message text, session hashes — in
 * its `params` and at the end of its message (drizzle: "Failed query: …\nparams: …").
 * Log lines keep the query and the driver's code, never the values.
 */
function withoutParams(text: string): string {
  const at = text.indexOf('\nparams:');
  return at === -1 ? text : text.slice(0, at);
}

/** Turns anything thrown into a log-safe object (pino serializer for `err`). */
export function safeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) {
    // Some drivers reject with plain objects; keep their message and code, nothing else.
    const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; code?: unknown };
    const text = typeof error === 'string' ? error : typeof message === 'string' ? message : 'non-error thrown';
    return { type: typeof error, message: withoutParams(text), ...(typeof code === 'string' ? { code } : {}) };
  }
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    message: withoutParams(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(error.stack ? { stack: withoutParams(error.stack) } : {}),
    ...(cause !== undefined && depth < MAX_CAUSE_DEPTH ? { cause: safeError(cause, depth + 1) } : {}),
  };
}

/** {@link safeError} in the shape pino's serializers are typed with. */
function logSafe(error: unknown): { type: string; message: string; stack: string } {
  const safe = safeError(error);
  return { ...safe, stack: safe.stack ?? '' };
}

/**
 * The server's logger: pino at `JECO_LOG_LEVEL`, credentials redacted, errors through
 * {@link safeError}. One line per request only at debug and below: at info a busy
 * node would log every asset and API call, and the interesting lines (faults,
 * recoveries) would drown.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>): Pick<FastifyServerOptions, 'logger' | 'logController'> {
  return {
    logger: {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization'],
      serializers: { err: logSafe, error: logSafe },
    },
    logController: new LogController({ disableRequestLogging: !(config.logLevel === 'debug' || config.logLevel === 'trace') }),
  };
}
