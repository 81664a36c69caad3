import { describe, expect, it } from 'vitest';
import type { UserId } from '#schema/ids';
import { UploadLimits } from './uploadLimits';

const ann = 'ann' as UserId;
const bob = 'bob' as UserId;

describe('UploadLimits', () => {
  it('allows the set number of uploads per user per minute, then again once the minute has passed', () => {
    let now = 1_000_000;
    const limits = new UploadLimits(2, () => now);
    expect([limits.allow(ann), limits.allow(ann), limits.allow(ann)]).toEqual([true, true, false]);
    // Another person has their own allowance.
    expect(limits.allow(bob)).toBe(true);
    now += 59_999;
    expect(limits.allow(ann)).toBe(false);
    now += 1;
    expect([limits.allow(ann), limits.allow(ann), limits.allow(ann)]).toEqual([true, true, false]);
  });
});
