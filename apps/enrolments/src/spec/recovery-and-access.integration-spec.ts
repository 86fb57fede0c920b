import { generateKeyPair } from 'jose';
import {
  ChildUpdated,
  EnrolmentAccepted,
  EnrolmentCancelled,
  HouseholdErased,
  PlaceOffered,
} from '@guichet/contracts';
import { expectEventually, Json } from '@guichet/testing';
import { CatalogueRepository } from '../catalogue/catalogue.repository';
import { EnrolmentRepository } from '../procedure/enrolment.repository';
import { EnrolmentsHarness, expectValid } from './enrolments-harness';

jest.setTimeout(60_000);

describe('enrolments: pre-registration, recovery after a crash, erasure, access (real stack)', () => {
  const harness = new EnrolmentsHarness();
  let enrolments: EnrolmentRepository;
  let catalogue: CatalogueRepository;

  beforeAll(async () => {
    await harness.start();
    enrolments = harness.app.get(EnrolmentRepository);
    catalogue = harness.app.get(CatalogueRepository);
  });
  afterAll(() => harness.stop());

  const minuteAgo = () => new Date(harness.clock.now().getTime() - 60_000);

  it('takes a crèche pre-registration before birth, confirmed once the birth is declared', async () => {
    const offer = await harness.offer({
      service: 'creche',
      booking: undefined,
      eligibility: { minAgeMonths: 2, maxAgeMonths: 36 },
      procedure: {
        mode: 'window',
        opensAt: '2026-06-01T06:30:00Z',
        closesAt: '2026-06-30T18:00:00Z',
        placeOfferMinutes: 2880,
        allowsUnborn: true,
      },
    });
    const family = await harness.family({ children: ['2026-08-20'], documents: [] });
    const applied = (await harness.enrol(family, family.children[0], offer.id)).body;
    expect(applied).toMatchObject({ status: 'submitted', preRegistration: true });
    const tooEarly = await harness.call('POST', `/enrolments/${applied.id}/confirm-birth`, family.token);
    expect(tooEarly.status).toBe(409);

    // Born early, on 10 June: accounts updates the child, then the family confirms.
    await harness.send(ChildUpdated, family.householdId, {
      householdId: family.householdId,
      childId: family.children[0],
      birthDate: '2026-06-10',
      pai: false,
      aeeh: false,
    });
    await expectEventually(async () => {
      const confirmed = await harness.call('POST', `/enrolments/${applied.id}/confirm-birth`, family.token);
      expect(confirmed.body.birthConfirmedAt).toBe(harness.clock.now().toISOString());
    });
  });

  it('completes an acceptance interrupted between the place ledger and the enrolment', async () => {
    const offer = await harness.offer({ capacity: 1 });
    const family = await harness.family();
    const draft = (await harness.enrol(family, family.children[0], offer.id, { submit: false })).body;
    // As if the process died right after taking the place: the ledger holds it, the enrolment is still submitted.
    await enrolments.collection.updateOne({ _id: draft.id }, { $set: { status: 'submitted' } });
    expect(await catalogue.takePlace(offer.id, { id: draft.id, op: 'accept', at: minuteAgo() })).toBe(true);
    await expectEventually(async () => {
      expect((await harness.call('GET', `/enrolments/${draft.id}`, family.token)).body.status).toBe(
        'accepted',
      );
    });
    await expectEventually(() => {
      const accepted = harness.published(draft.id).filter((e) => e.type === EnrolmentAccepted.type);
      expect(accepted).toHaveLength(1);
      expectValid(EnrolmentAccepted, accepted[0].data);
    });
    expect((await harness.call('GET', `/offers/${offer.id}`, harness.admin)).body.freePlaces).toBe(0);
  });

  it('frees and passes on a place whose release a crash interrupted', async () => {
    const offer = await harness.offer({ capacity: 1 });
    const [first, second] = [await harness.family(), await harness.family()];
    const holder = (await harness.enrol(first, first.children[0], offer.id)).body;
    const waiting = (await harness.enrol(second, second.children[0], offer.id)).body;
    expect([holder.status, waiting.status]).toEqual(['accepted', 'waitlisted']);
    // As if the process died after writing the cancellation, before freeing the place.
    await catalogue.beginMove(offer.id, { id: holder.id, op: 'release', at: minuteAgo() });
    await enrolments.collection.updateOne(
      { _id: holder.id },
      { $set: { status: 'cancelled', activeKey: `${first.children[0]}:${offer.id}:${holder.id}` } },
    );
    await expectEventually(async () => {
      expect((await harness.call('GET', `/enrolments/${waiting.id}`, second.token)).body.status).toBe(
        'offered',
      );
    });
    expect(await catalogue.holds(offer.id, holder.id)).toBe(false);
    await expectEventually(() =>
      expect(harness.published(waiting.id).map((e) => e.type)).toContain(PlaceOffered.type),
    );
  });

  it('ends a household’s enrolments on erasure and gives its place to the waitlist', async () => {
    const offer = await harness.offer({ capacity: 1 });
    const [leaving, next] = [await harness.family(), await harness.family()];
    const held = (await harness.enrol(leaving, leaving.children[0], offer.id)).body;
    const waiting = (await harness.enrol(next, next.children[0], offer.id)).body;
    await harness.send(HouseholdErased, leaving.householdId, {
      householdId: leaving.householdId,
      erasedAt: harness.clock.now().toISOString(),
    });
    await expectEventually(async () => {
      expect((await harness.call('GET', `/enrolments/${waiting.id}`, next.token)).body.status).toBe(
        'offered',
      );
    });
    const ended = (await harness.call('GET', `/enrolments/${held.id}`, harness.admin)).body;
    expect(ended.status).toBe('cancelled');
    const cancelled = harness.published(held.id).find((e) => e.type === EnrolmentCancelled.type);
    expect(cancelled?.data).toMatchObject({ cancelledBy: 'erasure', heldPlace: true });
    // Its facts go once its enrolments have ended: the child is unknown now.
    await expectEventually(async () => {
      const gone = await harness.call(
        'GET',
        `/offers/for-child?childId=${leaving.children[0]}`,
        leaving.token,
      );
      expect(gone.status).toBe(404);
    });
  });

  it('checks who calls every endpoint: anonymous, expired, foreign key, wrong role, other family', async () => {
    const offer = await harness.offer();
    const owner = await harness.family();
    const other = await harness.family();
    const enrolment = (await harness.enrol(owner, owner.children[0], offer.id)).body;
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const claims = { sub: 'x', role: 'family' as const, hid: owner.householdId };
    const expired = await harness.issuer.token(claims, { expiresIn: '-1m' });
    const foreign = await harness.issuer.token(claims, { key: stranger });
    const e = enrolment.id;
    const endpoints: [string, string, Json?][] = [
      ['GET', '/sites'],
      ['POST', '/sites', { id: 'x-site', name: 'X', kind: 'school' }],
      ['GET', '/periods'],
      ['POST', '/offers', {}],
      ['GET', '/offers'],
      ['GET', `/offers/for-child?childId=${owner.children[0]}`],
      ['GET', `/offers/${offer.id}`],
      ['PATCH', `/offers/${offer.id}/capacity`, { capacity: 3 }],
      ['POST', '/enrolments', { childId: owner.children[0], offerId: offer.id }],
      ['GET', '/enrolments'],
      ['GET', `/enrolments/${e}`],
      ['POST', `/enrolments/${e}/submit`],
      ['POST', `/enrolments/${e}/cancel`],
      ['POST', `/enrolments/${e}/accept-place`],
      ['POST', `/enrolments/${e}/confirm-birth`],
      ['POST', `/enrolments/${e}/accept`],
      ['POST', `/enrolments/${e}/reject`, { reasonCode: 'other', reason: 'non' }],
      ['POST', `/enrolments/${e}/waitlist`],
      ['POST', `/offers/${offer.id}/allocations`, { seed: 's' }],
      ['GET', '/allocations/x'],
      ['POST', '/allocations/x/publish'],
      ['GET', `/enrolments/${e}/bookings`],
      ['PUT', `/enrolments/${e}/bookings/pattern`, { weekdays: [1] }],
      ['POST', `/enrolments/${e}/bookings/changes`, { cancel: ['2026-09-03'] }],
      ['GET', '/sites/ecole-jaures/attendance?date=2026-09-03'],
    ];
    for (const [method, path, body] of endpoints) {
      for (const token of ['', expired, foreign]) {
        const answer = await harness.call(method, path, token, body);
        expect([method, path, answer.status]).toEqual([method, path, 401]);
      }
    }
    // Another family reaches nothing of this enrolment: not found, never its data.
    for (const [method, path, body] of endpoints.filter(([, path]) => path.includes(e))) {
      const answer = await harness.call(method, path, other.token, body);
      expect([method, path, answer.status]).toEqual([method, path, answer.status === 403 ? 403 : 404]);
      expect(JSON.stringify(answer.body ?? {})).not.toContain(owner.householdId);
    }
    // A family is refused staff endpoints.
    for (const [method, path, body] of [
      ['POST', '/offers', {}],
      ['GET', '/offers'],
      ['POST', `/enrolments/${e}/accept`],
      ['POST', `/offers/${offer.id}/allocations`, { seed: 's' }],
      ['GET', '/sites/ecole-jaures/attendance?date=2026-09-03'],
    ] as [string, string, Json?][]) {
      expect([path, (await harness.call(method, path, owner.token, body)).status]).toEqual([path, 403]);
    }
    // Nothing changed for the owner through all of this.
    expect((await harness.call('GET', `/enrolments/${e}`, owner.token)).body.status).toBe('accepted');
  });
});
