/** Unref'd timers that all stop at close: a push queue's retries and held pushes must not keep the process alive or fire after it. */
export class LaterTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `run` after `ms`, unless {@link clear} came first. */
  later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
