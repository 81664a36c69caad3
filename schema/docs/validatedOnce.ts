import type { z } from 'zod';

/** A reader that validates each value object once ({@link validatedOnce}). */
export interface ValidatedReader<T> {
  (value: unknown): T | null;
  /**
   * Records `value` as valid without parsing it, frozen like a parsed one: for a value
   * whose content has already passed the same schema (a message a client sent, checked
   * by the guard on its own decoding of the same update). Null if it is not an object.
   */
  vouch(value: unknown): T | null;
}

/**
 * A reader of doc values that validates each value object once: the first read parses
 * it with `schema`, later reads of the same object return it as it is. For schemas with
 * no defaults or transforms, where a valid value is its own parse. The value is
 * deep-frozen once found valid: it is the doc's own object, so a caller that changed it
 * would change the doc's content in memory, and now throws instead. For the server's
 * reads; the app's stores wrap what they hold, and read copies.
 */
export function validatedOnce<T extends object>(schema: z.ZodType): ValidatedReader<T> {
  const valid = new WeakSet<object>();
  const known = (value: unknown): value is object => typeof value === 'object' && value !== null;
  const record = (value: object): T => {
    valid.add(deepFreeze(value));
    return value as T;
  };
  const read = (value: unknown): T | null => {
    if (!known(value)) return null;
    if (valid.has(value)) return value as T;
    return schema.safeParse(value).success ? record(value) : null;
  };
  return Object.assign(read, { vouch: (value: unknown) => (!known(value) ? null : valid.has(value) ? (value as T) : record(value)) });
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner);
  return Object.freeze(value);
}
