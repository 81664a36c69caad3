import { expect } from 'vitest';
import type * as Y from 'yjs';
import type { OpenDoc } from '../helpers/client';
import { waitFor } from '../helpers/waitFor';
import { stateOf } from './docContent';
import { expectSameAsServer, nextClose, type GroupWorld } from './groupWorld';

export interface Attack {
  /** The attacker's open doc: the write goes into its replica and its provider sends it. */
  via: OpenDoc;
  write: (doc: Y.Doc) => void;
  /** The close reason the server must answer with. */
  reason: string;
  /** Other people's replicas of the same doc, which must never see the write. */
  observers: Y.Doc[];
}

/**
 * Makes the write in the attacker's replica (the provider sends whatever the doc does)
 * and checks what everyone sees: the attacker's connection closes with `reason`, the
 * server's replica is byte for byte what it was, the others keep being served, and
 * their replicas end up exactly like the server's, without the write.
 */
export async function expectRefused(world: GroupWorld, attack: Attack): Promise<void> {
  const name = attack.via.provider.configuration.name;
  await world.server.projections.idle();
  const before = stateOf(world.serverDoc(name));
  const close = nextClose(attack.via);
  attack.via.doc.transact(() => attack.write(attack.via.doc));
  const reason = await waitFor(() => close.reason(), { what: `the server to close ${name}` });
  expect(reason).toBe(attack.reason);
  expect(stateOf(world.serverDoc(name)).equals(before)).toBe(true);
  await world.stillServed();
  for (const observer of attack.observers) await expectSameAsServer(world, name, observer);
}
