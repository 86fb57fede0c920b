import {
  AllocationPublished,
  EnrolmentAccepted,
  EnrolmentCancelled,
  EnrolmentRejected,
  EnrolmentSubmitted,
  EnrolmentWaitlisted,
  PlaceOffered,
  PlaceOfferExpired,
} from '@guichet/contracts';
import { expectEventually, Json } from '@guichet/testing';
import { EnrolmentsHarness, expectValid } from './enrolments-harness';

jest.setTimeout(60_000);

describe('the enrolment procedure (real Kafka and FerretDB)', () => {
  const harness = new EnrolmentsHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('submits idempotently: a repeated Idempotency-Key returns the first answer and creates nothing', async () => {
    const offer = await harness.offer();
    const family = await harness.family();
    const first = await harness.enrol(family, family.children[0], offer.id, {}, 'key-rentree-0001');
    expect([first.status, first.body.errors ?? first.body.detail]).toEqual([201, undefined]);
    expect(first.body).toMatchObject({
      status: 'accepted',
      offerId: offer.id,
      householdId: family.householdId,
    });
    const again = await harness.enrol(family, family.children[0], offer.id, {}, 'key-rentree-0001');
    expect(again).toEqual(first);
    const otherBody = await harness.enrol(
      family,
      family.children[0],
      offer.id,
      { submit: false },
      'key-rentree-0001',
    );
    expect(otherBody.status).toBe(422);
    expect(otherBody.type).toContain('application/problem+json');
    const mine = await harness.call('GET', '/enrolments', family.token);
    expect(mine.body).toHaveLength(1);
    await expectEventually(() => {
      const types = harness.published(first.body.id).map((e) => e.type);
      expect(types).toEqual([EnrolmentSubmitted.type, EnrolmentAccepted.type]);
    });
    const accepted = harness.published(first.body.id)[1].data;
    expectValid(EnrolmentAccepted, accepted);
    expect(accepted).toMatchObject({
      startsOn: '2026-09-01',
      childRank: 1,
      pai: false,
      siteId: 'ecole-jaures',
    });
  });

  it('explains what is missing before submission and refuses an ineligible child, changing nothing', async () => {
    const offer = await harness.offer({
      eligibility: { requiredDocuments: ['proof-of-address', 'insurance'], schoolLevels: ['PS', 'MS', 'GS'] },
    });
    const family = await harness.family({ children: ['2019-03-10'] });
    const [preview] = (
      await harness.call('GET', `/offers/for-child?childId=${family.children[0]}`, family.token)
    ).body.filter((o: Json) => o.offer.id === offer.id);
    expect(preview.eligible).toBe(false);
    expect(preview.blocking.map((f: Json) => f.code)).toEqual(['school-level']);
    expect(preview.documents).toEqual([
      { code: 'document-missing', message: 'Attestation d’assurance à déposer dans votre dossier.' },
    ]);
    const refused = await harness.enrol(family, family.children[0], offer.id);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: Json) => e.field)).toEqual(['school-level', 'document-missing']);
    expect((await harness.call('GET', '/enrolments', family.token)).body).toEqual([]);
  });

  it('never accepts more than the capacity under concurrent submissions and cancellations', async () => {
    const offer = await harness.offer({ capacity: 5 });
    const families = await Promise.all(Array.from({ length: 24 }, () => harness.family()));
    const submissions = await Promise.all(families.map((f) => harness.enrol(f, f.children[0], offer.id)));
    expect(submissions.every((s) => s.status === 201)).toBe(true);
    const accepted = submissions.filter((s) => s.body.status === 'accepted');
    expect(accepted).toHaveLength(5);
    expect(submissions.filter((s) => s.body.status === 'waitlisted')).toHaveLength(19);

    // Now three accepted families cancel while ten more submit at the same time.
    const latecomers = await Promise.all(Array.from({ length: 10 }, () => harness.family()));
    const byId = new Map(families.map((f, i) => [submissions[i].body.id, f]));
    await Promise.all([
      ...accepted
        .slice(0, 3)
        .map((s) =>
          harness.call('POST', `/enrolments/${s.body.id}/cancel`, byId.get(s.body.id)?.token ?? ''),
        ),
      ...latecomers.map((f) => harness.enrol(f, f.children[0], offer.id)),
    ]);
    const all = (await harness.call('GET', `/enrolments?offerId=${offer.id}&limit=1000`, harness.admin))
      .body as Json[];
    const holding = all.filter((e) => e.status === 'accepted' || e.status === 'offered');
    expect(holding.length).toBeLessThanOrEqual(5);
    // The freed places went to the first three on the waitlist, as offers, not to the latecomers.
    expect(all.filter((e) => e.status === 'offered')).toHaveLength(3);
    expect((await harness.call('GET', `/offers/${offer.id}`, harness.admin)).body.freePlaces).toBe(
      5 - holding.length,
    );
  });

  it('refuses an invalid transition with a problem and changes nothing', async () => {
    const offer = await harness.offer();
    const family = await harness.family();
    const enrolment = (await harness.enrol(family, family.children[0], offer.id)).body;
    expect((await harness.call('POST', `/enrolments/${enrolment.id}/cancel`, family.token)).body.status).toBe(
      'cancelled',
    );
    const agent = await harness.issuer.token({ sub: 'agent-1', role: 'agent', scopes: ['service:cantine'] });
    const refused = await harness.call('POST', `/enrolments/${enrolment.id}/accept`, agent);
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.detail).toBe('Impossible d’accepter : la demande est annulée.');
    expect((await harness.call('GET', `/enrolments/${enrolment.id}`, family.token)).body.status).toBe(
      'cancelled',
    );
    await expectEventually(() => {
      const cancelled = harness.published(enrolment.id).find((e) => e.type === EnrolmentCancelled.type);
      expect(cancelled?.data).toMatchObject({ cancelledBy: 'family', heldPlace: true });
      expectValid(EnrolmentCancelled, cancelled?.data);
    });
  });

  it('lets agents reject with a reason and waitlist, within their scope only', async () => {
    const offer = await harness.offer({
      procedure: {
        mode: 'window',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2026-06-30T18:00:00Z',
        placeOfferMinutes: 60,
      },
    });
    const family = await harness.family({ children: ['2019-03-10', '2020-04-11'] });
    const [first, second] = await Promise.all(family.children.map((c) => harness.enrol(family, c, offer.id)));
    expect([first.body.status, second.body.status]).toEqual(['submitted', 'submitted']);
    const outsider = await harness.issuer.token({
      sub: 'agent-2',
      role: 'agent',
      scopes: ['service:creche'],
    });
    expect(
      (
        await harness.call('POST', `/enrolments/${first.body.id}/reject`, outsider, {
          reasonCode: 'other',
          reason: 'Hors secteur',
        })
      ).status,
    ).toBe(403);
    const agent = await harness.issuer.token({
      sub: 'agent-1',
      role: 'agent',
      scopes: ['site:ecole-jaures'],
    });
    const rejected = await harness.call('POST', `/enrolments/${first.body.id}/reject`, agent, {
      reasonCode: 'missing-documents',
      reason: 'Justificatif de domicile illisible',
    });
    expect(rejected.body).toMatchObject({ status: 'rejected', rejection: { code: 'missing-documents' } });
    const waitlisted = await harness.call('POST', `/enrolments/${second.body.id}/waitlist`, agent);
    expect(waitlisted.body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const otherFamily = await harness.family();
    expect((await harness.call('GET', `/enrolments/${second.body.id}`, otherFamily.token)).status).toBe(404);
    await expectEventually(() => {
      const events = [...harness.published(first.body.id), ...harness.published(second.body.id)];
      const rejectedEvent = events.find((e) => e.type === EnrolmentRejected.type);
      expectValid(EnrolmentRejected, rejectedEvent?.data);
      expect(rejectedEvent?.data.reason).toBe('Justificatif de domicile illisible');
      expectValid(EnrolmentWaitlisted, events.find((e) => e.type === EnrolmentWaitlisted.type)?.data);
    });
  });

  it('offers a freed place to the next family, and passes it on when the offer expires', async () => {
    const offer = await harness.offer({
      capacity: 1,
      procedure: {
        mode: 'fcfs',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2027-06-30T18:00:00Z',
        placeOfferMinutes: 30,
      },
    });
    const [a, b, c] = [await harness.family(), await harness.family(), await harness.family()];
    const ea = (await harness.enrol(a, a.children[0], offer.id)).body;
    const eb = (await harness.enrol(b, b.children[0], offer.id)).body;
    const ec = (await harness.enrol(c, c.children[0], offer.id)).body;
    expect([ea.status, eb.status, ec.status]).toEqual(['accepted', 'waitlisted', 'waitlisted']);
    expect([eb.waitlistPosition, ec.waitlistPosition]).toEqual([1, 2]);

    await harness.call('POST', `/enrolments/${ea.id}/cancel`, a.token);
    const offered = (await harness.call('GET', `/enrolments/${eb.id}`, b.token)).body;
    expect(offered.status).toBe('offered');
    expect(offered.placeOffer.expiresAt).toBe(
      new Date(harness.clock.now().getTime() + 30 * 60_000).toISOString(),
    );

    // B does not answer in time: the sweep passes the place to C.
    harness.clock.set(new Date(harness.clock.now().getTime() + 31 * 60_000));
    await expectEventually(async () => {
      expect((await harness.call('GET', `/enrolments/${eb.id}`, b.token)).body.status).toBe('expired');
      expect((await harness.call('GET', `/enrolments/${ec.id}`, c.token)).body.status).toBe('offered');
    });
    expect((await harness.call('POST', `/enrolments/${eb.id}/accept-place`, b.token)).status).toBe(409);
    const taken = await harness.call('POST', `/enrolments/${ec.id}/accept-place`, c.token);
    expect(taken.body.status).toBe('accepted');
    await expectEventually(() => {
      const expired = harness.published(eb.id).find((e) => e.type === PlaceOfferExpired.type);
      expectValid(PlaceOfferExpired, expired?.data);
      const offeredToC = harness.published(ec.id).find((e) => e.type === PlaceOffered.type);
      expectValid(PlaceOffered, offeredToC?.data);
      expect(
        harness
          .published(ec.id)
          .map((e) => e.type)
          .at(-1),
      ).toBe(EnrolmentAccepted.type);
    });
  });

  it('allocates a closed window by priorities and a seeded draw: same seed, same result', async () => {
    harness.clock.set('2026-06-15T08:00:00Z');
    const offer = await harness.offer({
      service: 'acm',
      capacity: 3,
      booking: undefined,
      procedure: {
        mode: 'window',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2026-06-20T18:00:00Z',
        placeOfferMinutes: 60,
        priorities: [
          { id: 'sibling', label: 'Frère ou sœur déjà inscrit', points: 3 },
          { id: 'working-parents', label: 'Parents qui travaillent', points: 1 },
        ],
      },
    });
    const families = await Promise.all(Array.from({ length: 8 }, () => harness.family()));
    const applications = await Promise.all(
      families.map((f, i) =>
        harness.enrol(f, f.children[0], offer.id, { criteria: i < 2 ? ['working-parents'] : [] }),
      ),
    );
    expect(applications.every((a) => a.body.status === 'submitted')).toBe(true);
    const agent = await harness.issuer.token({ sub: 'agent-1', role: 'agent', scopes: ['service:acm'] });
    expect(
      (
        await harness.call('POST', `/offers/${offer.id}/allocations`, agent, {
          seed: 'commission-2026-06-22',
        })
      ).status,
    ).toBe(409);

    harness.clock.set('2026-06-22T08:00:00Z');
    const first = await harness.call('POST', `/offers/${offer.id}/allocations`, agent, {
      seed: 'commission-2026-06-22',
    });
    const second = await harness.call('POST', `/offers/${offer.id}/allocations`, agent, {
      seed: 'commission-2026-06-22',
    });
    expect(second.body.outcomes).toEqual(first.body.outcomes);
    // The two families with working parents (1 point) come first.
    const ids = applications.map((a) => a.body.id);
    expect(
      first.body.outcomes
        .slice(0, 2)
        .map((o: Json) => o.enrolmentId)
        .sort(),
    ).toEqual(ids.slice(0, 2).sort());

    const published = await harness.call('POST', `/allocations/${first.body.id}/publish`, agent);
    expect(published.body.status).toBe('published');
    expect((await harness.call('POST', `/allocations/${first.body.id}/publish`, agent)).status).toBe(409);
    const statuses = await Promise.all(
      families.map((f, i) => harness.call('GET', `/enrolments/${ids[i]}`, f.token).then((r) => r.body)),
    );
    expect(statuses.filter((e) => e.status === 'accepted')).toHaveLength(3);
    const waiting = statuses
      .filter((e) => e.status === 'waitlisted')
      .sort((x, y) => x.waitlistPosition - y.waitlistPosition);
    expect(waiting.map((e) => e.waitlistPosition)).toEqual([1, 2, 3, 4, 5]);
    expect(waiting[0].allocation.explanation).toMatch(
      /^Aucun critère de priorité : 0 point\. Tirage au sort parmi les 6 demande\(s\) à 0 point\(s\) \(graine « commission-2026-06-22 »\)\. Rang 4 sur 8 : liste d’attente, position 1\.$/,
    );
    await expectEventually(() => {
      const record = harness.events.records.find(
        (r) => r.key === offer.id && r.headers.ce_type === AllocationPublished.type,
      );
      expect(record).toBeDefined();
      const data = JSON.parse(record?.value ?? '{}');
      expectValid(AllocationPublished, data);
      expect(data).toMatchObject({ accepted: 3, waitlisted: 5, seed: 'commission-2026-06-22' });
    });
  });

  it('lets a crèche commission offer its places: ranks taken in time, an unanswered one passed on; contract hours reach tariffs', async () => {
    harness.clock.set('2026-06-15T08:00:00Z');
    const window = {
      mode: 'window',
      opensAt: '2026-06-01T06:30:00Z',
      closesAt: '2026-06-20T18:00:00Z',
      placeOfferMinutes: 60,
      priorities: [{ id: 'working-parents', label: 'Parents qui travaillent', points: 1 }],
    };
    const offer = await harness.offer({
      service: 'creche',
      capacity: 2,
      booking: undefined,
      procedure: { ...window, offersPlaces: true },
    });
    const families = await Promise.all(Array.from({ length: 3 }, () => harness.family()));
    // 4 days of 9 h for 45 weeks: 1 620 h a year.
    const ids: string[] = [];
    for (const [i, f] of families.entries()) {
      const applied = await harness.enrol(f, f.children[0], offer.id, {
        criteria: i < 2 ? ['working-parents'] : [],
        contractHoursPerYear: 1_620,
      });
      expect(applied.body).toMatchObject({ status: 'submitted', contractHoursPerYear: 1_620 });
      ids.push(applied.body.id);
    }
    // A contract in hours is a crèche's: elsewhere it is refused, and nothing is created.
    const canteen = await harness.offer();
    const refused = await harness.enrol(families[0], families[0].children[0], canteen.id, {
      contractHoursPerYear: 1_620,
    });
    expect([refused.status, refused.body.errors?.[0]?.field]).toEqual([422, 'contractHoursPerYear']);
    expect((await harness.call('GET', `/enrolments?offerId=${canteen.id}`, harness.admin)).body).toHaveLength(
      0,
    );

    harness.clock.set('2026-06-22T08:00:00Z');
    const agent = await harness.issuer.token({ sub: 'agent-c', role: 'agent', scopes: ['service:creche'] });
    const allocation = await harness.call('POST', `/offers/${offer.id}/allocations`, agent, {
      seed: 'commission-creche',
    });
    const ranked = allocation.body.outcomes.map((o: Json) => o.enrolmentId);
    expect(ranked.slice(0, 2).sort()).toEqual(ids.slice(0, 2).sort());
    expect(
      (await harness.call('POST', `/allocations/${allocation.body.id}/publish`, agent)).body.status,
    ).toBe('published');
    const status = async (id: string) =>
      (await harness.call('GET', `/enrolments/${id}`, families[ids.indexOf(id)].token)).body;
    const [first, second, third] = await Promise.all(ranked.map(status));
    expect([first.status, second.status, third.status]).toEqual(['offered', 'offered', 'waitlisted']);
    expect(first.placeOffer.expiresAt).toBe('2026-06-22T09:00:00.000Z');
    expect(third.waitlistPosition).toBe(1);

    // The first takes its place; the second does not answer in time, and the third is offered it.
    expect(
      (
        await harness.call(
          'POST',
          `/enrolments/${first.id}/accept-place`,
          families[ids.indexOf(first.id)].token,
        )
      ).body.status,
    ).toBe('accepted');
    harness.clock.set('2026-06-22T09:01:00Z');
    await expectEventually(async () => {
      expect((await status(second.id)).status).toBe('expired');
      expect((await status(third.id)).status).toBe('offered');
    });
    await expectEventually(() => {
      const accepted = harness.published(first.id).find((e) => e.type === EnrolmentAccepted.type);
      expectValid(EnrolmentAccepted, accepted?.data);
      expect(accepted?.data).toMatchObject({ contractHoursPerYear: 1_620, allocationId: allocation.body.id });
    });
  });

  it('walks the agents’ path: draft, submitted, waitlisted, accepted, and an offered place declined', async () => {
    harness.clock.set('2026-06-15T08:00:00Z');
    const windowOffer = await harness.offer({
      capacity: 1,
      procedure: {
        mode: 'window',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2026-06-30T18:00:00Z',
        placeOfferMinutes: 60,
      },
    });
    const agent = await harness.issuer.token({ sub: 'agent-1', role: 'agent', scopes: ['*'] });
    const [first, second] = [await harness.family(), await harness.family()];
    const draft = (await harness.enrol(first, first.children[0], windowOffer.id, { submit: false })).body;
    expect(draft.status).toBe('draft');
    expect(harness.published(draft.id)).toEqual([]);
    expect((await harness.call('POST', `/enrolments/${draft.id}/submit`, first.token)).body.status).toBe(
      'submitted',
    );
    expect((await harness.call('POST', `/enrolments/${draft.id}/submit`, first.token)).status).toBe(409);
    expect((await harness.call('POST', `/enrolments/${draft.id}/waitlist`, agent)).body.status).toBe(
      'waitlisted',
    );
    expect((await harness.call('POST', `/enrolments/${draft.id}/accept`, agent)).body.status).toBe(
      'accepted',
    );

    const other = (await harness.enrol(second, second.children[0], windowOffer.id)).body;
    const full = await harness.call('POST', `/enrolments/${other.id}/accept`, agent);
    expect(full.status).toBe(409);
    expect(full.body.detail).toBe(
      'Plus aucune place libre dans cette offre : inscrivez la demande en liste d’attente.',
    );
    expect((await harness.call('GET', `/enrolments/${other.id}`, second.token)).body.status).toBe(
      'submitted',
    );
    const shrink = await harness.call('PATCH', `/offers/${windowOffer.id}/capacity`, agent, { capacity: 0 });
    expect(shrink.status).toBe(409);
    expect((await harness.call('GET', `/offers/${windowOffer.id}`, agent)).body).toMatchObject({
      capacity: 1,
      freePlaces: 0,
    });

    // Waitlisted, then offered the place the first family gives up, and declined: the place is free again.
    await harness.call('POST', `/enrolments/${other.id}/waitlist`, agent);
    await harness.call('POST', `/enrolments/${draft.id}/cancel`, first.token);
    expect((await harness.call('GET', `/enrolments/${other.id}`, second.token)).body.status).toBe('offered');
    expect((await harness.call('POST', `/enrolments/${other.id}/cancel`, second.token)).body.status).toBe(
      'cancelled',
    );
    expect((await harness.call('GET', `/offers/${windowOffer.id}`, agent)).body.freePlaces).toBe(1);
    await expectEventually(() => {
      expect(harness.published(draft.id).map((e) => e.type)).toEqual([
        EnrolmentSubmitted.type,
        EnrolmentWaitlisted.type,
        EnrolmentAccepted.type,
        EnrolmentCancelled.type,
      ]);
      expect(harness.published(other.id).map((e) => e.type)).toEqual([
        EnrolmentSubmitted.type,
        EnrolmentWaitlisted.type,
        PlaceOffered.type,
        EnrolmentCancelled.type,
      ]);
    });
  });
});
