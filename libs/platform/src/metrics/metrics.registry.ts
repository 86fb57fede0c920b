import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Reads values at scrape time; a collector that throws or hangs is skipped, the scrape still answers. */
export type GaugeCollector = (gauge: Gauge<string>) => Promise<void> | void;

/** A collector gives up after this long, so a scrape stays quick while a dependency is down. */
export const COLLECT_TIMEOUT_MS = 2_000;

/**
 * The service's own Prometheus registry (not prom-client's global one: tests run several services in
 * one process). Every metric carries a `service` label. Libraries add their metrics through it:
 * counters they increment, gauges read at scrape time.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly collectFailures: Counter<'collector'>;
  private readonly collectors: (() => Promise<void>)[] = [];

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    // Resident memory, CPU, heap, event-loop lag, garbage collection, open handles.
    collectDefaultMetrics({ register: this.registry });
    this.collectFailures = this.counter(
      'guichet_metrics_collect_failures_total',
      'Scrape-time collectors that failed or timed out (their metric is missing from that scrape).',
      ['collector'],
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Histogram<L>;
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /**
   * A gauge whose values are read when Prometheus scrapes. The gauge is emptied before each
   * collection, so series that disappeared (a drained queue's partition) do not linger. A failing or
   * hanging collector leaves the gauge empty (give it labels: a gauge without labels would read 0)
   * and counts the failure in `guichet_metrics_collect_failures_total` of the same scrape.
   */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: GaugeCollector,
  ): Gauge<L> {
    const gauge = new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.collectors.push(async () => {
      gauge.reset();
      try {
        await withTimeout(Promise.resolve(collect(gauge as Gauge<string>)), COLLECT_TIMEOUT_MS);
      } catch {
        gauge.reset();
        this.collectFailures.inc({ collector: name });
      }
    });
    return gauge;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Runs the scrape-time collectors (all at once), then renders every metric. */
  async metrics(): Promise<string> {
    await Promise.all(this.collectors.map((collect) => collect()));
    return this.registry.metrics();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
