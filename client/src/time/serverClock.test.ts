import { describe, expect, it } from 'vitest';
import { noteServerDate, serverNow } from './serverClock';

const header = (offsetMs: number) => new Date(Date.now() + offsetMs).toUTCString();

describe('server clock', () => {
  it("stamps with the server's time when the device runs fast, and leaves a slow or close clock alone", () => {
    noteServerDate(header(-10 * 60_000));
    expect(Math.abs(Date.now() - 10 * 60_000 - serverNow())).toBeLessThan(2_000);
    noteServerDate(header(5 * 60_000));
    expect(Math.abs(Date.now() - serverNow())).toBeLessThan(50);
    noteServerDate(header(-5_000));
    expect(Math.abs(Date.now() - serverNow())).toBeLessThan(50);
    noteServerDate('not a date');
    noteServerDate(null);
    expect(Math.abs(Date.now() - serverNow())).toBeLessThan(50);
  });
});
