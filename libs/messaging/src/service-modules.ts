import type { DynamicModule, Type } from '@nestjs/common';
import {
  createLoggingModule,
  DatabaseModule,
  HealthModule,
  MetricsModule,
  ServiceConfig,
} from '@guichet/platform';
import { MessagingModule, MessagingSettings } from './messaging.module';

/**
 * What every Guichet service is made of before its own features: JSON logs, health, Prometheus
 * metrics, its own database, and Kafka (outbox relay, topic provisioning, events server).
 */
export function serviceModules(
  service: string,
  config: ServiceConfig,
  messaging: Pick<MessagingSettings, 'outboxCollections' | 'relay' | 'retryDelaysMs'> = {},
): (DynamicModule | Type<unknown>)[] {
  return [
    createLoggingModule(service, config.LOG_LEVEL),
    HealthModule,
    MetricsModule.forRoot({ service, token: config.METRICS_TOKEN }),
    DatabaseModule.forRoot(config.MONGODB_URI),
    MessagingModule.forRoot({
      service,
      brokers: config.KAFKA_BROKERS,
      layout: {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      },
      group: config.KAFKA_CONSUMER_GROUP,
      fromBeginning: config.KAFKA_NEW_GROUP_START === 'earliest',
      ...messaging,
    }),
  ];
}
