import { describe, expect, it } from 'vitest';
import type { UserId } from '#schema/ids';
import { UserBudgets, type BudgetLimits } from './userBudgets';

const ANN = 'ann' as UserId;
const BOB = 'bob' as UserId;

const LIMITS: BudgetLimits = {
  docsOpen: 3,
  messages: { perSecond: 10, burst: 20 },
  bytes: { perSecond: 1000, burst: 5000 },
  awareness: { perSecond: 1, burst: 4 },
};

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('per-user budgets', () => {
  it('caps docs open per user, and a closed doc frees its slot', () => {
    const budgets = new UserBudgets(LIMITS, { now: clock().now });
    const slots = [budgets.openDoc(ANN), budgets.openDoc(ANN), budgets.openDoc(ANN)];
    expect(slots.every(Boolean)).toBe(true);
    expect(budgets.openDoc(ANN)).toBeNull();
    expect(budgets.openDoc(BOB)).not.toBeNull();
    budgets.closeDoc(slots[0]!);
    budgets.closeDoc(slots[0]!);
    expect(budgets.docsOpen(ANN)).toBe(2);
    expect(budgets.openDoc(ANN)).not.toBeNull();
    expect(budgets.openDoc(ANN)).toBeNull();
  });

  it('takes back a slot whose connection never came up, but never a live one', () => {
    const time = clock();
    const budgets = new UserBudgets(LIMITS, { now: time.now });
    const live = [budgets.openDoc(ANN)!, budgets.openDoc(ANN)!];
    for (const slot of live) slot.live = true;
    budgets.openDoc(ANN); // its document never loaded: no close will come
    expect(budgets.openDoc(ANN)).toBeNull();
    time.advance(31_000);
    expect(budgets.openDoc(ANN)).not.toBeNull();
    expect(budgets.docsOpen(ANN)).toBe(3);
    expect(budgets.openDoc(ANN)).toBeNull();
  });

  it('counts messages, bytes and awareness per user, whichever runs out first', () => {
    const time = clock();
    const budgets = new UserBudgets(LIMITS, { now: time.now });
    const results = Array.from({ length: 25 }, () => budgets.takeMessage(ANN, 10, false));
    expect(results.filter((r) => r === null)).toHaveLength(20);
    expect(results.at(-1)).toBe('messages');
    expect(budgets.takeMessage(BOB, 10, false)).toBeNull();

    time.advance(10_000);
    expect(budgets.takeMessage(ANN, 4000, false)).toBeNull();
    expect(budgets.takeMessage(ANN, 4000, false)).toBe('bytes');

    time.advance(10_000);
    const awareness = Array.from({ length: 6 }, () => budgets.takeMessage(ANN, 10, true));
    expect(awareness.filter((r) => r === null)).toHaveLength(4);
    expect(awareness.at(-1)).toBe('awareness');
  });

  it('forgets a user with nothing open once their buckets have refilled, and not before', () => {
    const time = clock();
    const budgets = new UserBudgets(LIMITS, { now: time.now });
    const slot = budgets.openDoc(ANN)!;
    for (let i = 0; i < 20; i++) budgets.takeMessage(ANN, 1, false);
    budgets.closeDoc(slot);
    expect(budgets.sweep()).toBe(1);
    // Coming back at once finds the same, empty, bucket.
    expect(budgets.takeMessage(ANN, 1, false)).toBe('messages');
    time.advance(4_999); // the bytes bucket takes longest to refill: 5000 at 1000/s
    expect(budgets.sweep()).toBe(1);
    time.advance(1);
    expect(budgets.sweep()).toBe(0);
  });

  it('reports every refusal by budget', () => {
    const refused: string[] = [];
    const budgets = new UserBudgets({ ...LIMITS, messages: { perSecond: 1, burst: 2 } }, { now: clock().now, refused: (budget) => refused.push(budget) });
    for (let i = 0; i < 4; i++) budgets.openDoc(ANN);
    for (let i = 0; i < 3; i++) budgets.takeMessage(BOB, 1, false);
    expect(refused).toEqual(['docs', 'messages']);
  });
});
