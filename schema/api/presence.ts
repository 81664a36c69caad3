import { z } from 'zod';
import type { UserId } from '../ids';
import { parseStateless } from './stateless';

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
  const parsed = parseStateless(presenceSchema, payload);
  return parsed ? new Set(parsed.presence as UserId[]) : null;
}

/**
 * Typing travels as stateless messages on a room head's connection, not in awareness
 * (a device states nothing in awareness at all). A device says `{"typing": true}` while
 * its person types (again every few seconds while keys keep coming) and
 * `{"typing": false}` when they stop or send. The server relays it to the head's other
 * connections as `{"typing": {"user", "name", "on"}}`, naming the authenticated user
 * whatever the device claims, filtered by privacy settings and blocks as online is.
 */
const typingSignalSchema = z.object({ typing: z.boolean() }).strict();
const typingSchema = z.object({ typing: z.object({ user: z.string().min(1).max(200), name: z.string().max(200), on: z.boolean() }).strict() }).strict();

/** Someone typing (or not any more), as the server tells a head's connections. */
export interface Typing {
  user: UserId;
  name: string;
  on: boolean;
}

/** A device's signal that its person types (`on`) or stopped. */
export function encodeTypingSignal(on: boolean): string {
  return JSON.stringify({ typing: on });
}

/** Whether a device's stateless payload says its person types; null for anything else. */
export function parseTypingSignal(payload: string): boolean | null {
  return parseStateless(typingSignalSchema, payload)?.typing ?? null;
}

/** The server's payload telling a head's connections that `typing.user` types or stopped. */
export function encodeTyping(typing: Typing): string {
  return JSON.stringify({ typing: { user: typing.user, name: typing.name, on: typing.on } });
}

/** Who types or stopped, from the server's payload; null for anything else. */
export function parseTyping(payload: string): Typing | null {
  const parsed = parseStateless(typingSchema, payload);
  return parsed ? { ...parsed.typing, user: parsed.typing.user as UserId } : null;
}
