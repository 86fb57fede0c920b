import { DynamicModule, Module } from '@nestjs/common';
import { METRICS_TOKEN, MetricsController, MetricsTokenGuard } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

export interface MetricsSettings {
  /** Labels every metric (`service="tariffs"`). */
  service: string;
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * GET /metrics in Prometheus text format: process metrics, HTTP latency by route (see
 * recordHttpMetrics), and what the libraries register (outbox backlog, consumer lag, events, queues).
 */
@Module({})
export class MetricsModule {
  static forRoot(settings: MetricsSettings): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: MetricsRegistry, useFactory: () => new MetricsRegistry(settings.service) },
        { provide: METRICS_TOKEN, useValue: settings.token || undefined },
        MetricsTokenGuard,
      ],
      exports: [MetricsRegistry],
    };
  }
}
