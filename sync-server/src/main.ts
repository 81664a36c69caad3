import { loadConfig } from './config';
import { safeError } from './logging';
import { startJeco, type JecoServer } from './server';

/**
 * How long a stop may take before the process exits anyway: the server's own steps are
 * bounded, but a container runtime kills after its grace period (10 s by default), and
 * exiting by ourselves first leaves a clear line in the log.
 */
const STOP_WITHIN_MS = 9000;

/**
 * `npm start` (and the container's entry): reads JECO_* variables and serves until
 * SIGINT/SIGTERM, then stops gracefully (`JecoServer.close`) and exits 0.
 *
 * Process policy: a rejected promise nobody awaited is a bug in one request's path,
 * not a broken process — it is logged with its context and the node keeps serving
 * (dying would drop every other client). An uncaught exception may have left any
 * state half-changed, so the node logs it, stops as cleanly as it can and exits 1;
 * the supervisor (compose's restart policy) starts it again.
 */
let server: JecoServer | undefined;
let stopping: Promise<never> | undefined;

function logLine(level: 'error' | 'fatal' | 'info', fields: Record<string, unknown>, message: string): void {
  if (server) server.log[level](fields, message);
  else console.error(JSON.stringify({ level, ...fields, msg: message }));
}

function stop(exitCode: number, why: string): Promise<never> {
  stopping ??= (async () => {
    logLine('info', { why }, 'stopping');
    const deadline = setTimeout(() => {
      logLine('error', { why }, `stop took over ${STOP_WITHIN_MS} ms; exiting anyway`);
      process.exit(exitCode || 1);
    }, STOP_WITHIN_MS);
    deadline.unref();
    try {
      await server?.close();
    } catch (error) {
      logLine('error', { err: safeError(error) }, 'stop failed');
      process.exit(1);
    }
    process.exit(exitCode);
  })();
  return stopping;
}

process.on('unhandledRejection', (reason) => {
  logLine('error', { err: safeError(reason) }, 'unhandled promise rejection (the node keeps running)');
});

process.on('uncaughtException', (error, origin) => {
  logLine('fatal', { err: safeError(error), origin }, 'uncaught exception: stopping');
  void stop(1, 'uncaught exception');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stop(0, signal));
}

server = await startJeco(loadConfig());
