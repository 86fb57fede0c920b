import {
  DynamicModule,
  INestApplication,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Admin, Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { EventDefinition, NewEvent, Topics } from '@guichet/contracts';
import { HealthRegistry, MetricsRegistry } from '@guichet/platform';
import { KafkaEventsServer } from './consumer/kafka-events.server';
import { ProcessedEvents } from './consumer/processed-events';
import { createKafkaClient } from './kafka/kafka-client';
import { RecordPublisher } from './kafka/record-publisher';
import { provisionTopics, TopicLayout } from './kafka/topic-provisioner';
import { OutboxEntry, outboxEntry } from './outbox/outbox-entry';
import { eventsServerMetrics, registerConsumerLag, registerOutboxBacklog } from './metrics/messaging-metrics';
import { OutboxDocument, OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay';

export interface MessagingSettings {
  /** The service's name: Kafka client id, consumer group, CloudEvents `source` (`guichet/<service>`). */
  service: string;
  brokers: string[];
  layout: TopicLayout;
  /** Collections whose documents keep pending events (see withEvents). */
  outboxCollections?: string[];
  relay?: OutboxRelayOptions;
  retryDelaysMs?: number[];
  /** See KafkaEventsServerOptions.fromBeginning (default true). */
  fromBeginning?: boolean;
  /** The consumer group, when not the service's name (see ServiceConfig.KAFKA_CONSUMER_GROUP). */
  group?: string;
}

export const MESSAGING_SETTINGS = Symbol('MESSAGING_SETTINGS');
export const KAFKA = Symbol('KAFKA');

/** What domain code uses to attach events to its writes. */
@Injectable()
export class EventOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly relay: OutboxRelay;
  private readonly source: string;

  constructor(
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @InjectConnection() private readonly connection: Connection,
    private readonly publisher: RecordPublisher,
    health: HealthRegistry,
    @Optional() metrics?: MetricsRegistry,
  ) {
    this.source = `guichet/${settings.service}`;
    const collections = (settings.outboxCollections ?? []).map((name) =>
      connection.collection<OutboxDocument>(name),
    );
    this.relay = new OutboxRelay(collections, publisher, settings.relay);
    health.register('kafka', () => this.describeCluster());
    if (metrics) registerOutboxBacklog(metrics, collections);
  }

  /** A pending event, validated, ready to be written with the aggregate (withEvents / newDocumentWithEvents). */
  entry<T extends object>(definition: EventDefinition<T>, event: Omit<NewEvent<T>, 'type'>): OutboxEntry {
    return outboxEntry(this.source, definition, event);
  }

  /**
   * Call after a write that added events, naming the document: the relay publishes them at once, by
   * id. Without a document, the relay searches every outbox collection, which scans on FerretDB.
   */
  published(collection?: string, id?: string): void {
    this.relay.nudge(collection, id);
  }

  async onApplicationBootstrap(): Promise<void> {
    await provisionTopics(this.kafka, Object.values(Topics), this.settings.layout);
    for (const name of this.settings.outboxCollections ?? []) {
      await OutboxRelay.ensureIndexes(this.connection.collection<OutboxDocument>(name));
    }
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
    await this.publisher.disconnect();
    await this.admin?.disconnect();
  }

  /** One admin client for the readiness check, that gives up at once when Kafka does not answer. */
  private admin?: Admin;

  private async describeCluster(): Promise<void> {
    this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
    try {
      await this.admin.connect();
      await this.admin.describeCluster();
    } catch (error) {
      const failed = this.admin;
      this.admin = undefined;
      await failed.disconnect().catch(() => undefined);
      throw error;
    }
  }
}

/** Builds the service's Kafka events server (its consumer group) for `app.connectMicroservice`. */
@Injectable()
export class EventsServerFactory implements OnModuleDestroy {
  private server?: KafkaEventsServer;
  private readonly lag?: { close(): Promise<void> };

  constructor(
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @InjectConnection() private readonly connection: Connection,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {
    if (metrics) {
      this.lag = registerConsumerLag(metrics, kafka, settings.group ?? settings.service, () =>
        this.server ? this.server.subscribedTopics() : [],
      );
    }
  }

  create(): KafkaEventsServer {
    this.server = new KafkaEventsServer({
      kafka: this.kafka,
      group: this.settings.group ?? this.settings.service,
      layout: this.settings.layout,
      processed: new ProcessedEvents(this.connection.collection('processed_events')),
      retryDelaysMs: this.settings.retryDelaysMs,
      fromBeginning: this.settings.fromBeginning,
      metrics: this.metrics ? eventsServerMetrics(this.metrics) : undefined,
    });
    return this.server;
  }

  async onModuleDestroy(): Promise<void> {
    await this.lag?.close();
  }
}

/**
 * Attaches the service's Kafka events server to the app; call before `app.startAllMicroservices()`.
 * It shares the app's global filters and pipes (the problem filter hands handler errors back to it).
 */
export function connectEventsServer(app: INestApplication): void {
  app.connectMicroservice({ strategy: app.get(EventsServerFactory).create() }, { inheritAppConfig: true });
}

@Module({})
export class MessagingModule {
  static forRoot(settings: MessagingSettings): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: settings },
        {
          provide: KAFKA,
          useFactory: () => createKafkaClient({ clientId: settings.service, brokers: settings.brokers }),
        },
        {
          provide: RecordPublisher,
          useFactory: (kafka: Kafka) => new RecordPublisher(kafka),
          inject: [KAFKA],
        },
        EventOutbox,
        EventsServerFactory,
      ],
      exports: [EventOutbox, EventsServerFactory, KAFKA],
    };
  }
}
