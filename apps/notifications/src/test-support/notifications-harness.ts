import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { createEnvelope, EventDefinition, HouseholdContactChanged, toKafkaRecord } from '@guichet/contracts';
import { createKafkaClient, RecordPublisher } from '@guichet/messaging';
import { loadConfig, startService } from '@guichet/platform';
import { expectEventually, testInfrastructure, uniqueMongoUri, uniqueName } from '@guichet/testing';
import { NotificationsConfig } from '../notifications.config';
import { notificationsService } from '../notifications.service';

/** The notifications service on the real stack, with its own database and queue keys. */
export async function startNotifications(env: Record<string, string>): Promise<INestApplication> {
  const config = loadConfig(NotificationsConfig, {
    PORT: '3304',
    MONGODB_URI: uniqueMongoUri('notifications'),
    KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
    REDIS_URL: testInfrastructure.redisUrl,
    QUEUE_PREFIX: uniqueName('notif'),
    LOG_LEVEL: 'error',
    ...env,
  });
  return startService(notificationsService, config, 0);
}

/** Publishes events as the other services would (a given id makes a redelivery). */
export class EventSender {
  private readonly publisher = new RecordPublisher(
    createKafkaClient({
      clientId: uniqueName('notifications-test'),
      brokers: testInfrastructure.kafkaBrokers,
    }),
  );

  async send<T extends object>(definition: EventDefinition<T>, subject: string, data: T, id?: string) {
    const envelope = createEnvelope('guichet/test', { type: definition.type, subject, data });
    if (id) envelope.id = id;
    await this.publisher.publish([{ topic: definition.topic, ...toKafkaRecord(envelope) }]);
    return envelope;
  }

  disconnect(): Promise<void> {
    return this.publisher.disconnect();
  }
}

/** The service's database, to wait for a projection or to check what erasure left. */
export function databaseOf(app: INestApplication): Connection {
  return app.get<Connection>(getConnectionToken());
}

/**
 * Gives a household its contact and waits until the service has it: contacts and enrolments travel
 * on different topics, so a test sends the contact first and waits, as accounts does long before.
 */
export async function knownContact(
  app: INestApplication,
  sender: EventSender,
  contact: {
    householdId: string;
    email?: string;
    phone?: string;
    emailNotices?: boolean;
    smsNotices?: boolean;
  },
): Promise<void> {
  await sender.send(HouseholdContactChanged, contact.householdId, {
    emailNotices: true,
    smsNotices: false,
    ...contact,
  });
  await expectEventually(async () =>
    expect(
      await databaseOf(app)
        .collection('contacts')
        .countDocuments({ _id: contact.householdId } as never),
    ).toBe(1),
  );
}
