import type { z } from 'zod';

/**
 * A reader of doc values that validates each value object once: the first read parses
 * it with `schema`, later reads of the same object return it as it is. For schemas with
 * no defaults or transforms, where a valid value is its own parse. The value is
 * deep-frozen once found valid: it is the doc's own object, so a caller that changed it
 * would change the doc's content in memory, and now throws instead. For the server's
 * reads; the app's stores wrap what they hold, and read copies.
 */
export function validatedOnce<T extends object>(schema: z.ZodType): (value: unknown) => T | null {
  const valid = new WeakSet<object>();
  return (value) => {
    if (typeof value !== 'object' || value === null) return null;
    if (valid.has(value)) return value as T;
    if (!schema.safeParse(value).success) return null;
    valid.add(deepFreeze(value));
    return value as T;
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner);
  return Object.freeze(value);
}
