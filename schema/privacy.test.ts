import { describe, expect, it } from 'vitest';
import { dmOpen, visibilityOf } from './privacy';

describe('privacy rules', () => {
  it('someone who blocked me hides their presence and about line from me', () => {
    expect(visibilityOf({ blockedByThem: true, blockedByMe: false })).toEqual({ presence: false, about: false });
  });

  it('blocking someone hides nothing of theirs from me', () => {
    expect(visibilityOf({ blockedByThem: false, blockedByMe: true })).toEqual({ presence: true, about: true });
    expect(visibilityOf({ blockedByThem: false, blockedByMe: false })).toEqual({ presence: true, about: true });
  });

  it('a DM is closed both ways when either person blocked the other', () => {
    expect(dmOpen({ blockedByThem: false, blockedByMe: false })).toBe(true);
    expect(dmOpen({ blockedByThem: true, blockedByMe: false })).toBe(false);
    expect(dmOpen({ blockedByThem: false, blockedByMe: true })).toBe(false);
  });
});
