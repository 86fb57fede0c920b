import { BookingChanged, EnrolmentSubmitted, HouseholdErased } from '@guichet/contracts';
import { expectEventually, uniqueName } from '@guichet/testing';
import { BroadcastService } from './broadcasts/broadcast.service';
import { databaseOf, NotificationsTestBed } from './test-support/notifications-harness';

describe('notifications: agents’ broadcasts, who may read what, erasure (real Kafka, FerretDB, Redis, SMTP)', () => {
  const bed = new NotificationsTestBed();

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  it('broadcasts an agent’s notice to the families of an offer, a site or a day, one job per family', async () => {
    const inOffer = [uniqueName('hh'), uniqueName('hh'), uniqueName('hh')];
    const elsewhere = uniqueName('hh');
    const otherOffer = uniqueName('offer');
    const noticeOffer = uniqueName('offer');
    await bed.knownContact({ householdId: inOffer[0], email: `${inOffer[0]}@example.org` });
    for (const householdId of inOffer) {
      await bed.sender.send(
        EnrolmentSubmitted,
        householdId,
        bed.enrolment(householdId, { offerId: noticeOffer }),
      );
    }
    const away = bed.enrolment(elsewhere, { offerId: otherOffer, siteId: uniqueName('site') });
    await bed.sender.send(EnrolmentSubmitted, away.enrolmentId, away);
    await bed.sender.send(BookingChanged, away.enrolmentId, {
      ...away,
      booked: ['2026-10-15', '2026-10-16'],
      cancelledWithCredit: [],
      creditCents: 0,
    });
    await bed.sender.send(BookingChanged, inOffer[1], {
      ...bed.enrolment(inOffer[1], { offerId: noticeOffer }),
      booked: ['2026-10-15'],
      cancelledWithCredit: [],
      creditCents: 0,
    });
    const enrolments = databaseOf(bed.app).collection('enrolments');
    await expectEventually(async () =>
      expect(await enrolments.countDocuments({ householdId: { $in: [...inOffer, elsewhere] } })).toBe(4),
    );
    await expectEventually(async () =>
      expect(
        await databaseOf(bed.app)
          .collection('booked_days')
          .countDocuments({ date: '2026-10-15', householdId: { $in: [...inOffer, elsewhere] } }),
      ).toBe(2),
    );

    const post = (body: unknown, token = bed.agent) => bed.request(`/broadcasts`, 'POST', { token, body });
    const notice = {
      subject: 'Grève du jeudi 15 octobre',
      text: 'La cantine sera fermée jeudi.\nMerci de votre compréhension.',
    };
    const byOffer = await post({ scope: 'offer', offerId: noticeOffer, ...notice });
    expect(byOffer.status).toBe(202);
    expect(byOffer.body.families).toBe(3);
    const jobs = await bed.app
      .get(BroadcastService)
      .jobsOf(byOffer.body.broadcastId, [...inOffer, elsewhere]);
    expect(jobs.slice(0, 3).every((job) => job !== undefined)).toBe(true);
    expect(jobs[3]).toBeUndefined();
    for (const householdId of inOffer) {
      await expectEventually(async () => {
        const inbox = (await bed.get(`/households/${householdId}/inbox`, await bed.family(householdId))).body
          .messages;
        expect(inbox.filter((m: { kind: string }) => m.kind === 'broadcast')).toHaveLength(1);
      });
    }
    const [mail] = await expectEventually(() => {
      const found = bed.smtp.mailsTo(`${inOffer[0]}@example.org`).filter((m) => m.subject === notice.subject);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(mail.text).toContain('La cantine sera fermée jeudi.\nMerci de votre compréhension.');

    const bySite = await post({ scope: 'site', siteId: away.siteId, ...notice });
    expect(bySite.body.families).toBe(1);
    const byDay = await post({ scope: 'day', date: '2026-10-15', offerId: otherOffer, ...notice });
    expect(byDay.body.families).toBe(1);
    const [dayJob] = await bed.app.get(BroadcastService).jobsOf(byDay.body.broadcastId, [elsewhere]);
    expect(dayJob).toBeDefined();
  });

  it('adds later the jobs of a broadcast recorded but not enqueued (a stop in between), and forgets erased families', async () => {
    const householdId = uniqueName('hh');
    const broadcasts = databaseOf(bed.app).collection('broadcasts');
    const broadcastId = uniqueName('broadcast');
    await broadcasts.insertOne({
      _id: broadcastId,
      scope: { kind: 'site', siteId: bed.siteId },
      subject: 'Sortie annulée',
      text: 'La sortie de mercredi est annulée.',
      households: [householdId, 'hh-other'],
      createdBy: 'agent-1',
      createdAt: new Date(Date.now() - 120_000),
    } as never);

    expect(await bed.app.get(BroadcastService).resumeBroadcasts(0)).toBeGreaterThanOrEqual(1);
    await expectEventually(async () => {
      const inbox = (await bed.get(`/households/${householdId}/inbox`, await bed.family(householdId))).body;
      expect(inbox.messages.map((m: { subject: string }) => m.subject)).toEqual(['Sortie annulée']);
    });
    expect(await broadcasts.findOne({ _id: broadcastId } as never)).toHaveProperty('enqueuedAt');

    await bed.sender.send(HouseholdErased, householdId, { householdId, erasedAt: new Date().toISOString() });
    await expectEventually(async () =>
      expect((await broadcasts.findOne({ _id: broadcastId } as never))?.households).toEqual(['hh-other']),
    );
  });

  it('refuses a malformed or empty broadcast, and lets only agents send one', async () => {
    const post = (body: unknown, token?: string) => bed.request(`/broadcasts`, 'POST', { token, body });
    const notice = { subject: 'Fermeture exceptionnelle', text: 'Le centre sera fermé vendredi.' };
    const noOffer = await post({ scope: 'offer', ...notice }, bed.agent);
    expect(noOffer.status).toBe(400);
    expect(noOffer.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'offerId' })]),
    );
    const badDay = await post({ scope: 'day', date: '2026-02-30', ...notice }, bed.agent);
    expect(badDay.status).toBe(400);
    expect(badDay.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'date' })]));
    const long = await post(
      { scope: 'site', siteId: 's', subject: 'x'.repeat(121), text: 'y'.repeat(2001) },
      bed.agent,
    );
    expect(long.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['subject', 'text']);
    const nobody = await post({ scope: 'site', siteId: uniqueName('empty-site'), ...notice }, bed.agent);
    expect(nobody.status).toBe(422);
    expect(
      (await post({ scope: 'site', siteId: bed.siteId, ...notice }, await bed.family(uniqueName('hh'))))
        .status,
    ).toBe(403);
    expect((await post({ scope: 'site', siteId: bed.siteId, ...notice })).status).toBe(401);
  });

  it('lets a family reach its own household only', async () => {
    const own = uniqueName('hh');
    const other = uniqueName('hh');
    const token = await bed.family(own);
    for (const path of ['inbox', 'inbox/unread-count', 'preferences', 'deliveries']) {
      expect((await bed.get(`/households/${own}/${path}`, token)).status).toBe(200);
      const foreign = await bed.get(`/households/${other}/${path}`, token);
      expect({ path, status: foreign.status }).toEqual({ path, status: 404 });
      expect(foreign.type).toMatch(/^application\/problem\+json/);
      expect((await bed.get(`/households/${own}/${path}`)).status).toBe(401);
    }
    const put = await bed.request(`/households/${other}/preferences`, 'PUT', {
      token,
      body: { channels: {} },
    });
    expect(put.status).toBe(404);
    expect((await bed.get('/deliveries', token)).status).toBe(403);
    expect((await bed.get('/deliveries?status=lost', bed.agent)).status).toBe(400);
  });

  it('erases the household’s inbox, contact, preferences and the personal parts of its deliveries, twice alike', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    const token = await bed.family(householdId);
    await bed.knownContact({ householdId, email });
    await bed.request(`/households/${householdId}/preferences`, 'PUT', {
      token,
      body: { channels: { prices: [] } },
    });
    await bed.sender.send(EnrolmentSubmitted, householdId, bed.enrolment(householdId));
    await expectEventually(async () =>
      expect((await bed.deliveriesOf(householdId)).filter((d) => d.status === 'sent')).toHaveLength(2),
    );

    const erased = { householdId, erasedAt: new Date().toISOString() };
    await bed.sender.send(HouseholdErased, householdId, erased);
    await bed.sender.send(HouseholdErased, householdId, erased); // a second announcement (another id) changes nothing more
    const db = databaseOf(bed.app);
    await expectEventually(async () => expect(await bed.deliveriesOf(householdId)).toEqual([]));
    expect((await bed.get(`/households/${householdId}/inbox`, token)).body).toEqual({
      unread: 0,
      messages: [],
    });
    expect((await bed.get(`/households/${householdId}/preferences`, token)).body).toEqual({ channels: {} });
    const contact = await db.collection('contacts').findOne({ _id: householdId } as never);
    expect(contact).toMatchObject({ erased: true });
    expect(contact).not.toHaveProperty('email');
    expect(await db.collection('enrolments').countDocuments({ householdId })).toBe(0);
    const anonymous = await db
      .collection('deliveries')
      .find({ householdId: 'erased', recipient: email })
      .toArray();
    expect(anonymous).toEqual([]);

    // A late event about the erased household writes nothing to it.
    const late = bed.enrolment(householdId);
    await bed.sender.send(EnrolmentSubmitted, late.enrolmentId, late);
    const marker = uniqueName('hh');
    await bed.sender.send(EnrolmentSubmitted, late.enrolmentId, bed.enrolment(marker, {})); // same partition, after it
    await expectEventually(async () => expect(await bed.deliveriesOf(marker)).toHaveLength(1));
    expect(await bed.deliveriesOf(householdId)).toEqual([]);
    expect(await db.collection('enrolments').countDocuments({ householdId })).toBe(0);
  });
});
