import { describe, expect, it } from 'vitest';
import { GroupCommit } from './groupCommit';

const SPACING_MS = 100;
/** For "at once": far longer than a turn of a loaded machine's event loop, far shorter than this spacing. */
const LONG_SPACING_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A group commit over a fake log: each commit is recorded with when it started and what it wrote. */
function recorded(spacingMs: number) {
  const commits: { at: number; items: string[] }[] = [];
  let nextId = 1;
  const group = new GroupCommit<string>((items) => {
    commits.push({ at: performance.now(), items });
    return items.map(() => nextId++);
  }, spacingMs);
  return { group, commits };
}

describe('GroupCommit spacing', () => {
  it('appends arriving within the spacing after a commit share the next one, which starts no sooner', async () => {
    const { group, commits } = recorded(SPACING_MS);
    const first = group.add('a');
    await first;
    await sleep(10);
    const later = [group.add('b'), group.add('c')];
    await sleep(10);
    later.push(group.add('d'));
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
    expect(commits.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    // Timers may fire a fraction of a millisecond early against performance.now().
    expect(commits[1]!.at - commits[0]!.at).toBeGreaterThanOrEqual(SPACING_MS - 2);
  });

  it('a commit after a quiet spell starts at once', async () => {
    const { group, commits } = recorded(LONG_SPACING_MS);
    await group.add('a');
    await sleep(LONG_SPACING_MS + 20);
    const asked = performance.now();
    await group.add('b');
    expect(commits.map((c) => c.items)).toEqual([['a'], ['b']]);
    expect(commits[1]!.at - asked).toBeLessThan(LONG_SPACING_MS / 4);
  });

  it('without spacing, the next batch starts as soon as the previous commit is done', async () => {
    const { group, commits } = recorded(0);
    await group.add('a');
    const asked = performance.now();
    await group.add('b');
    expect(commits.map((c) => c.items)).toEqual([['a'], ['b']]);
    expect(commits[1]!.at - asked).toBeLessThan(LONG_SPACING_MS / 4);
  });

  it('a drain commits what waits for the spacing at once, and resolves once it is committed', async () => {
    const { group, commits } = recorded(LONG_SPACING_MS);
    await group.add('a');
    let committed = false;
    const waiting = group.add('b').then((id) => {
      committed = true;
      return id;
    });
    await sleep(10);
    expect(commits).toHaveLength(1);
    const asked = performance.now();
    await group.drain();
    expect(committed).toBe(true);
    expect(await waiting).toBe(2);
    expect(commits.map((c) => c.items)).toEqual([['a'], ['b']]);
    expect(commits[1]!.at - asked).toBeLessThan(LONG_SPACING_MS / 4);
  });
});
