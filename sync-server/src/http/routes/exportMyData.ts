import { Readable } from 'node:stream';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance } from 'fastify';
import type { UserId } from '#schema/ids';
import { exportData } from '../../people/exportData';
import { sendError } from '../apiError';
import type { HttpDeps } from '../deps';
import { requireUser } from '../requireUser';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Per person: at most `perHour` exports started in any hour, one at a time. Kept in
 * this process's memory, like the sign-in limit (see "Known gaps").
 */
class ExportLimiter {
  private readonly started = new Map<UserId, number[]>();
  private readonly running = new Set<UserId>();

  constructor(private readonly perHour: number) {}

  /** Claims an export for `userId`, or false when over the limit or one is running. */
  claim(userId: UserId, now: number): boolean {
    const recent = (this.started.get(userId) ?? []).filter((at) => now - at < HOUR_MS);
    if (this.running.has(userId) || recent.length >= this.perHour) {
      this.started.set(userId, recent);
      return false;
    }
    recent.push(now);
    this.started.set(userId, recent);
    this.running.add(userId);
    return true;
  }

  done(userId: UserId): void {
    this.running.delete(userId);
    // Forget people with nothing recent, so the map does not grow with everyone who ever exported.
    const now = Date.now();
    for (const [id, times] of this.started) if (times.every((at) => now - at >= HOUR_MS)) this.started.delete(id);
  }
}

/**
 * `GET /api/me/export`: "Export my data", a JSON file streamed as it is read (see
 * `people/exportData.ts`), downloaded under `jeco-<username>-<date>.json`. Rate limited
 * per person (`JECO_EXPORTS_PER_HOUR`). A failure halfway ends the download early, so
 * the file does not parse rather than looking complete.
 */
export function exportMyDataRoute(app: FastifyInstance, deps: HttpDeps): void {
  const limiter = new ExportLimiter(deps.config.exportsPerHour);
  app.get('/api/me/export', { preHandler: requireUser(deps) }, async (request, reply) => {
    const { user } = request.auth!;
    const now = Date.now();
    if (!limiter.claim(user.id, now)) return sendError(reply, 'rate_limited', 'You asked for your data a moment ago. Please try again in an hour.');
    const chunks = exportData(deps.store, user, deps.publicUrl(), now);
    const stream = Readable.from(
      (async function* () {
        try {
          yield* chunks;
        } finally {
          limiter.done(user.id);
        }
      })(),
    );
    stream.on('error', (error) => request.log.error({ err: error }, 'data export failed'));
    const day = new Date(now).toISOString().slice(0, 10);
    return reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Content-Disposition', contentDisposition(`jeco-${user.username}-${day}.json`))
      .header('Cache-Control', 'no-store')
      .send(stream);
  });
}
