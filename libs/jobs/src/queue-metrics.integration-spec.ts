import { MetricsRegistry } from '@guichet/platform';
import { metricSample, testInfrastructure, uniqueName } from '@guichet/testing';
import { JobQueue } from './job-queue';
import { QueueMetrics } from './queue-metrics';

async function sample(registry: MetricsRegistry, metric: string, labels: string) {
  return metricSample(await registry.metrics(), `${metric}{`, labels);
}

describe('queue metrics (real Redis)', () => {
  const name = uniqueName('metrics-queue');
  let queue: JobQueue<{ n: number }>;

  beforeAll(() => {
    queue = new JobQueue<{ n: number }>({ name, redisUrl: testInfrastructure.redisUrl });
  });

  afterAll(async () => {
    await queue.queue.obliterate({ force: true });
    await queue.close();
  });

  it('exposes the jobs of a watched queue per state, read at scrape time', async () => {
    const registry = new MetricsRegistry('notifications');
    const metrics = new QueueMetrics(registry);
    metrics.watch(queue);
    await queue.add('job-1', { n: 1 });
    await queue.add('job-2', { n: 2 });
    await queue.add('job-3', { n: 3 }, { delay: 60_000 });

    expect(await sample(registry, 'guichet_queue_jobs', `queue="${name}",state="waiting"`)).toBe(2);
    expect(await sample(registry, 'guichet_queue_jobs', `queue="${name}",state="delayed"`)).toBe(1);
    expect(await sample(registry, 'guichet_queue_jobs', `queue="${name}",state="failed"`)).toBe(0);

    await queue.queue.remove('job-1');
    expect(await sample(registry, 'guichet_queue_jobs', `queue="${name}",state="waiting"`)).toBe(1);
  });

  it('counts failed deliveries by channel and reason', async () => {
    const registry = new MetricsRegistry('notifications');
    const metrics = new QueueMetrics(registry);
    metrics.deliveryFailed('email', 'smtp-refused');
    metrics.deliveryFailed('email', 'smtp-refused');
    metrics.deliveryFailed('sms', 'provider-error');
    expect(
      await sample(registry, 'guichet_deliveries_failed_total', 'channel="email",reason="smtp-refused"'),
    ).toBe(2);
    expect(
      await sample(registry, 'guichet_deliveries_failed_total', 'channel="sms",reason="provider-error"'),
    ).toBe(1);
  });

  it('does nothing without a metrics registry', () => {
    const metrics = new QueueMetrics();
    expect(() => metrics.watch(queue)).not.toThrow();
    expect(() => metrics.deliveryFailed('email', 'smtp-refused')).not.toThrow();
  });
});
