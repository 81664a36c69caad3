import type { HocuspocusProvider } from '@hocuspocus/provider';
import { describe, expect, it } from 'vitest';
import { ServerPresence } from './presence';

/** Just the events `ServerPresence` listens to. */
function fakeProvider() {
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  return {
    provider: { on: (event: string, listener: (payload: unknown) => void) => listeners.set(event, [...(listeners.get(event) ?? []), listener]) } as unknown as HocuspocusProvider,
    emit: (event: string, payload?: unknown) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
}

describe('ServerPresence', () => {
  it("takes the server's presence payloads, leaving oneself out, ignores anything else, and empties when the connection drops", () => {
    const presence = new ServerPresence('u_me');
    const { provider, emit } = fakeProvider();
    presence.listen(provider);
    expect([...presence.present()]).toEqual([]);
    emit('stateless', { payload: JSON.stringify({ presence: ['u_me', 'u_bob', 'u_carol'] }) });
    expect([...presence.present()].sort()).toEqual(['u_bob', 'u_carol']);
    for (const payload of ['not json', '{"presence": 7}', '{"presence": [1]}', '{"presence": [], "extra": 1}', '{"type":"receipt"}', 'null']) {
      emit('stateless', { payload });
      expect([...presence.present()].sort()).toEqual(['u_bob', 'u_carol']);
    }
    emit('stateless', { payload: '{"presence":["u_bob"]}' });
    expect([...presence.present()]).toEqual(['u_bob']);
    emit('disconnect', {});
    expect([...presence.present()]).toEqual([]);
    emit('stateless', { payload: '{"presence":["u_carol"]}' });
    emit('close', {});
    expect([...presence.present()]).toEqual([]);
  });
});
