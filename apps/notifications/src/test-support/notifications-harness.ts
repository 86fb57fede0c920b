import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { createEnvelope, EventDefinition, HouseholdContactChanged, toKafkaRecord } from '@guichet/contracts';
import { createKafkaClient, RecordPublisher } from '@guichet/messaging';
import { loadConfig, startService } from '@guichet/platform';
import {
  JsonAnswer,
  RecipientPolicy,
  SmtpTestServer,
  TestTokenIssuer,
  expectEventually,
  requestJson,
  testInfrastructure,
  uniqueMongoUri,
  uniqueName,
  ownConsumerGroup,
  waitForConsumerGroups,
} from '@guichet/testing';
import { NotificationsConfig } from '../notifications.config';
import { notificationsService } from '../notifications.service';

/** The notifications service on the real stack, with its own database and queue keys. */
export async function startNotifications(env: Record<string, string>): Promise<INestApplication> {
  const config = loadConfig(NotificationsConfig, {
    ...ownConsumerGroup('notifications').env,
    PORT: '3304',
    MONGODB_URI: uniqueMongoUri('notifications'),
    KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
    REDIS_URL: testInfrastructure.redisUrl,
    QUEUE_PREFIX: uniqueName('notif'),
    LOG_LEVEL: 'error',
    ...env,
  });
  const app = await startService(notificationsService, config, 0);
  await waitForConsumerGroups([config.KAFKA_CONSUMER_GROUP ?? 'notifications']);
  return app;
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

export interface DeliveryStatusView {
  id: string;
  notificationId: string;
  kind: string;
  channel: string;
  status: string;
  attempts: number;
  reason?: string;
}

/**
 * One notifications service for a spec file, with what its tests use: a real SMTP server (refusing as
 * `policy` says), a token issuer standing in for accounts, an event sender, an agent's token, and an
 * offer and a site of this run.
 */
export class NotificationsTestBed {
  readonly issuer = new TestTokenIssuer();
  readonly sender = new EventSender();
  readonly smtp: SmtpTestServer;
  readonly offerId = uniqueName('offer');
  readonly siteId = uniqueName('site');
  app!: INestApplication;
  base = '';
  agent = '';

  constructor(
    policy?: RecipientPolicy,
    private readonly env: Record<string, string> = {},
  ) {
    this.smtp = new SmtpTestServer(policy);
  }

  async start(): Promise<void> {
    await this.issuer.start();
    await this.smtp.start();
    this.app = await startNotifications({
      SMTP_URL: this.smtp.url,
      AUTH_JWKS_URL: this.issuer.jwksUrl,
      ...this.env,
    });
    this.base = await this.app.getUrl();
    this.agent = await this.issuer.token({ sub: 'agent-1', role: 'agent' });
  }

  async stop(): Promise<void> {
    await this.sender.disconnect();
    await this.app.close();
    await this.smtp.stop();
    await this.issuer.stop();
  }

  family = (householdId: string): Promise<string> =>
    this.issuer.token({ sub: `acc-${householdId}`, role: 'family', hid: householdId });

  get = (path: string, token?: string): Promise<JsonAnswer> =>
    requestJson(`${this.base}${path}`, 'GET', { token });

  request = (
    path: string,
    method: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<JsonAnswer> => requestJson(`${this.base}${path}`, method, options);

  /** The fields every enrolment event carries, in this run's offer and site unless told otherwise. */
  enrolment = (householdId: string, overrides: Partial<{ offerId: string; siteId: string }> = {}) => ({
    enrolmentId: uniqueName('enr'),
    householdId,
    childId: uniqueName('child'),
    offerId: this.offerId,
    siteId: this.siteId,
    service: 'cantine',
    ...overrides,
  });

  /** The delivery status of a household's messages, as an agent reads it. */
  deliveriesOf = async (householdId: string): Promise<DeliveryStatusView[]> =>
    (await this.get(`/households/${householdId}/deliveries`, this.agent)).body.deliveries;

  knownContact = (contact: Parameters<typeof knownContact>[2]): Promise<void> =>
    knownContact(this.app, this.sender, contact);
}
