import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rateLimit';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const count = (n: number, take: () => boolean) => Array.from({ length: n }, take).filter(Boolean).length;

describe('token bucket', () => {
  it('lets a burst through at once, then only the sustained rate', () => {
    const time = clock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, time.now);
    expect(count(25, () => bucket.take())).toBe(20);
    time.advance(500);
    expect(count(10, () => bucket.take())).toBe(5);
  });

  it('refills to the burst and no further after a quiet spell', () => {
    const time = clock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, time.now);
    count(20, () => bucket.take());
    time.advance(60_000);
    expect(count(30, () => bucket.take())).toBe(20);
  });

  it('takes a cost in one piece or not at all', () => {
    const time = clock();
    const bucket = new TokenBucket({ perSecond: 100, burst: 1000 }, time.now);
    expect(bucket.take(600)).toBe(true);
    expect(bucket.take(600)).toBe(false);
    expect(bucket.take(400)).toBe(true);
    time.advance(1000);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(1)).toBe(false);
  });

  it('judges messages by when they arrived, however slowly they are counted', () => {
    const time = clock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, time.now);
    // 40 messages arrive at once; the server gets to one every 200 ms (a busy disk).
    const taken = Array.from({ length: 40 }, () => {
      time.advance(200);
      return bucket.take(1, 0);
    });
    expect(taken.filter(Boolean)).toHaveLength(20);
    // What arrives later refills as usual.
    expect(bucket.take(1, time.now())).toBe(true);
  });

  it('never refuses a client that stays under the rate', () => {
    const time = clock();
    const bucket = new TokenBucket({ perSecond: 200, burst: 400 }, time.now);
    let refused = 0;
    // 190 messages a second for a minute, in bunches of 19 every 100 ms.
    for (let tick = 0; tick < 600; tick++) {
      refused += 19 - count(19, () => bucket.take());
      time.advance(100);
    }
    expect(refused).toBe(0);
  });
});
