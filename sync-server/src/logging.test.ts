import { describe, expect, it } from 'vitest';
import { safeError } from './logging';

describe('safeError', () => {
  it('keeps a failed query and its driver code but never its parameters', () => {
    const cause = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const failed = Object.assign(new Error('Failed query: insert into "doc_updates" ("doc_name", "update") values ($1, $2)\nparams: room/x/0,hello there secret words'), {
      params: ['room/x/0', 'hello there secret words'],
      cause,
    });
    const logged = JSON.stringify(safeError(failed));
    expect(logged).toContain('Failed query: insert into');
    expect(logged).toContain('57P01');
    expect(logged).not.toContain('secret words');
  });

  it('logs a plain object rejection by its message and code only', () => {
    expect(safeError({ message: 'boom', code: 'ECONNRESET', rows: ['user content'] })).toEqual({ type: 'object', message: 'boom', code: 'ECONNRESET' });
  });
});
