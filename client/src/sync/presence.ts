import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';

/**
 * An awareness whose own state others will see as soon as it connects. A new
 * Awareness starts its state at clock 0, and a peer that has never seen the client
 * counts it as clock 0 too, so applies only newer states: the first state would reach
 * nobody until the 15-second renewal. Setting it once more moves it to clock 1.
 * Without `present`, the state is null: others see nothing of this client on the
 * doc, and no renewal is sent for it every 15 s.
 */
export function createAwareness(doc: Y.Doc, present = true): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState(present ? {} : null);
  return awareness;
}
