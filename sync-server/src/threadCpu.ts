import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of CPU times in `/proc`: 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time (user and system) one thread of this process has used, in seconds, from
 * `/proc/self/task/<tid>/stat`: the main thread's id is the process id, a worker's is
 * what its `RequestThread.kernelThreadId` answers. Null where there is no such file (not
 * Linux, or the thread has ended).
 */
export function threadCpuSeconds(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After the command name (which may hold spaces and parentheses): utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
