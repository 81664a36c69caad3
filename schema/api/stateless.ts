import type { z } from 'zod';

/** A stateless message's JSON payload read with `schema`; null for anything else (another kind of message, or a malformed one). */
export function parseStateless<T>(schema: z.ZodType<T>, payload: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
