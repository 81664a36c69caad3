import { describe, expect, it } from 'vitest';
import { projectionWindow } from './messageProjection';

const DEFAULTS = { delayMs: 100, busyDelayMs: 500, busyMsPerMember: 1 };

describe('the chat-index projection window', () => {
  it('is the short one for a quiet room, whatever its size', () => {
    expect(projectionWindow(DEFAULTS, null)).toBe(100);
  });

  it('is the busy one for a busy room of up to that many members', () => {
    expect(projectionWindow(DEFAULTS, 2)).toBe(500);
    expect(projectionWindow(DEFAULTS, 500)).toBe(500);
  });

  it('grows with a busy room’s members, up to two seconds', () => {
    expect(projectionWindow(DEFAULTS, 1000)).toBe(1000);
    expect(projectionWindow(DEFAULTS, 1500)).toBe(1500);
    expect(projectionWindow(DEFAULTS, 10_000)).toBe(2000);
  });

  it('never goes below the windows set, and 0 a member turns the growth off', () => {
    expect(projectionWindow({ ...DEFAULTS, busyDelayMs: 5000 }, 10_000)).toBe(5000);
    expect(projectionWindow({ ...DEFAULTS, delayMs: 800, busyDelayMs: 0 }, 2)).toBe(800);
    expect(projectionWindow({ ...DEFAULTS, busyMsPerMember: 0 }, 10_000)).toBe(500);
  });
});
