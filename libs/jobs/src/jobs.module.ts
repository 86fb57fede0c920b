import { DynamicModule, Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { HealthRegistry } from '@guichet/platform';
import { createRedisConnection } from './job-queue';
import { QueueMetrics } from './queue-metrics';

export const REDIS_URL = Symbol('REDIS_URL');

/** Reports Redis in the service's readiness, through a connection of its own. */
@Injectable()
class RedisHealth implements OnModuleInit, OnModuleDestroy {
  private readonly connection: Redis;

  constructor(
    @Inject(REDIS_URL) url: string,
    private readonly health: HealthRegistry,
  ) {
    this.connection = createRedisConnection(url);
    this.connection.on('error', () => undefined); // reported by the readiness check, not as a crash
  }

  onModuleInit(): void {
    this.health.register('redis', () => this.connection.ping());
  }

  async onModuleDestroy(): Promise<void> {
    await this.connection.quit().catch(() => undefined);
  }
}

/** For services that queue work in BullMQ on Redis. */
@Module({})
export class JobsModule {
  static forRoot(redisUrl: string): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      providers: [{ provide: REDIS_URL, useValue: redisUrl }, RedisHealth, QueueMetrics],
      exports: [REDIS_URL, QueueMetrics],
    };
  }
}
