import type { Redis } from 'ioredis';
import type { z } from 'zod';

/**
 * Listens on one of Jeco's own Redis channels between nodes (removals, presence,
 * projection notices; apart from the relay's, whose subscriber reads every message as a
 * Yjs frame). Each message is JSON parsed with `schema`, since Redis is shared, not
 * trusted blindly: one that does not parse is logged and dropped, never thrown past
 * the handler. `what` names the events in the log ("removal events").
 */
export function onNodeEvents<S extends z.ZodType>(sub: Redis, channel: string, schema: S, what: string, log: (error: unknown, what: string) => void, handle: (event: z.infer<S>) => void): void {
  sub.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    let event: z.infer<S>;
    try {
      event = schema.parse(JSON.parse(raw));
    } catch (error) {
      log(error, `reading one of the ${what}`);
      return;
    }
    handle(event);
  });
  sub.subscribe(channel).catch((error: unknown) => log(error, `subscribing to ${what}`));
}
