/**
 * At most `limit` calls started in any window of `windowMs` (a sliding window): API Particulier allows
 * 20 requests per second per token and answers 429 beyond, so the client waits its turn instead.
 * One limiter per token; it counts this process's calls only (several instances share the budget:
 * give each its share, see README).
 */
export class SlidingWindowLimiter {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves when a call may start, and counts it. Callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForRoom(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.sleep(this.starts[0] + this.windowMs - now);
    }
  }
}
