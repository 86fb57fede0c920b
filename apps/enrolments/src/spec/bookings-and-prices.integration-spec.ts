import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { BookingChanged, EnrolmentPriced, EnrolmentRepriced } from '@guichet/contracts';
import { loadConfig, startService } from '@guichet/platform';
import {
  expectEventually,
  Json,
  testInfrastructure,
  uniqueMongoUri,
  uniqueName,
  ownConsumerGroup,
} from '@guichet/testing';
// The real tariffs service, in process, is the point of this test: prices come from it by events.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TariffsConfig } from '../../../tariffs/src/tariffs.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { tariffsService } from '../../../tariffs/src/tariffs.service';
import { EnrolmentsHarness, expectValid } from './enrolments-harness';

jest.setTimeout(90_000);

const demo = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'tariffs', 'demo', 'cantine.grid.json'), 'utf8'),
);

describe('prices from the real tariffs service, and bookings at their deadlines (Europe/Paris)', () => {
  const harness = new EnrolmentsHarness();
  const gridId = uniqueName('cantine');
  let tariffs: INestApplication;
  let tariffsUrl: string;
  let finance: string;
  let family: { token: string; householdId: string; children: string[] };
  let enrolmentId: string;

  beforeAll(async () => {
    await harness.start();
    const group = ownConsumerGroup('tariffs');
    tariffs = await startService(
      tariffsService,
      loadConfig(TariffsConfig, {
        PORT: '3303',
        MONGODB_URI: uniqueMongoUri('tariffs-for-enrolments'),
        KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
        AUTH_JWKS_URL: harness.issuer.jwksUrl,
        LOG_LEVEL: 'error',
        ...group.env,
      }),
      0,
    );
    await group.joined();
    tariffsUrl = await tariffs.getUrl();
    finance = await harness.issuer.token({ sub: 'finance-1', role: 'finance' });
    const created = await fetch(`${tariffsUrl}/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: JSON.stringify({ ...demo, id: gridId }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await tariffs.close();
    await harness.stop();
  });

  it('prices an accepted enrolment through tariffs, then reprices it from a new grid version’s date', async () => {
    const offer = await harness.offer({ tariffGridId: gridId, capacity: 10 });
    family = await harness.family();
    const enrolment = (await harness.enrol(family, family.children[0], offer.id)).body;
    expect(enrolment.status).toBe('accepted');
    enrolmentId = enrolment.id;
    // No QF known: the grid's policy is its highest tranche, 7,00 € (demo grid).
    await expectEventually(async () => {
      const stored = (await harness.call('GET', `/enrolments/${enrolmentId}`, family.token)).body;
      expect(stored.prices).toMatchObject([
        { appliesFrom: '2026-09-01', unitPriceCents: 700, gridVersion: 1 },
      ]);
    });

    const v2 = { ...demo.versions[0], effectiveFrom: '2027-01-01' };
    v2.pricing = {
      ...v2.pricing,
      prices: v2.pricing.prices.map((p: { priceCents: number }) => ({ ...p, priceCents: p.priceCents + 10 })),
    };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${finance}` };
    expect(
      (
        await fetch(`${tariffsUrl}/grids/${gridId}/versions/2`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(v2),
        })
      ).status,
    ).toBe(200);
    const published = await fetch(`${tariffsUrl}/grids/${gridId}/versions/2/publish`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'Délibération du conseil municipal (test)' }),
    });
    expect(published.status).toBe(200);

    await expectEventually(async () => {
      const stored = (await harness.call('GET', `/enrolments/${enrolmentId}`, family.token)).body;
      expect(stored.prices.map((p: Json) => [p.appliesFrom, p.unitPriceCents, p.gridVersion])).toEqual([
        ['2026-09-01', 700, 1],
        ['2027-01-01', 710, 2],
      ]);
    });
    await expectEventually(() => {
      const events = harness.published(enrolmentId);
      const priced = events.filter((e) => e.type === EnrolmentPriced.type);
      const repriced = events.filter((e) => e.type === EnrolmentRepriced.type);
      expect([priced.length, repriced.length]).toEqual([1, 1]);
      expectValid(EnrolmentPriced, priced[0].data);
      expectValid(EnrolmentRepriced, repriced[0].data);
      expect(repriced[0].data).toMatchObject({
        appliesFrom: '2027-01-01',
        unitPriceCents: 710,
        previousUnitPriceCents: 700,
      });
      expect(repriced[0].data.explanation.length).toBeGreaterThan(0);
    });
  });

  it('books a weekly pattern and holds the deadlines at their edges across the spring clock change', async () => {
    const changes = (body: Json) =>
      harness.call('POST', `/enrolments/${enrolmentId}/bookings/changes`, family.token, body);
    // Wednesday 24 March 2027, 12:00 in Paris: the first day still open to booking is Sunday 28.
    harness.clock.set('2027-03-24T11:00:00Z');
    const pattern = await harness.call('PUT', `/enrolments/${enrolmentId}/bookings/pattern`, family.token, {
      weekdays: [1, 2, 4, 5],
    });
    expect(pattern.body.days.slice(0, 4)).toEqual(['2027-03-29', '2027-03-30', '2027-04-01', '2027-04-02']);
    expect((await changes({ cancel: ['2027-04-01'] })).body.creditCents).toBe(710);

    // Monday 29 can be cancelled until Saturday 27, 00:00 winter time (UTC+1): one second before, yes.
    harness.clock.set('2027-03-26T22:59:59Z');
    const inTime = await changes({ cancel: ['2027-03-29'] });
    expect(inTime.body).toMatchObject({ creditCents: 1420 });
    expect(inTime.body.days).not.toContain('2027-03-29');

    // Thursday 1 April can be booked until Monday 29, 00:00 summer time (UTC+2): one second before, yes.
    harness.clock.set('2027-03-28T21:59:59Z');
    expect((await changes({ book: ['2027-04-01'] })).body.days).toContain('2027-04-01');
    // …and cancelled until Tuesday 30, 00:00 summer time: at that very second, no.
    harness.clock.set('2027-03-29T22:00:00Z');
    const late = await changes({ cancel: ['2027-04-01', '2027-04-02'] });
    expect(late.status).toBe(422);
    expect(late.type).toContain('application/problem+json');
    expect(late.body.errors).toEqual([
      {
        field: 'cancel.2027-04-01',
        message: 'annulation possible jusqu’au mardi 30 mars 2027 à 00:00 : ce jour reste dû',
      },
    ]);
    const after = (await harness.call('GET', `/enrolments/${enrolmentId}/bookings`, family.token)).body;
    expect(after.days).toContain('2027-04-01');
    expect(after.days).toContain('2027-04-02');
    expect(after.creditCents).toBe(1420);

    const agent = await harness.issuer.token({
      sub: 'agent-1',
      role: 'agent',
      scopes: ['site:ecole-jaures'],
    });
    const attendance = await harness.call('GET', '/sites/ecole-jaures/attendance?date=2027-04-01', agent);
    expect(attendance.body.children.map((c: Json) => c.enrolmentId)).toContain(enrolmentId);
    const outsider = await harness.issuer.token({
      sub: 'agent-2',
      role: 'agent',
      scopes: ['service:creche'],
    });
    expect(
      (await harness.call('GET', '/sites/ecole-jaures/attendance?date=2027-04-01', outsider)).status,
    ).toBe(403);
    const unknown = await harness.call(
      'GET',
      '/sites/ecole-inconnue/attendance?date=2027-04-01',
      harness.admin,
    );
    expect([unknown.status, unknown.body.detail]).toEqual([404, 'Site introuvable.']);

    await expectEventually(() => {
      const changed = harness.events.records.filter(
        (r) => r.key === enrolmentId && r.headers.ce_type === BookingChanged.type,
      );
      expect(changed).toHaveLength(4);
      for (const record of changed) expectValid(BookingChanged, JSON.parse(record.value ?? '{}'));
    });
  });
});
