import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  expectEventually,
  Json,
  Platform,
  requestJson,
  root,
  ServiceName,
  uniqueName,
} from '@guichet/testing';

jest.setTimeout(300_000);

/** Waits for what events carry between services: generous, the whole suite shares the machine. */
const eventually = <T>(assertion: () => T | Promise<T>) =>
  expectEventually(assertion, { timeoutMs: 90_000, intervalMs: 250 });

// The four services run from their build, as `./guichet start` runs them, on the real local stack,
// with a real SMTP server standing in for the city's mail relay.
describe('journeys across the four services (real Kafka, FerretDB, Redis and SMTP)', () => {
  const platform = new Platform();
  const { smtp } = platform;
  let adminToken: string;
  /** What journey 1 leaves for journey 2: its family, grid and enrolment. */
  const first = { email: '', token: '', gridId: '', enrolmentId: '' };

  const at = (service: ServiceName) => (method: string, path: string, token?: string, body?: unknown) =>
    requestJson(`${platform.url(service)}${path}`, method, { token, body });
  const accounts = at('accounts');
  const enrolments = at('enrolments');
  const tariffs = at('tariffs');

  beforeAll(async () => {
    await platform.start();
    adminToken = await platform.adminToken();
  });

  afterAll(() => platform.stop());

  /** An agent's offer: its site and period first, each created once under ids of this run. */
  const openOffer = async (
    site: { kind: string; name: string },
    period: { label: string; startsOn: string; endsOn: string; weekdays: number[] },
    offer: Json,
  ): Promise<string> => {
    const siteId = uniqueName(site.kind);
    const periodId = uniqueName('periode');
    const offerId = uniqueName(offer.service);
    expect((await enrolments('POST', '/sites', adminToken, { id: siteId, ...site })).status).toBe(201);
    expect((await enrolments('POST', '/periods', adminToken, { id: periodId, ...period })).status).toBe(201);
    const created = await enrolments('POST', '/offers', adminToken, {
      id: offerId,
      siteId,
      periodId,
      ...offer,
    });
    expect([created.status, created.body.errors]).toEqual([201, undefined]);
    return offerId;
  };

  /** A resident family with one child (born or expected on that date), logged in. */
  const registerFamily = async (name: string, birthDate: string) => {
    const email = `${uniqueName(name)}@example.fr`;
    const password = 'the family’s long password';
    const { householdId } = (
      await accounts('POST', '/families', undefined, { email, password, resident: true })
    ).body;
    const token = (await accounts('POST', '/auth/login', undefined, { email, password })).body
      .accessToken as string;
    const added = await accounts('POST', `/households/${householdId}/children`, token, {
      firstName: 'Enfant',
      lastName: 'Journée',
      birthDate,
    });
    return {
      email,
      token,
      householdId: householdId as string,
      childId: added.body.children[0].childId as string,
    };
  };

  /** Today and later days on the Paris calendar. */
  const parisDay = (offsetDays: number) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(
      new Date(Date.now() + offsetDays * 86_400_000),
    );

  it('1. a family registers, proves its address and QF, enrols in the canteen, is priced and told, books meals', async () => {
    // The finance staff's grid and the agents' offer: a canteen open every day of a period around today,
    // booked until the day itself, cancelled until 48 h before (REFERENCE.md §4, Nîmes's 48 h rule).
    const gridId = uniqueName('cantine');
    const grid = JSON.parse(readFileSync(join(root, 'apps', 'tariffs', 'demo', 'cantine.grid.json'), 'utf8'));
    grid.versions[0].effectiveFrom = parisDay(-60);
    expect((await tariffs('POST', '/grids', adminToken, { ...grid, id: gridId })).status).toBe(201);
    const offerId = await openOffer(
      { kind: 'school', name: 'École (journey)' },
      {
        label: 'Période (journey)',
        startsOn: parisDay(-30),
        endsOn: parisDay(120),
        weekdays: [1, 2, 3, 4, 5, 6, 7],
      },
      {
        service: 'cantine',
        label: 'Cantine (journey)',
        capacity: 30,
        tariffGridId: gridId,
        eligibility: { requiredDocuments: ['proof-of-address'] },
        procedure: {
          mode: 'fcfs',
          opensAt: new Date(Date.now() - 86_400_000).toISOString(),
          closesAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          placeOfferMinutes: 2880,
        },
        booking: { bookingLeadDays: 0, cancellationHours: 48 },
      },
    );

    // Registration, and the address proved by the link mailed to it.
    const email = `${uniqueName('famille')}@example.fr`;
    const password = 'the family’s long password';
    const registered = await accounts('POST', '/families', undefined, { email, password, resident: true });
    expect(registered.status).toBe(201);
    const householdId = registered.body.householdId as string;
    const verification = await eventually(() => {
      const [mail] = smtp.mailsTo(email);
      expect(mail).toBeDefined();
      return mail;
    });
    const link = /https:\/\/guichet\.example\.fr\/\S*token=([\w-]+)/.exec(verification.text);
    expect(link).not.toBeNull();
    expect(
      (await accounts('POST', '/auth/verify-email', undefined, { token: link?.[1] })).status,
    ).toBeLessThan(300);
    const family = (await accounts('POST', '/auth/login', undefined, { email, password })).body
      .accessToken as string;
    expect((await accounts('GET', '/auth/me', family)).body.emailVerified).toBe(true);

    // The household: a child, consent to fetch the QF from the CAF (the API Particulier fake), a proof of address.
    const added = await accounts('POST', `/households/${householdId}/children`, family, {
      firstName: 'Léa',
      lastName: 'Martin',
      birthDate: '2019-05-14',
    });
    const childId = added.body.children[0].childId as string;
    await accounts('PATCH', `/households/${householdId}`, family, { consents: { cafDataSharing: true } });
    const qf = await accounts('POST', `/households/${householdId}/qf-records/caf`, family, {
      identity: {
        birthName: 'DURAND',
        givenNames: ['Camille'],
        sex: 'F',
        birthDate: '1985-04-12',
        birthCommuneCode: '30189',
        birthCountryCode: '99100',
      },
    });
    expect(qf.status).toBe(201);
    expect(qf.body.qfRecords[0]).toMatchObject({ value: 650, source: 'caf' });
    const form = new FormData();
    form.append('documentType', 'proof-of-address');
    form.append('validUntil', parisDay(365));
    form.append(
      'file',
      new Blob([Buffer.from('%PDF-1.4\n% journey proof of address\n%%EOF\n')]),
      'domicile.pdf',
    );
    const uploaded = await fetch(`${platform.url('accounts')}/households/${householdId}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${family}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const documentId = ((await uploaded.json()) as Json).id as string;
    const review = await accounts(
      'POST',
      `/households/${householdId}/documents/${documentId}/review`,
      adminToken,
      {
        decision: 'accepted',
      },
    );
    expect(review.status).toBeLessThan(300);

    // Enrolments learnt all of it from accounts' events: the offer is open to the child, with a price preview.
    const preview = await eventually(async () => {
      const offers = (await enrolments('GET', `/offers/for-child?childId=${childId}`, family)).body as Json[];
      const canteen = offers.find((o) => o.offer.id === offerId);
      expect(canteen).toMatchObject({ eligible: true, documents: [] });
      expect(canteen.pricePreview?.unitPriceCents).toBeGreaterThan(0);
      return canteen.pricePreview;
    });
    expect(preview.explanation.join(' ')).toContain('€');

    const enrolment = await enrolments('POST', '/enrolments', family, { childId, offerId });
    expect(enrolment.body.status).toBe('accepted');
    Object.assign(first, { email, token: family, gridId, enrolmentId: enrolment.body.id });

    // Tariffs prices it by events; the family gets the price and its explanation by mail.
    const prices = await eventually(async () => {
      const stored = (await enrolments('GET', `/enrolments/${enrolment.body.id}`, family)).body;
      expect(stored.prices.length).toBeGreaterThanOrEqual(1);
      return stored.prices as Json[];
    });
    const price = prices[0];
    const priceOn = (day: string) => prices.filter((p) => p.appliesFrom <= day).at(-1)?.unitPriceCents;
    const priceMail = await eventually(() => {
      const mail = smtp.mailsTo(email).find((m) => m.text.includes(price.explanation[0]));
      expect(mail).toBeDefined();
      return mail;
    });
    expect(priceMail?.text).toContain(`${(price.unitPriceCents / 100).toFixed(2).replace('.', ',')} €`);

    // Meals: every day from today; one cancelled in time (a credit), one too late (refused, nothing changes).
    const pattern = await enrolments('PUT', `/enrolments/${enrolment.body.id}/bookings/pattern`, family, {
      weekdays: [1, 2, 3, 4, 5, 6, 7],
    });
    expect(pattern.body.days).toEqual(expect.arrayContaining([parisDay(1), parisDay(10)]));
    const inTime = await enrolments('POST', `/enrolments/${enrolment.body.id}/bookings/changes`, family, {
      cancel: [parisDay(10)],
    });
    expect(inTime.body.creditCents).toBe(priceOn(parisDay(10)));
    const tooLate = await enrolments('POST', `/enrolments/${enrolment.body.id}/bookings/changes`, family, {
      cancel: [parisDay(1)],
    });
    expect(tooLate.status).toBe(422);
    expect(tooLate.body.errors[0].field).toBe(`cancel.${parisDay(1)}`);
    const bookings = (await enrolments('GET', `/enrolments/${enrolment.body.id}/bookings`, family)).body;
    expect(bookings.days).toContain(parisDay(1));
    expect(bookings.days).not.toContain(parisDay(10));
    expect(bookings.creditCents).toBe(priceOn(parisDay(10)));
  });

  it('2. finance drafts a grid, reads its coherence, simulates it on live enrolments, publishes it; the family is repriced and told once', async () => {
    expect(first.enrolmentId).not.toBe(''); // continues with journey 1's family
    const [year, month] = parisDay(0).split('-').map(Number);
    const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
    const demo = JSON.parse(readFileSync(join(root, 'apps', 'tariffs', 'demo', 'cantine.grid.json'), 'utf8'));
    const v2 = { ...demo.versions[0], effectiveFrom: nextMonth };
    v2.pricing = {
      ...v2.pricing,
      prices: v2.pricing.prices.map((p: Json) => ({ ...p, priceCents: p.priceCents + 20 })),
    };
    const draft = await tariffs('PUT', `/grids/${first.gridId}/versions/2`, adminToken, v2);
    expect([draft.status, draft.body?.errors]).toEqual([200, undefined]);

    const coherence = await tariffs('GET', `/grids/${first.gridId}/versions/2/coherence`, adminToken);
    expect(Array.isArray(coherence.body.findings)).toBe(true);
    const simulation = await tariffs('POST', `/grids/${first.gridId}/versions/2/simulate`, adminToken, {
      date: nextMonth,
    });
    expect(simulation.body.households).toBeGreaterThanOrEqual(1);
    expect(simulation.body.revenueAfterCents).toBeGreaterThan(simulation.body.revenueBeforeCents);

    const told = () =>
      smtp.mailsTo(first.email).filter((m) => m.subject === 'Nouveau tarif de votre inscription');
    // Journey 1's CAF QF, which applies from next month, may have repriced it already: count from here.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = told().length;
    const published = await tariffs('POST', `/grids/${first.gridId}/versions/2/publish`, adminToken, {
      reason: 'Délibération du conseil municipal (journey)',
    });
    expect(published.status).toBe(200);

    const repriced = await eventually(async () => {
      const stored = (await enrolments('GET', `/enrolments/${first.enrolmentId}`, first.token)).body;
      const segment = stored.prices.find((p: Json) => p.appliesFrom === nextMonth && p.gridVersion === 2);
      expect(segment).toBeDefined();
      return segment;
    });
    await eventually(() => expect(told()).toHaveLength(before + 1));
    expect(told().at(-1)?.text).toContain(
      `${(repriced.unitPriceCents / 100).toFixed(2).replace('.', ',')} €`,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(told()).toHaveLength(before + 1); // told once
  });

  it('3. crèche: pre-registered before birth, birth confirmed, a place offered by the commission and taken, a PSU monthly price, repriced by a new CNAF ceiling', async () => {
    // Finance's crèche grid: the CNAF PSU barème (REFERENCE.md §2), ceiling 8 500 € a month since Sept 2025.
    const gridId = uniqueName('creche');
    const grid = JSON.parse(
      readFileSync(join(root, 'apps', 'tariffs', 'demo', 'creche-psu.grid.json'), 'utf8'),
    );
    expect((await tariffs('POST', '/grids', adminToken, { ...grid, id: gridId })).status).toBe(201);
    // A crèche with one place from in 40 days; the commission offers it, the family has 2 days to take it.
    const startsOn = parisDay(40);
    const closesAt = new Date(Date.now() + 40_000); // room for two registrations on a busy machine
    const offerId = await openOffer(
      { kind: 'creche', name: 'Crèche (journey)' },
      {
        label: 'Année (journey)',
        startsOn,
        endsOn: parisDay(400),
        weekdays: [1, 2, 3, 4, 5],
      },
      {
        service: 'creche',
        label: 'Multi-accueil (journey)',
        capacity: 1,
        tariffGridId: gridId,
        eligibility: {},
        procedure: {
          mode: 'window',
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: closesAt.toISOString(),
          placeOfferMinutes: 2880,
          allowsUnborn: true,
          offersPlaces: true,
          priorities: [{ id: 'working-parents', label: 'Parents qui travaillent', points: 1 }],
        },
      },
    );

    // Two families: one expecting a baby, with the priority; one with a child born last year.
    const expecting = await registerFamily('creche-attendu', parisDay(20));
    const other = await registerFamily('creche-autre', '2025-11-02');
    // Its PSU inputs (declared: they apply from next month): 120 000 € a year, one child, above the ceiling.
    const inputs = await accounts(
      'POST',
      `/households/${expecting.householdId}/psu-inputs`,
      expecting.token,
      {
        year: 2025,
        annualResourcesCents: 12_000_000,
        dependentChildren: 1,
        aeehChildren: 0,
      },
    );
    expect(inputs.status).toBe(201);
    const apply = (family: typeof expecting, criteria: string[]) =>
      eventually(async () => {
        // 230 days of 9 h: 2 070 h a year (REFERENCE.md §2).
        const answer = await enrolments('POST', '/enrolments', family.token, {
          childId: family.childId,
          offerId,
          criteria,
          contractHoursPerYear: 2_070,
        });
        expect(answer.status).toBe(201); // 404 until enrolments has heard of the child
        return answer.body;
      });
    const application = await apply(expecting, ['working-parents']);
    expect(application).toMatchObject({
      status: 'submitted',
      preRegistration: true,
      contractHoursPerYear: 2_070,
    });
    const otherApplication = await apply(other, []);

    // Born early, yesterday: the family file says so, then the family confirms the birth.
    const born = parisDay(-1);
    expect(
      (
        await accounts(
          'PATCH',
          `/households/${expecting.householdId}/children/${expecting.childId}`,
          expecting.token,
          {
            birthDate: born,
          },
        )
      ).status,
    ).toBe(200);
    const confirmed = await eventually(async () => {
      const answer = await enrolments('POST', `/enrolments/${application.id}/confirm-birth`, expecting.token);
      expect(answer.status).toBe(200); // 409 until enrolments has heard of the birth
      return answer.body;
    });
    expect(confirmed.birthConfirmedAt).toEqual(expect.any(String));

    // The commission after closing: the place is offered to the family with the priority, the other waits.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, closesAt.getTime() - Date.now() + 500)));
    const draft = await enrolments('POST', `/offers/${offerId}/allocations`, adminToken, {
      seed: uniqueName('commission'),
    });
    expect(draft.body.outcomes.map((o: Json) => o.enrolmentId)).toEqual([
      application.id,
      otherApplication.id,
    ]);
    expect((await enrolments('POST', `/allocations/${draft.body.id}/publish`, adminToken)).body.status).toBe(
      'published',
    );
    const offered = (await enrolments('GET', `/enrolments/${application.id}`, expecting.token)).body;
    expect(offered.status).toBe('offered');
    expect(Date.parse(offered.placeOffer.expiresAt)).toBeGreaterThan(Date.now() + 47 * 3_600_000);
    expect((await enrolments('GET', `/enrolments/${otherApplication.id}`, other.token)).body).toMatchObject({
      status: 'waitlisted',
      waitlistPosition: 1,
    });
    await eventually(() =>
      expect(smtp.mailsTo(expecting.email).map((m) => m.subject)).toContain('Une place vous est proposée'),
    );
    const taken = await enrolments('POST', `/enrolments/${application.id}/accept-place`, expecting.token);
    expect(taken.body.status).toBe('accepted');

    // Tariffs prices the contract from the PSU inputs: 10 000 € a month capped at 8 500 € × 0.0619 %
    // = 5,2615 € → 5,26 € an hour; 2 070 h ÷ 12 × 5,26 € = 907,35 € a month. The family is told.
    const pricesOnceThere = (count: number) =>
      eventually(async () => {
        const stored = (await enrolments('GET', `/enrolments/${application.id}`, expecting.token)).body;
        expect(stored.prices).toHaveLength(count);
        return stored.prices as Json[];
      });
    const [price] = await pricesOnceThere(1);
    expect(price).toMatchObject({
      appliesFrom: startsOn,
      gridVersion: 1,
      unitPriceCents: 526,
      monthlyContractCents: 90_735,
      psuInputsId: inputs.body.psuInputs[0].psuInputsId,
    });
    const priceMail = await eventually(() => {
      const mail = smtp.mailsTo(expecting.email).find((m) => m.subject === 'Le tarif de votre inscription');
      expect(mail).toBeDefined();
      return mail;
    });
    expect(priceMail?.text).toContain('5,26 € ; contrat d’accueil : 907,35 € par mois');
    expect(priceMail?.text).toContain(
      'Contrat de 2070 h par an ÷ 12 = 172,5 h par mois × 5,26 € = 907,35 € par mois',
    );

    // The CNAF publishes a new ceiling with a date (9 000 €: a test value, not an announced one); finance
    // publishes it as version 2 from that date, and the running contract is repriced from then.
    const ceilingDate = `${parisDay(100).slice(0, 8)}01`;
    const v1 = grid.versions[0];
    const v2 = {
      ...v1,
      version: 2,
      status: 'draft',
      effectiveFrom: ceilingDate,
      published: undefined,
      pricing: {
        ...v1.pricing,
        ceilings: [...v1.pricing.ceilings, { effectiveFrom: ceilingDate, value: 900_000 }],
      },
    };
    expect((await tariffs('PUT', `/grids/${gridId}/versions/2`, adminToken, v2)).status).toBe(200);
    const published = await tariffs('POST', `/grids/${gridId}/versions/2/publish`, adminToken, {
      reason: 'Nouveau plafond CNAF (journey)',
    });
    expect(published.status).toBe(200);
    const [, repriced] = await pricesOnceThere(2);
    // 9 000 € × 0.0619 % = 5,571 € → 5,57 €; 2 070 h ÷ 12 × 5,57 € = 960,825 € → 960,83 € a month.
    expect(repriced).toMatchObject({
      appliesFrom: ceilingDate,
      gridVersion: 2,
      unitPriceCents: 557,
      monthlyContractCents: 96_083,
    });
    const told = await eventually(() => {
      const mails = smtp
        .mailsTo(expecting.email)
        .filter((m) => m.subject === 'Nouveau tarif de votre inscription');
      expect(mails).toHaveLength(1);
      return mails[0];
    });
    expect(told.text).toContain(
      '5,57 € au lieu de 5,26 € ; contrat d’accueil : 960,83 € par mois au lieu de 907,35 €.',
    );
  });

  it('4. opening day: applications in a window are equal, an allocation at closing, the waitlist moves on a cancellation', async () => {
    // A Wednesday centre whose window closes in a few seconds; six families apply while it is open.
    const closesAt = new Date(Date.now() + 40_000); // room for six registrations on a busy machine
    const offerId = await openOffer(
      { kind: 'centre', name: 'Centre (journey)' },
      {
        label: 'Mercredis (journey)',
        startsOn: parisDay(30),
        endsOn: parisDay(200),
        weekdays: [3],
      },
      {
        service: 'acm',
        label: 'Mercredis (journey)',
        capacity: 2,
        eligibility: {},
        procedure: {
          mode: 'window',
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: closesAt.toISOString(),
          placeOfferMinutes: 2880,
          priorities: [{ id: 'working-parents', label: 'Parents qui travaillent', points: 1 }],
        },
      },
    );

    const families = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registerFamily(`ouverture-${i}`, '2018-03-01')),
    );
    const applications = await Promise.all(
      families.map((family, i) =>
        eventually(async () => {
          const answer = await enrolments('POST', '/enrolments', family.token, {
            childId: family.childId,
            offerId,
            criteria: i < 2 ? ['working-parents'] : [],
          });
          expect(answer.status).toBe(201); // 404 until enrolments has heard of the child
          return answer.body;
        }),
      ),
    );
    expect(applications.map((a) => a.status)).toEqual(Array(6).fill('submitted'));

    // After closing: the same seed gives the same draft; publishing gives the places in rank order.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, closesAt.getTime() - Date.now() + 500)));
    const seed = uniqueName('commission');
    const draft = await enrolments('POST', `/offers/${offerId}/allocations`, adminToken, { seed });
    const again = await enrolments('POST', `/offers/${offerId}/allocations`, adminToken, { seed });
    expect(again.body.outcomes).toEqual(draft.body.outcomes);
    const ids = applications.map((a) => a.id);
    // The two families with working parents have the priority.
    expect(
      draft.body.outcomes
        .slice(0, 2)
        .map((o: Json) => o.enrolmentId)
        .sort(),
    ).toEqual(ids.slice(0, 2).sort());
    expect((await enrolments('POST', `/allocations/${draft.body.id}/publish`, adminToken)).body.status).toBe(
      'published',
    );
    const byId = new Map(applications.map((a, i) => [a.id as string, families[i]]));
    const status = async (id: string) =>
      (await enrolments('GET', `/enrolments/${id}`, byId.get(id)?.token)).body;
    const accepted = draft.body.outcomes
      .filter((o: Json) => o.outcome === 'accepted')
      .map((o: Json) => o.enrolmentId);
    const waiting = draft.body.outcomes
      .filter((o: Json) => o.outcome === 'waitlisted')
      .map((o: Json) => o.enrolmentId);
    expect([accepted.length, waiting.length]).toEqual([2, 4]);
    for (const id of accepted) expect((await status(id)).status).toBe('accepted');
    expect((await status(waiting[0])).waitlistPosition).toBe(1);

    // A family with a place cancels: the first on the waitlist is offered it, and told by mail.
    const leaving = byId.get(accepted[0]);
    expect((await enrolments('POST', `/enrolments/${accepted[0]}/cancel`, leaving?.token)).body.status).toBe(
      'cancelled',
    );
    expect((await status(waiting[0])).status).toBe('offered');
    const next = byId.get(waiting[0]);
    await eventually(() =>
      expect(smtp.mailsTo(next?.email ?? '').map((m) => m.subject)).toContain('Une place vous est proposée'),
    );
    expect(
      (await enrolments('POST', `/enrolments/${waiting[0]}/accept-place`, next?.token)).body.status,
    ).toBe('accepted');
    expect((await enrolments('GET', `/offers/${offerId}`, adminToken)).body.freePlaces).toBe(0);
  });
});
