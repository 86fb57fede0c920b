import { routeTemplate, UNMATCHED_ROUTE } from './http-metrics';
import { COLLECT_TIMEOUT_MS, MetricsRegistry } from './metrics.registry';

describe('MetricsRegistry', () => {
  it('labels every metric with the service and includes the process metrics', async () => {
    const registry = new MetricsRegistry('tariffs');
    registry.counter('guichet_things_total', 'Things.', ['kind']).inc({ kind: 'a' });
    const text = await registry.metrics();
    expect(text).toContain('guichet_things_total{kind="a",service="tariffs"} 1');
    expect(text).toMatch(/^process_resident_memory_bytes\{service="tariffs"\} \d+/m);
    expect(text).toContain('nodejs_eventloop_lag_seconds{service="tariffs"}');
  });

  it('gives the same counter to a second caller instead of failing on the duplicate name', () => {
    const registry = new MetricsRegistry('tariffs');
    expect(registry.counter('guichet_things_total', 'Things.')).toBe(
      registry.counter('guichet_things_total', 'Things.'),
    );
  });

  it('reads gauges at scrape time and drops series that are gone', async () => {
    const registry = new MetricsRegistry('tariffs');
    let values: Record<string, number> = { a: 3, b: 4 };
    registry.gauge('guichet_depth', 'Depth.', ['queue'], (gauge) => {
      for (const [queue, value] of Object.entries(values)) gauge.set({ queue }, value);
    });
    expect(await registry.metrics()).toContain('guichet_depth{queue="b",service="tariffs"} 4');
    values = { a: 5 };
    const text = await registry.metrics();
    expect(text).toContain('guichet_depth{queue="a",service="tariffs"} 5');
    expect(text).not.toContain('queue="b"');
  });

  it('leaves out a gauge whose collector fails or hangs, counts it, and still answers', async () => {
    jest.useFakeTimers();
    const registry = new MetricsRegistry('tariffs');
    registry.gauge('guichet_broken', 'Broken.', ['queue'], () =>
      Promise.reject(new Error('connection refused')),
    );
    registry.gauge('guichet_hanging', 'Hanging.', ['queue'], () => new Promise(() => undefined));
    const scrape = registry.metrics();
    await jest.advanceTimersByTimeAsync(COLLECT_TIMEOUT_MS + 100);
    const text = await scrape;
    jest.useRealTimers();
    expect(text).not.toMatch(/^guichet_broken\{/m);
    expect(text).not.toMatch(/^guichet_hanging\{/m);
    expect(text).toContain(
      'guichet_metrics_collect_failures_total{collector="guichet_broken",service="tariffs"} 1',
    );
    expect(text).toContain(
      'guichet_metrics_collect_failures_total{collector="guichet_hanging",service="tariffs"} 1',
    );
  });
});

describe('routeTemplate', () => {
  it('names the matched route pattern, never the URL', () => {
    expect(routeTemplate({ route: { path: '/enrolments/:id' }, baseUrl: '' })).toBe('/enrolments/:id');
  });

  it('names requests no route matched as unmatched', () => {
    expect(routeTemplate({ route: undefined, baseUrl: '' })).toBe(UNMATCHED_ROUTE);
  });
});
