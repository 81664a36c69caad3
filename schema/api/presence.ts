import { z } from 'zod';
import type { UserId } from '../ids';

/**
 * Who is online in a room, as the server tells each connection of the room's head: a
 * stateless message on the head's connection, `{"presence": [user ids]}`, sent when the
 * set changes and to each new connection. The set is everyone with a connection to the
 * head on any server node whose privacy settings and blocks let their presence show in
 * that room; it may include the receiver, whom the client ignores. Only the server sends
 * it: a client's stateless messages reach no other client.
 */
const presenceSchema = z.object({ presence: z.array(z.string().min(1).max(200)).max(10_000) }).strict();

/** The stateless payload that says `users` are online. */
export function encodePresence(users: Iterable<UserId>): string {
  return JSON.stringify({ presence: [...users].sort() });
}

/** The users of a presence payload; null for anything else (another stateless message, or a malformed one). */
export function parsePresence(payload: string): Set<UserId> | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = presenceSchema.safeParse(value);
  return parsed.success ? new Set(parsed.data.presence as UserId[]) : null;
}
