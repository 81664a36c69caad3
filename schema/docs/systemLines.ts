import type { UserId } from '../ids';
import type { Message, SystemEvent } from './message';
import { disappearingLabel, type HeadChange } from './roomHead';

/**
 * The system lines one change to a group's head makes, in the order people read them:
 * created, renamed, added, roles, removed, left. `actor` is the member who sent the
 * change. People added in the change that creates the group are part of "created",
 * as the group's first members.
 */
export function systemEventsOf(change: HeadChange, actor: UserId, kind: 'dm' | 'group' = 'group'): SystemEvent[] {
  // A DM's head changes say nothing but the disappearing setting (its creation is not a line).
  if (kind === 'dm') return change.disappearing === undefined ? [] : [{ type: 'disappearing', after: change.disappearing }];
  const events: SystemEvent[] = [];
  if (change.created) events.push({ type: 'created', ...(change.name !== undefined ? { name: change.name } : {}) });
  else if (change.name !== undefined) events.push({ type: 'renamed', name: change.name });
  const roles: SystemEvent[] = [];
  const gone: SystemEvent[] = [];
  for (const { userId, before, after } of change.members) {
    if (!before && after) {
      if (!change.created) events.push({ type: 'added', target: userId });
    } else if (before && !after) {
      gone.push(userId === actor ? { type: 'left' } : { type: 'removed', target: userId });
    } else if (before && after) {
      if (after.role === 'owner') roles.push({ type: 'owner', target: userId });
      else if (after.role === 'admin' && before.role === 'member') roles.push({ type: 'promoted', target: userId });
      else if (after.role === 'member') roles.push({ type: 'demoted', target: userId });
    }
  }
  if (change.disappearing !== undefined) events.push({ type: 'disappearing', after: change.disappearing });
  // Someone leaving reads last: an owner hands the group over, then goes.
  gone.sort((a, b) => (a.type === 'left' ? 1 : 0) - (b.type === 'left' ? 1 : 0));
  return [...events, ...roles, ...gone];
}

/**
 * The text of a system line as `viewer` reads it: "You" for oneself as the actor, "you"
 * as the target. `nameOf` gives a person's display name. The same words on the server
 * (chat list previews) and in the client (the line in the chat).
 */
export function describeSystemLine(message: Pick<Message, 'authorId' | 'event'>, viewer: UserId, nameOf: (id: UserId) => string): string {
  const event = message.event;
  if (!event) return '';
  const actor = message.authorId === viewer ? 'You' : nameOf(message.authorId);
  const target = event.target === undefined ? 'someone' : event.target === viewer ? 'you' : nameOf(event.target);
  const name = `“${event.name ?? ''}”`;
  switch (event.type) {
    case 'created':
      return `${actor} created group ${name}`;
    case 'renamed':
      return `${actor} changed the group name to ${name}`;
    case 'added':
      return `${actor} added ${target}`;
    case 'removed':
      return `${actor} removed ${target}`;
    case 'left':
      return `${actor} left`;
    case 'promoted':
      return `${actor} made ${target} an admin`;
    case 'demoted':
      return `${actor} dismissed ${target} as admin`;
    case 'owner':
      return `${actor} made ${target} the group owner`;
    case 'joined':
      return `${actor} joined using this group's invite link`;
    case 'disappearing':
      return event.after ? `${actor} turned on disappearing messages: new messages disappear ${disappearingLabel(event.after)} after they're sent` : `${actor} turned off disappearing messages`;
  }
}
