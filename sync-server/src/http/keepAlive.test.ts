import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isPong, KeepAlive } from './keepAlive';

describe('KeepAlive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings only sockets nobody sent anything to for the interval, once per interval, and stops with the last socket', () => {
    const keepAlive = new KeepAlive(1_000);
    const pings = { idle: 0, busy: 0 };
    const frames: number[][] = [];
    const idle = keepAlive.watch({
      ping: (frame) => {
        pings.idle++;
        frames.push([...frame]);
      },
    });
    const busy = keepAlive.watch({ ping: () => pings.busy++ });
    for (let t = 0; t < 10; t++) {
      vi.advanceTimersByTime(500);
      busy.sent();
    }
    // 5 s of silence towards one socket: a Ping every 1 to 1.25 s; the other was sent something every 0.5 s.
    expect(pings.idle).toBeGreaterThanOrEqual(4);
    expect(pings.idle).toBeLessThanOrEqual(5);
    expect(pings.busy).toBe(0);
    expect(new Set(frames.map((f) => f.join()))).toEqual(new Set(['9']));
    idle.forget();
    busy.forget();
    expect(keepAlive.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Forgotten sockets are never pinged, even if something is still sent to them.
    busy.sent();
    vi.advanceTimersByTime(5_000);
    expect(pings.busy).toBe(0);
  });

  it('takes only the one-byte Pong for a Pong', () => {
    expect(isPong(new Uint8Array([10]))).toBe(true);
    expect(isPong(new Uint8Array([9]))).toBe(false);
    expect(isPong(new Uint8Array([10, 0]))).toBe(false);
    expect(isPong(new Uint8Array([]))).toBe(false);
  });
});
