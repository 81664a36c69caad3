import { parsePresence } from '#schema/api/presence';
import type { OpenDoc } from './client';

export interface Watched {
  /** The users the server last said are online on this doc's connection (none before it said anything). */
  online(): string[];
  /** How many presence messages the connection received. */
  messages(): number;
  /** The users whose awareness states carry `typing`, by the server-rewritten `user` of each. */
  typists(): string[];
  /** Sets this connection's awareness to "typing" (the app's whole state while typing). */
  type(value: number): void;
}

/** Follows what one doc connection is told about who is online (the server's presence) and who types (awareness). */
export function watchPresence(open: Pick<OpenDoc, 'doc' | 'provider'>): Watched {
  let online: string[] = [];
  let messages = 0;
  open.provider.on('stateless', ({ payload }: { payload: string }) => {
    const users = parsePresence(payload);
    if (!users) return;
    messages++;
    online = [...users].sort();
  });
  return {
    online: () => online,
    messages: () => messages,
    typists: () =>
      [...open.provider.awareness!.getStates()]
        .filter(([id, state]) => id !== open.doc.clientID && state.typing)
        .map(([, state]) => (state.user as { id: string } | undefined)?.id)
        .filter((id): id is string => typeof id === 'string'),
    type: (value) => open.provider.awareness!.setLocalState({ typing: value }),
  };
}
