import { Injectable, Optional } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '@guichet/platform';
import type { JobQueue } from './job-queue';

/** The job states whose counts are exposed: what waits, what waits for its time, what runs, what failed. */
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

/**
 * Queue metrics of a service that uses BullMQ (JobsModule provides it):
 * - `guichet_queue_jobs{queue,state}`: jobs per state of each watched queue, read from Redis at scrape;
 * - `guichet_deliveries_failed_total{channel,reason}`: failed delivery attempts, counted by the code
 *   that delivers (notifications: `deliveryFailed('email', 'smtp-refused')`).
 * Without a MetricsModule both are no-ops.
 */
@Injectable()
export class QueueMetrics {
  private readonly queues = new Map<string, Queue>();
  private readonly failedDeliveries?: Counter<'channel' | 'reason'>;

  constructor(@Optional() metrics?: MetricsRegistry) {
    if (!metrics) return;
    metrics.gauge(
      'guichet_queue_jobs',
      'BullMQ jobs per queue and state (waiting, delayed, active, failed), read from Redis at scrape time.',
      ['queue', 'state'],
      async (gauge) => {
        for (const [name, queue] of this.queues) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) gauge.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    );
    this.failedDeliveries = metrics.counter(
      'guichet_deliveries_failed_total',
      'Delivery attempts that failed, by channel (email, sms, inbox) and reason (a short fixed word).',
      ['channel', 'reason'],
    );
  }

  /** Exposes the depth of a queue the service created. */
  watch<Data extends object>(queue: JobQueue<Data>): void {
    this.queues.set(queue.queue.name, queue.queue);
  }

  /**
   * Counts one failed delivery attempt. `reason` must come from a small fixed set (`smtp-refused`,
   * `smtp-timeout`, `no-address`, `provider-error`…), never an error message: each value is a series.
   */
  deliveryFailed(channel: string, reason: string): void {
    this.failedDeliveries?.inc({ channel, reason });
  }
}
