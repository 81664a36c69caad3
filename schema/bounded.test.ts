import { describe, expect, it } from 'vitest';
import { keepAtMost } from './bounded';

describe('keepAtMost', () => {
  it('drops the oldest entries of a Map first, and keeps the newest', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    keepAtMost(map, 2);
    expect([...map]).toEqual([
      ['c', 3],
      ['d', 4],
    ]);
  });

  it('counts a re-inserted entry as new', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    map.delete('a');
    map.set('a', 1);
    map.set('c', 3);
    keepAtMost(map, 2);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });

  it('bounds a Set the same way, and leaves a small one alone', () => {
    const set = new Set(['x', 'y', 'z']);
    keepAtMost(set, 5);
    expect([...set]).toEqual(['x', 'y', 'z']);
    keepAtMost(set, 1);
    expect([...set]).toEqual(['z']);
    keepAtMost(set, 0);
    expect(set.size).toBe(0);
  });
});
