import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryPacer } from './retryPacer';

/** The delays (ms) before each of `tries` retries of one refused doc, jitter included. */
function delays(pacer: RetryPacer, tries: number, expected: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < tries; i++) {
    let ran = false;
    pacer.later(() => void (ran = true), expected);
    const start = Date.now();
    while (!ran) vi.advanceTimersByTime(10);
    out.push(Date.now() - start);
  }
  return out;
}

describe('the retry pacer', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('doubles the delay of a doc turned away up to 10 s, and starts over once it syncs', () => {
    const pacer = new RetryPacer(() => {});
    const first = delays(pacer, 8, false);
    expect(first[0]).toBeLessThanOrEqual(250);
    expect(first.at(-1)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...first)).toBeLessThanOrEqual(10_000);
    pacer.synced();
    expect(delays(pacer, 1, false)[0]).toBeLessThanOrEqual(250);
  });

  it('tries a new group not stored yet at least every 2 s, however long the server takes to store it', () => {
    const pacer = new RetryPacer(() => {});
    const tries = delays(pacer, 12, true);
    expect(tries[0]).toBeLessThanOrEqual(250);
    expect(Math.max(...tries)).toBeLessThanOrEqual(2_000);
    // Still jittered, not a fixed beat every member of the group would try on at once.
    expect(new Set(tries.slice(6)).size).toBeGreaterThan(1);
  });

  it('counts an expected refusal as waiting ("Reconnecting…") only after 3 s, and stops once it syncs', () => {
    const heard: boolean[] = [];
    const pacer = new RetryPacer((waiting) => heard.push(waiting));
    pacer.later(() => {}, true);
    vi.advanceTimersByTime(2_900);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(heard).toEqual([true]);
    pacer.synced();
    expect(heard).toEqual([true, false]);
  });
});
