import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import * as Y from 'yjs';
import { encodeStructs, rawItem } from './rawUpdate';
import { UpdateView } from './updateView';
import { simulateIntegration } from './yjsIntegration';

/**
 * The replay must agree with Yjs itself: for random updates (origins, right origins
 * and parents pointing anywhere: into the doc, into the update, forward, nowhere)
 * against a random doc, it says "integrates" exactly when Yjs applies the update
 * without throwing and without leaving anything pending.
 */
describe('simulateIntegration agrees with Yjs', () => {
  it('on 3,000 random updates', () => {
    const random = seedrandom('yjs-integration');
    const int = (n: number) => Math.floor(random() * n);
    let agreed = 0;
    let pendingSeen = 0;
    for (let round = 0; round < 3_000; round++) {
      // A doc with a few clients' items in one map and one array.
      const base = new Y.Doc();
      for (const client of [1, 2, 3]) {
        base.clientID = client;
        for (let i = int(3); i > 0; i--) {
          if (random() < 0.5) base.getArray('a').push([client * 10 + i]);
          else base.getMap('m').set(`k${int(3)}`, i);
        }
      }
      const clients = [2, 3, 4, 5];
      const state = (client: number) => Y.getState(base.store, client);
      const ref = (): Y.ID | null => {
        if (random() < 0.3) return null;
        const client = clients[int(clients.length)]!;
        return Y.createID(client, int(state(client) + 3));
      };
      const structs: Y.Item[] = [];
      const next = new Map<number, number>();
      for (let s = 1 + int(4); s > 0; s--) {
        const client = clients[int(clients.length)]!;
        const clock = next.get(client) ?? Math.max(0, state(client) - int(2));
        const origin = ref();
        const rightOrigin = random() < 0.3 ? ref() : null;
        const item = rawItem(
          client,
          clock,
          origin || rightOrigin ? { origin, rightOrigin, values: [s] } : { parent: random() < 0.5 ? 'a' : 'm', parentSub: random() < 0.5 ? null : 'k1', values: [s] },
        );
        structs.push(item);
        next.set(client, clock + item.length);
      }
      const update = encodeStructs(structs);
      const decoded = Y.decodeUpdate(update);
      const predicted = simulateIntegration(new UpdateView(base, decoded.structs).clients, state).ok;
      let actual: boolean;
      try {
        Y.applyUpdate(base, update);
        actual = base.store.pendingStructs === null;
      } catch {
        actual = false;
      }
      if (!actual) pendingSeen++;
      expect(predicted, `round ${round}`).toBe(actual);
      agreed++;
    }
    expect(agreed).toBe(3_000);
    // Both outcomes were exercised.
    expect(pendingSeen).toBeGreaterThan(100);
    expect(pendingSeen).toBeLessThan(2_900);
  });
});
