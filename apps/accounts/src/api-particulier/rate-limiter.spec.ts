import { SlidingWindowLimiter } from './rate-limiter';

/** A clock that only moves when the limiter sleeps: the test sees exactly when each call may start. */
function virtualClock() {
  let time = 0;
  return {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
  };
}

describe('the client-side limit of 20 requests per second', () => {
  it('lets 20 calls start at once and makes the 21st wait for the window to move', async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter(20, 1000, clock.now, clock.sleep);
    const startedAt: number[] = [];
    for (let i = 0; i < 45; i++) {
      await limiter.acquire();
      startedAt.push(clock.now());
    }
    expect(startedAt.slice(0, 20).every((t) => t === 0)).toBe(true);
    expect(startedAt.slice(20, 40).every((t) => t === 1000)).toBe(true);
    expect(startedAt.slice(40)).toEqual([2000, 2000, 2000, 2000, 2000]);
    // Never more than 20 in any one-second window.
    for (const t of startedAt)
      expect(startedAt.filter((s) => s > t - 1000 && s <= t).length).toBeLessThanOrEqual(20);
  });

  it('serves parallel callers in order, within the limit', async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter(2, 1000, clock.now, clock.sleep);
    const order: Array<[number, number]> = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.acquire().then(() => order.push([i, clock.now()]))));
    expect(order.map(([i]) => i)).toEqual([0, 1, 2, 3, 4]);
    expect(order.map(([, t]) => t)).toEqual([0, 0, 1000, 1000, 2000]);
  });
});
