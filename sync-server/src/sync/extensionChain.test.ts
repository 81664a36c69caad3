import { type Extension, Hocuspocus, type HookName } from '@hocuspocus/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ChainLink, inOneChain } from './extensionChain';

/**
 * Extensions that note every hook they run, some answering at once and some after a
 * turn or a timer, with priorities that reorder them: the same set runs on a server
 * given them as they are and on one given them in one chain.
 */
function recording(calls: string[]): Extension[] {
  const note = (name: string) => (answer: unknown) => {
    calls.push(name);
    return answer;
  };
  return [
    {
      extensionName: 'late',
      priority: 10,
      beforeSync: async () => note('late.beforeSync')('late'),
      onChange: async () => note('late.onChange')(undefined),
    },
    {
      extensionName: 'plain',
      // An answer without a promise, as a hook that has nothing to wait for may give.
      beforeSync: (() => note('plain.beforeSync')('plain')) as unknown as Extension['beforeSync'],
      onAuthenticate: async () => note('plain.onAuthenticate')({ plain: true }),
      onCreateDocument: async () => note('plain.onCreateDocument')({ guid: 'plain' }),
    },
    {
      extensionName: 'first',
      priority: 200,
      beforeSync: () => new Promise((resolve) => setTimeout(() => resolve(note('first.beforeSync')('first')), 5)),
      onAuthenticate: async () => note('first.onAuthenticate')({ first: true }),
      onChange: async () => note('first.onChange')(undefined),
    },
    {
      extensionName: 'named',
      onCreateDocument: async () => note('named.onCreateDocument')({ guid: 'named' }),
      onChange: async () => note('named.onChange')(undefined),
    },
  ];
}

/** The same hook on both servers: what ran, in which order, and what it answered. */
async function both(name: HookName, extensions: (calls: string[]) => Extension[], links = (e: Extension[]) => e.map((extension): ChainLink => ({ extension }))) {
  const run = async (given: Extension[], calls: string[]) => {
    const instance = new Hocuspocus({ quiet: true, extensions: given });
    const merged: unknown[] = [];
    // As Hocuspocus asks: a callback for each extension's answer only of the hooks it merges.
    const callback = name === 'onAuthenticate' ? (addition: unknown) => merged.push(addition) : null;
    const answer = await instance.hooks(name, {} as never, callback).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { calls, answer, merged };
  };
  const asGiven: string[] = [];
  const chained: string[] = [];
  return {
    asGiven: await run(extensions(asGiven), asGiven),
    chained: await run(inOneChain(links(extensions(chained))), chained),
  };
}

describe('one chain of hooks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs each hook of every extension in the order Hocuspocus would, and answers with the last one', async () => {
    for (const name of ['beforeSync', 'onChange', 'onCreateDocument'] as const) {
      const { asGiven, chained } = await both(name, recording);
      expect(chained.calls.length).toBeGreaterThan(1);
      expect(chained).toEqual(asGiven);
    }
    const { chained } = await both('beforeSync', recording);
    expect(chained.calls).toEqual(['first.beforeSync', 'plain.beforeSync', 'late.beforeSync']);
    // Hocuspocus adds its own configuration's hooks after every extension: the chain alone answers with its last.
    const [chain] = inOneChain(recording([]).map((extension) => ({ extension })));
    await expect(chain!.beforeSync!({} as never)).resolves.toBe('late');
    await expect(chain!.onCreateDocument!({} as never)).resolves.toEqual({ guid: 'named' });
  });

  it("keeps every extension's answer of a hook whose answers Hocuspocus merges", async () => {
    const { asGiven, chained } = await both('onAuthenticate', recording);
    expect(chained.merged).toEqual([{ first: true }, { plain: true }]);
    expect(chained).toEqual(asGiven);
  });

  it('stops at the first hook that fails, thrown or rejected, and fails with it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const failing of [
      () => {
        throw new Error('refused');
      },
      async () => {
        throw new Error('refused');
      },
    ]) {
      const extensions = (calls: string[]) => [...recording(calls), { extensionName: 'failing', priority: 150, beforeSync: failing as Extension['beforeSync'] }];
      const { asGiven, chained } = await both('beforeSync', extensions);
      expect(chained.calls).toEqual(['first.beforeSync']);
      expect(chained.answer).toEqual({ error: new Error('refused') });
      expect(chained).toEqual(asGiven);
    }
  });

  it("fails with what a link's `failed` makes of its own hooks' failures only", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    const failed = (error: unknown, hook: HookName, extensionName: string) => {
      seen.push(`${extensionName}.${hook}: ${(error as Error).message}`);
      return new Error('unavailable');
    };
    const throwing = (message: string, priority: number): Extension => ({
      extensionName: message,
      priority,
      onStoreDocument: async () => {
        throw new Error(message);
      },
    });
    const mapped = new Hocuspocus({ quiet: true, extensions: inOneChain([{ extension: throwing('guarded', 2), failed }, { extension: throwing('other', 1) }]) });
    await expect(mapped.hooks('onStoreDocument', {} as never)).rejects.toThrow('unavailable');
    const unmapped = new Hocuspocus({ quiet: true, extensions: inOneChain([{ extension: throwing('guarded', 1), failed }, { extension: throwing('other', 2) }]) });
    await expect(unmapped.hooks('onStoreDocument', {} as never)).rejects.toThrow('other');
    expect(seen).toEqual(['guarded.onStoreDocument: guarded']);
  });
});
