import { beforeEach } from 'vitest';
import { reportOpenPages } from './pageReport';

/**
 * Every end-to-end test that fails reports its open pages (`pageReport.ts`). This runs
 * after the test's `afterEach` hooks: a file that closes its browsers there uses
 * `closeAfterReport`, which reports first.
 */
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(() => reportOpenPages(task));
});
