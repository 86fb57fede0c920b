import { HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  it('is ready when every check answers', async () => {
    const registry = new HealthRegistry();
    registry.register('mongodb', async () => 'pong');
    registry.register('kafka', async () => undefined);
    await expect(registry.readiness()).resolves.toEqual({
      status: 'ok',
      checks: { mongodb: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('is unavailable, naming the dependency, when one check fails or hangs', async () => {
    jest.useFakeTimers();
    const registry = new HealthRegistry();
    registry.register('mongodb', async () => 'pong');
    registry.register('kafka', () => Promise.reject(new Error('connection refused')));
    registry.register('redis', () => new Promise(() => undefined));
    const report = registry.readiness();
    await jest.advanceTimersByTimeAsync(2_500);
    await expect(report).resolves.toEqual({
      status: 'unavailable',
      checks: {
        mongodb: { status: 'up' },
        kafka: { status: 'down', error: 'connection refused' },
        redis: { status: 'down', error: 'no answer within 2000 ms' },
      },
    });
    jest.useRealTimers();
  });
});
