import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiringCache';

describe('ExpiringCache', () => {
  it('keeps an answer for its ttl and no longer', () => {
    let now = 1_000;
    const cache = new ExpiringCache<boolean>({ ttlMs: 5_000, max: 10 }, () => now);
    cache.set('a>b', false);
    now += 4_999;
    expect(cache.get('a>b')).toBe(false);
    now += 1;
    expect(cache.get('a>b')).toBeUndefined();
  });

  it('forgets an answer when told, and a new answer replaces the old one', () => {
    const cache = new ExpiringCache<string>({ ttlMs: 5_000, max: 10 }, () => 0);
    cache.set('k', 'old');
    cache.set('k', 'new');
    expect(cache.get('k')).toBe('new');
    cache.forget('k');
    expect(cache.get('k')).toBeUndefined();
  });

  it('drops the entries written longest ago past its size, counting a rewrite as new', () => {
    const cache = new ExpiringCache<number>({ ttlMs: 5_000, max: 2 }, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
  });
});
