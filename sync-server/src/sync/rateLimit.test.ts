import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rateLimit';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const count = (n: number, allow: () => boolean) => Array.from({ length: n }, allow).filter(Boolean).length;

describe('per-connection rate limiter', () => {
  it('lets a burst through at once, then only the sustained rate', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 20 }, time.now);
    const key = {};
    expect(count(25, () => limiter.allow(key))).toBe(20);
    time.advance(500);
    expect(count(10, () => limiter.allow(key))).toBe(5);
  });

  it('refills to the burst and no further after a quiet spell', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 20 }, time.now);
    const key = {};
    count(20, () => limiter.allow(key));
    time.advance(60_000);
    expect(count(30, () => limiter.allow(key))).toBe(20);
  });

  it('counts each connection on its own', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 3 }, time.now);
    const flooder = {};
    const honest = {};
    count(100, () => limiter.allow(flooder));
    expect(limiter.allow(flooder)).toBe(false);
    expect(count(3, () => limiter.allow(honest))).toBe(3);
  });

  it('never refuses a client that stays under the rate', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 200, burst: 400 }, time.now);
    const key = {};
    let refused = 0;
    // 190 messages a second for a minute, in bunches of 19 every 100 ms.
    for (let tick = 0; tick < 600; tick++) {
      refused += 19 - count(19, () => limiter.allow(key));
      time.advance(100);
    }
    expect(refused).toBe(0);
  });
});
