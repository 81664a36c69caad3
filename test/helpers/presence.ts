import { encodeTypingSignal, parsePresence, parseTyping } from '#schema/api/presence';
import type { OpenDoc } from './client';

export interface Watched {
  /** The users the server last said are online on this doc's connection (none before it said anything). */
  online(): string[];
  /** How many presence messages the connection received. */
  messages(): number;
  /** The users the server last said type here (it stops saying so when they stop), sorted. */
  typists(): string[];
  /** The name the server gave each one typing here, by user. */
  typingNames(): ReadonlyMap<string, string>;
  /** How many typing messages the connection received. */
  typingMessages(): number;
  /** Says on this connection that its person types (or stopped), as the app does. */
  type(on: boolean): void;
}

/** Follows what one doc connection is told about who is online and who types (the server's stateless messages). */
export function watchPresence(open: Pick<OpenDoc, 'provider'>): Watched {
  let online: string[] = [];
  let messages = 0;
  let typingMessages = 0;
  const typing = new Map<string, string>();
  open.provider.on('stateless', ({ payload }: { payload: string }) => {
    const users = parsePresence(payload);
    if (users) {
      messages++;
      online = [...users].sort();
    }
    const typed = parseTyping(payload);
    if (!typed) return;
    typingMessages++;
    if (typed.on) typing.set(typed.user, typed.name);
    else typing.delete(typed.user);
  });
  return {
    online: () => online,
    messages: () => messages,
    typists: () => [...typing.keys()].sort(),
    typingNames: () => typing,
    typingMessages: () => typingMessages,
    type: (on) => open.provider.sendStateless(encodeTypingSignal(on)),
  };
}
