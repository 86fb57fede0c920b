import type { INestApplication } from '@nestjs/common';
import {
  ChildAdded,
  createEnvelope,
  DocumentStatusChanged,
  EventDefinition,
  HouseholdRegistered,
  toKafkaRecord,
  Topics,
  validatePayload,
} from '@guichet/contracts';
import { createKafkaClient, RecordPublisher } from '@guichet/messaging';
import { loadConfig, startService } from '@guichet/platform';
import {
  expectEventually,
  Json,
  KafkaProbe,
  requestJson,
  testInfrastructure,
  TestTokenIssuer,
  uniqueMongoUri,
  uniqueName,
  ownConsumerGroup,
} from '@guichet/testing';
import { EnrolmentsConfig } from '../enrolments.config';
import { EnrolmentsModule } from '../enrolments.module';
import { enrolmentsService } from '../enrolments.service';
import { ManualClock } from '../procedure/clock';

/** The enrolments service on the real stack with a clock the test moves, and what tests need around it. */
export class EnrolmentsHarness {
  readonly issuer = new TestTokenIssuer();
  readonly clock = new ManualClock(new Date('2026-06-15T08:00:00Z'));
  readonly events = new KafkaProbe();
  app!: INestApplication;
  base!: string;
  admin!: string;
  private publisher!: RecordPublisher;

  async start(env: Record<string, string> = {}): Promise<this> {
    await this.issuer.start();
    const group = ownConsumerGroup('enrolments');
    const config = loadConfig(EnrolmentsConfig, {
      ...group.env,
      PORT: '3302',
      MONGODB_URI: uniqueMongoUri('enrolments'),
      KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
      AUTH_JWKS_URL: this.issuer.jwksUrl,
      LOG_LEVEL: 'error',
      PROCEDURE_SWEEP_MS: '200',
      PROCEDURE_STALE_MS: '1000',
      ...env,
    });
    this.app = await startService(
      { ...enrolmentsService, module: (c) => EnrolmentsModule.register(c, { clock: this.clock }) },
      config,
      0,
    );
    this.base = await this.app.getUrl();
    await group.joined();
    this.admin = await this.issuer.token({ sub: 'admin-1', role: 'admin' });
    this.publisher = new RecordPublisher(
      createKafkaClient({
        clientId: uniqueName('enrolments-test'),
        brokers: testInfrastructure.kafkaBrokers,
      }),
    );
    await this.events.watch(Topics.enrolments, Topics.allocations, Topics.bookings);
    return this;
  }

  async stop(): Promise<void> {
    await this.events.stop();
    await this.publisher.disconnect();
    await this.app.close();
    await this.issuer.stop();
  }

  call(method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) {
    return requestJson(`${this.base}${path}`, method, { token, body, headers });
  }

  async send<T extends object>(definition: EventDefinition<T>, subject: string, data: T): Promise<void> {
    const envelope = createEnvelope('guichet/test', { type: definition.type, subject, data });
    await this.publisher.publish([{ topic: definition.topic, ...toKafkaRecord(envelope) }]);
  }

  /** A household known to enrolments through accounts' events, with its children and accepted documents. */
  async family(options: { children?: string[]; resident?: boolean; documents?: string[] } = {}) {
    const householdId = uniqueName('hh');
    const children = (options.children ?? ['2019-03-10']).map((birthDate) => ({
      childId: uniqueName('child'),
      birthDate,
    }));
    await this.send(HouseholdRegistered, householdId, {
      householdId,
      resident: options.resident ?? true,
      childrenCount: children.length,
    });
    for (const child of children) {
      await this.send(ChildAdded, householdId, { householdId, ...child, pai: false, aeeh: false });
    }
    for (const documentType of options.documents ?? ['proof-of-address']) {
      await this.send(DocumentStatusChanged, householdId, {
        householdId,
        documentId: uniqueName('doc'),
        documentType,
        status: 'accepted',
        validUntil: '2030-12-31',
      });
    }
    const token = await this.issuer.token({ sub: uniqueName('parent'), role: 'family', hid: householdId });
    // The projection is eventually consistent: wait until enrolments knows the last child.
    const last = children[children.length - 1];
    await expectEventually(async () => {
      const offers = await this.call('GET', `/offers/for-child?childId=${last.childId}`, token);
      expect(offers.status).toBe(200);
      if (options.documents?.length !== 0) {
        const findings = offers.body.flatMap((o: Json) => o.documents.map((d: Json) => d.message));
        expect(findings.filter((m: string) => m.startsWith('Justificatif de domicile'))).toEqual([]);
      }
    });
    return { householdId, token, children: children.map((c) => c.childId) };
  }

  /** Creates the site and period once, then an offer with the given overrides. */
  async offer(overrides: Json = {}): Promise<Json> {
    await this.call('POST', '/sites', this.admin, {
      id: 'ecole-jaures',
      name: 'École Jean-Jaurès',
      kind: 'school',
    });
    await this.call('POST', '/periods', this.admin, {
      id: 'annee-2026-2027',
      label: 'Année scolaire 2026-2027',
      startsOn: '2026-09-01',
      endsOn: '2027-07-03',
      weekdays: [1, 2, 4, 5],
      closedDates: ['2026-11-11'],
    });
    const id = uniqueName('offer');
    const created = await this.call('POST', '/offers', this.admin, {
      id,
      service: 'cantine',
      siteId: 'ecole-jaures',
      periodId: 'annee-2026-2027',
      label: 'Cantine Jean-Jaurès',
      capacity: 2,
      eligibility: { requiredDocuments: ['proof-of-address'] },
      procedure: {
        mode: 'fcfs',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2027-06-30T18:00:00Z',
        placeOfferMinutes: 60,
      },
      booking: { bookingLeadDays: 4, cancellationHours: 48 },
      ...overrides,
    });
    expect([created.status, created.body?.errors ?? created.body?.detail]).toEqual([201, undefined]);
    return created.body;
  }

  enrol(family: { token: string }, childId: string, offerId: string, extra: Json = {}, key?: string) {
    return this.call(
      'POST',
      '/enrolments',
      family.token,
      { childId, offerId, ...extra },
      key ? { 'idempotency-key': key } : undefined,
    );
  }

  /** The events published about one enrolment, each checked against its contract. */
  published(enrolmentId: string): { type: string; data: Json }[] {
    return this.events.records
      .filter((r) => r.key === enrolmentId)
      .map((r) => ({ type: r.headers.ce_type, data: JSON.parse(r.value ?? '{}') }));
  }
}

/** Each event's data is valid by its contract (no unknown field: no personal data slipped in). */
export function expectValid(definition: EventDefinition, data: unknown): void {
  expect(validatePayload(definition, data)).toMatchObject({ ok: true });
}
