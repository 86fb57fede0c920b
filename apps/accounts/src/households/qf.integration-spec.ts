import type { INestApplication } from '@nestjs/common';
import {
  PsuInputsChanged,
  QuotientFamilialChanged,
  QuotientFamilialChangedV1,
  Topics,
} from '@guichet/contracts';
import { expectEventually, KafkaProbe } from '@guichet/testing';
import { FAKE_UNKNOWN_NAME } from '../api-particulier/api-particulier.fake';
import { firstDayOfNextMonth } from '../paris-calendar';
import {
  adminCredentials,
  Call,
  contractData,
  recordsOf,
  registerFamily,
  staffToken,
  startAccounts,
  TestFamily,
} from '../test-support/accounts-harness';

const identity = (birthName: string) => ({
  birthName,
  givenNames: ['Camille'],
  sex: 'F',
  birthDate: '1985-04-12',
  birthCommuneCode: '30189',
  birthCountryCode: '99100',
});

describe('QF from the CAF or MSA (API Particulier fake), municipal QF, PSU inputs (real stack)', () => {
  let accounts: INestApplication;
  let call: Call;
  let events: KafkaProbe;
  let family: TestFamily;
  let agentToken: string;

  const qfEvents = (householdId: string): QuotientFamilialChangedV1[] =>
    recordsOf(events.records, householdId, QuotientFamilialChanged).map((r) =>
      contractData(QuotientFamilialChanged, r),
    );
  const path = (householdId: string, rest: string) => `/households/${householdId}/${rest}`;

  beforeAll(async () => {
    const admin = adminCredentials();
    // No API_PARTICULIER_URL: accounts starts its own fake, as in development and the demo.
    ({ app: accounts, call } = await startAccounts('accounts-qf', admin.env));
    events = await new KafkaProbe().watch(Topics.quotientFamilial, Topics.psuInputs);
    family = await registerFamily(call, 'qf');
    agentToken = await staffToken(call, admin, 'agent');
  });

  afterAll(async () => {
    await events.stop();
    await accounts.close();
  });

  it('fetches the QF from the CAF only with the household’s consent, as a new dated record', async () => {
    const refused = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: identity('DURAND') },
      family.token,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'consents.cafDataSharing' })]);
    await call(
      'PATCH',
      `/households/${family.householdId}`,
      { consents: { cafDataSharing: true } },
      family.token,
    );

    const fetched = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: identity('DURAND'), month: '2026-10' },
      family.token,
    );
    expect(fetched.status).toBe(201);
    expect(fetched.body.qfRecords).toEqual([
      expect.objectContaining({
        value: 650,
        source: 'caf',
        referenceMonth: '2026-10',
        appliesFrom: firstDayOfNextMonth(),
      }),
    ]);
    const msa = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: identity('LEROY'), month: '2026-10', appliesFrom: '2026-09-01' },
      agentToken,
    );
    expect(msa.body.qfRecords[1]).toMatchObject({ value: 420, source: 'msa', appliesFrom: '2026-09-01' });
    expect(msa.body.qfRecords[0]).toMatchObject({ value: 650 }); // never overwritten

    const found = await expectEventually(() => {
      const all = qfEvents(family.householdId);
      expect(all).toHaveLength(2);
      return all;
    });
    expect(found[0]).toMatchObject({ quotientFamilial: 650, source: 'caf', referenceMonth: '2026-10-01' });
    expect(found[1]).toMatchObject({ quotientFamilial: 420, source: 'msa', appliesFrom: '2026-09-01' });
  });

  it('says clearly when no CAF file matches or the identity is malformed, and records nothing', async () => {
    const unknown = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: identity(FAKE_UNKNOWN_NAME) },
      family.token,
    );
    expect(unknown.status).toBe(422);
    const bad = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: { ...identity('DURAND'), sex: 'X', birthCountryCode: 'FR' }, month: '2026-13' },
      family.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'identity.birthCountryCode',
      'identity.sex',
      'month',
    ]);
    const backdated = await call(
      'POST',
      path(family.householdId, 'qf-records/caf'),
      { identity: identity('DURAND'), appliesFrom: '2026-01-01' },
      family.token,
    );
    expect(backdated.status).toBe(403);
    const household = await call('GET', `/households/${family.householdId}`, undefined, family.token);
    expect(household.body.qfRecords).toHaveLength(2);
  });

  it('computes the municipal QF from the tax notice for a household without a CAF QF, by the dated parts rule', async () => {
    const other = await registerFamily(call, 'municipal');
    for (const child of [
      { firstName: 'A', lastName: 'B', birthDate: '2016-01-01' },
      { firstName: 'C', lastName: 'B', birthDate: '2019-01-01', aeeh: true },
    ]) {
      await call('POST', `/households/${other.householdId}/children`, child, other.token);
    }
    // REFERENCE.md §3: couple 2 + two children 0.5 + 0.5 + one with a disability 0.5 = 3.5 parts;
    // 36 000 € ÷ 12 ÷ 3.5 = 857.14 → 857.
    const computed = await call(
      'POST',
      path(other.householdId, 'qf-records/municipal'),
      { revenuFiscalReferenceCents: 3_600_000, incomeYear: 2025, adults: 2 },
      other.token,
    );
    expect(computed.status).toBe(201);
    expect(computed.body.qfRecords[0]).toMatchObject({
      value: 857,
      source: 'municipal',
      appliesFrom: firstDayOfNextMonth(),
      computation: { parts: 3.5, children: 2, disabledChildren: 1, adults: 2, incomeYear: 2025 },
    });
    const [event] = await expectEventually(() => {
      const all = qfEvents(other.householdId);
      expect(all).toHaveLength(1);
      return all;
    });
    expect(event).toMatchObject({ quotientFamilial: 857, source: 'municipal' });
    // A household with a CAF QF keeps it.
    expect(
      (
        await call(
          'POST',
          path(family.householdId, 'qf-records/municipal'),
          { revenuFiscalReferenceCents: 1, incomeYear: 2025, adults: 1 },
          family.token,
        )
      ).status,
    ).toBe(409);
    const bad = await call(
      'POST',
      path(other.householdId, 'qf-records/municipal'),
      { revenuFiscalReferenceCents: 12.5, incomeYear: 2025, adults: 3 },
      other.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'adults',
      'revenuFiscalReferenceCents',
    ]);
  });

  it('keeps PSU inputs for crèches, declared or from the CNAF, dated and never overwritten', async () => {
    const declared = await call(
      'POST',
      path(family.householdId, 'psu-inputs'),
      { year: 2025, annualResourcesCents: 2_950_000, dependentChildren: 2, aeehChildren: 0 },
      family.token,
    );
    expect(declared.status).toBe(201);
    const fromCaf = await call(
      'POST',
      path(family.householdId, 'psu-inputs/caf'),
      { identity: identity('DURAND') },
      family.token,
    );
    expect(fromCaf.body.psuInputs).toEqual([
      expect.objectContaining({
        source: 'declaration',
        annualResourcesCents: 2_950_000,
        appliesFrom: firstDayOfNextMonth(),
      }),
      expect.objectContaining({
        source: 'caf',
        annualResourcesCents: 3_120_000,
        dependentChildren: 2,
        aeehChildren: 0,
      }),
    ]);
    const bad = await call(
      'POST',
      path(family.householdId, 'psu-inputs'),
      { year: 2025, annualResourcesCents: -1, dependentChildren: 0, aeehChildren: 0 },
      family.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'annualResourcesCents',
      'dependentChildren',
    ]);
    // Tariffs prices crèches from them: each record is announced once, the refused one not at all.
    const recorded = fromCaf.body.psuInputs as { psuInputsId: string; appliesFrom: string }[];
    await expectEventually(() =>
      expect(
        recordsOf(events.records, family.householdId, PsuInputsChanged).map((r) =>
          contractData(PsuInputsChanged, r),
        ),
      ).toEqual([
        {
          householdId: family.householdId,
          psuInputsId: recorded[0].psuInputsId,
          annualResourcesCents: 2_950_000,
          year: 2025,
          dependentChildren: 2,
          aeehChildren: 0,
          source: 'declaration',
          appliesFrom: recorded[0].appliesFrom,
        },
        expect.objectContaining({
          psuInputsId: recorded[1].psuInputsId,
          annualResourcesCents: 3_120_000,
          source: 'caf',
        }),
      ]),
    );
  });
});

describe('QF from API Particulier when it cannot be reached (real stack)', () => {
  it('answers 503 with Retry-After, not 500 nor 404, and records nothing', async () => {
    const { app, base, call } = await startAccounts('accounts-qf-down', {
      API_PARTICULIER_URL: 'http://127.0.0.1:9',
      API_PARTICULIER_TOKEN: 'a-real-looking-token',
      API_PARTICULIER_RECIPIENT: '21300189100016',
    });
    try {
      const family = await registerFamily(call, 'qfdown', { consents: { cafDataSharing: true } });
      const down = await fetch(`${base}/households/${family.householdId}/qf-records/caf`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${family.token}` },
        body: JSON.stringify({ identity: identity('DURAND') }),
      });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(
        (await call('GET', `/households/${family.householdId}`, undefined, family.token)).body.qfRecords,
      ).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
