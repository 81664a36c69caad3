import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';

/**
 * An awareness whose own state others will see as soon as it connects. A new
 * Awareness starts its state at clock 0, and a peer that has never seen the client
 * counts it as clock 0 too, so applies only newer states: the first state would reach
 * nobody until the 15-second renewal. Setting it once more moves it to clock 1.
 */
export function createAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState({});
  return awareness;
}
