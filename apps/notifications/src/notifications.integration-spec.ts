import type { INestApplication } from '@nestjs/common';
import {
  AccountMessageRequested,
  BookingChanged,
  EnrolmentPriced,
  EnrolmentRejected,
  EnrolmentSubmitted,
  HouseholdErased,
  PlaceOffered,
  Topics,
} from '@guichet/contracts';
import { expectEventually, KafkaProbe, requestJson, TestTokenIssuer, uniqueName } from '@guichet/testing';
import { BroadcastService } from './broadcasts/broadcast.service';
import { FakeSmsProvider, SmsProvider } from './channels/sms-provider';
import {
  databaseOf,
  EventSender,
  knownContact,
  startNotifications,
} from './test-support/notifications-harness';
import { SmtpTestServer } from './test-support/smtp-test-server';

// Addresses of this run only: a record of an earlier run read again cannot add tries to them.
const REFUSED_TWICE = `${uniqueName('flaky')}@example.org`;
const ALWAYS_REFUSED = `${uniqueName('full-mailbox')}@example.org`;

describe('notifications: events to mail and inbox, delivered once (real Kafka, FerretDB, Redis, SMTP)', () => {
  const issuer = new TestTokenIssuer();
  // 451 ("try again later") for the first two tries of one address, and for every try of another.
  const smtp = new SmtpTestServer((address, attempt) => {
    if (address === REFUSED_TWICE && attempt <= 2) return 451;
    if (address === ALWAYS_REFUSED) return 451;
    return undefined;
  });
  const sender = new EventSender();
  const offerId = uniqueName('offer');
  const siteId = uniqueName('site');
  let app: INestApplication;
  let base: string;
  let agent: string;
  let probe: KafkaProbe;

  beforeAll(async () => {
    await issuer.start();
    await smtp.start();
    app = await startNotifications({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Guichet <ne-pas-repondre@guichet.test>',
      AUTH_JWKS_URL: issuer.jwksUrl,
      DELIVERY_ATTEMPTS: '4',
      DELIVERY_BACKOFF_MS: '100',
    });
    base = await app.getUrl();
    agent = await issuer.token({ sub: 'agent-1', role: 'agent' });
    probe = await new KafkaProbe().watch(Topics.notifications);
  });

  afterAll(async () => {
    await probe.stop();
    await sender.disconnect();
    await app.close();
    await smtp.stop();
    await issuer.stop();
  });

  const family = (householdId: string) =>
    issuer.token({ sub: `acc-${householdId}`, role: 'family', hid: householdId });
  const get = async (path: string, token?: string) => requestJson(`${base}${path}`, 'GET', { token });
  const enrolment = (householdId: string, overrides: Partial<{ offerId: string; siteId: string }> = {}) => ({
    enrolmentId: uniqueName('enr'),
    householdId,
    childId: uniqueName('child'),
    offerId,
    siteId,
    service: 'cantine',
    ...overrides,
  });
  const deliveriesOf = async (householdId: string) =>
    (await get(`/households/${householdId}/deliveries`, agent)).body.deliveries as {
      kind: string;
      channel: string;
      status: string;
      attempts: number;
      reason?: string;
      notificationId: string;
      id: string;
    }[];
  const probeEvents = (type: string, householdId: string) =>
    probe.records
      .filter((record) => record.headers.ce_type === type)
      .map((record) => JSON.parse(record.value ?? '{}'))
      .filter((data) => data.householdId === householdId);

  it('mails a place offer with its deadline in Paris time, once although the event comes twice', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    await knownContact(app, sender, { householdId, email });
    const offered = { ...enrolment(householdId), expiresAt: '2026-10-24T22:30:00Z' };
    const first = await sender.send(PlaceOffered, offered.enrolmentId, offered);
    await sender.send(PlaceOffered, offered.enrolmentId, offered, first.id);

    const [mail] = await expectEventually(() => {
      expect(smtp.mailsTo(email)).toHaveLength(1);
      return smtp.mailsTo(email);
    });
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe('ne-pas-repondre@guichet.test');
    expect(mail.subject).toBe('Une place vous est proposée');
    expect(mail.text).toContain('Bonjour,');
    // 22:30 UTC on 24 October 2026 is 00:30 the next day in Paris (still summer time, UTC+2).
    expect(mail.text).toContain('jusqu’au dimanche 25 octobre 2026 à 00 h 30 (heure de Paris)');
    expect(mail.html).toContain('<strong>dimanche 25 octobre 2026 à 00 h 30</strong>');

    const delivered = await expectEventually(() => {
      const found = probeEvents('fr.guichet.notification.delivered.v1', householdId);
      expect(found.map((event) => event.channel).sort()).toEqual(['email', 'inbox']);
      return found;
    });
    expect(new Set(delivered.map((event) => event.notificationId)).size).toBe(1);
    const statuses = await deliveriesOf(householdId);
    expect(statuses.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'sent'],
      ['inbox', 'sent'],
    ]);
    expect(smtp.mailsTo(email)).toHaveLength(1);
  });

  it('texts a required message to a family that agreed to SMS, through the fake provider', async () => {
    const householdId = uniqueName('hh');
    const phone = '+33612345678';
    await knownContact(app, sender, { householdId, phone, emailNotices: false, smsNotices: true });
    const offered = { ...enrolment(householdId), expiresAt: '2026-03-29T16:00:00Z' };
    await sender.send(PlaceOffered, offered.enrolmentId, offered);
    const fake = app.get(SmsProvider) as FakeSmsProvider;
    expect(fake).toBeInstanceOf(FakeSmsProvider); // no SMS_PROVIDER_URL in this test
    const smsDelivery = await expectEventually(async () => {
      const statuses = await deliveriesOf(householdId);
      expect(statuses.map((d) => [d.channel, d.status]).sort()).toEqual([
        ['inbox', 'sent'],
        ['sms', 'sent'],
      ]);
      return statuses.find((d) => d.channel === 'sms');
    });
    const sms = fake.sent.filter((message) => message.deliveryId === smsDelivery?.id);
    // 16:00 UTC on 29 March 2026, the first day of summer time, is 18:00 in Paris.
    expect(sms).toHaveLength(1);
    expect(sms[0].to).toBe(phone);
    expect(sms[0].text.startsWith('Une place vous est proposée\nBonjour,')).toBe(true);
    expect(sms[0].text).toContain('jusqu’au dimanche 29 mars 2026 à 18 h 00');
  });

  it('keeps the message in the inbox, counts it unread until the family reads it', async () => {
    const householdId = uniqueName('hh');
    const token = await family(householdId);
    await sender.send(EnrolmentSubmitted, householdId, enrolment(householdId));
    const inbox = await expectEventually(async () => {
      const answer = await get(`/households/${householdId}/inbox`, token);
      expect(answer.body.messages).toHaveLength(1);
      return answer.body;
    });
    expect(inbox.unread).toBe(1);
    expect(inbox.messages[0]).toMatchObject({
      kind: 'enrolment-submitted',
      subject: 'Demande d’inscription reçue',
    });
    expect(inbox.messages[0].text).toContain('votre demande d’inscription à la restauration scolaire');
    expect((await get(`/households/${householdId}/inbox/unread-count`, token)).body).toEqual({ unread: 1 });

    const read = await requestJson(
      `${base}/households/${householdId}/inbox/${inbox.messages[0].id}/read`,
      'POST',
      {
        token,
      },
    );
    expect(read.status).toBe(204);
    expect((await get(`/households/${householdId}/inbox/unread-count`, token)).body).toEqual({ unread: 0 });
    const unknown = await requestJson(`${base}/households/${householdId}/inbox/nope/read`, 'POST', { token });
    expect(unknown.status).toBe(404);
  });

  it('sends one mail after an SMTP server refuses twice (451) then accepts', async () => {
    const householdId = uniqueName('hh');
    await knownContact(app, sender, { householdId, email: REFUSED_TWICE });
    // Paris canteen tranche T4 (domain/REFERENCE.md §5): 2.28 € a meal.
    const priced = {
      ...enrolment(householdId),
      gridId: 'cantine-paris',
      gridVersion: 1,
      unitPriceCents: 228,
      appliesFrom: '2026-09-01',
      explanation: ['QF 742 → tranche T4 (549 à 959 €) : 2,28 €'],
    };
    await sender.send(EnrolmentPriced, priced.enrolmentId, priced);
    const [mail] = await expectEventually(() => {
      expect(smtp.mailsTo(REFUSED_TWICE)).toHaveLength(1);
      return smtp.mailsTo(REFUSED_TWICE);
    });
    expect(mail.subject).toBe('Le tarif de votre inscription');
    expect(mail.text).toContain('est de 2,28 € à partir du mardi 1er septembre 2026.');
    expect(mail.text).toContain('- QF 742 → tranche T4 (549 à 959 €) : 2,28 €');
    expect(smtp.attemptsFor(REFUSED_TWICE)).toBe(3);
    const email = await expectEventually(async () => {
      const found = (await deliveriesOf(householdId)).find((d) => d.channel === 'email');
      expect(found?.status).toBe('sent');
      return found;
    });
    expect(email?.attempts).toBe(3);
  });

  it('records the delivery failed after the last attempt, announces it, and shows it to agents', async () => {
    const householdId = uniqueName('hh');
    await knownContact(app, sender, { householdId, email: ALWAYS_REFUSED });
    const rejected = {
      ...enrolment(householdId),
      reasonCode: 'no-place',
      reason: 'Plus de place sur ce site.',
    };
    await sender.send(EnrolmentRejected, rejected.enrolmentId, rejected);

    const failed = await expectEventually(async () => {
      const answer = await get(`/deliveries?status=failed&householdId=${householdId}`, agent);
      expect(answer.status).toBe(200);
      expect(answer.body.deliveries).toHaveLength(1);
      return answer.body.deliveries[0];
    });
    expect(failed).toMatchObject({
      channel: 'email',
      kind: 'enrolment-rejected',
      status: 'failed',
      attempts: 4,
    });
    expect(failed.reason).toContain('451');
    expect(failed.reason).not.toContain(ALWAYS_REFUSED); // the address is masked
    expect(failed).not.toHaveProperty('recipient');
    expect(smtp.attemptsFor(ALWAYS_REFUSED)).toBe(4);

    const [announced] = await expectEventually(() => {
      const found = probeEvents('fr.guichet.notification.failed.v1', householdId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(announced).toMatchObject({
      channel: 'email',
      notificationId: failed.notificationId,
      reason: failed.reason,
    });
    // The family sees the same status for its own message; the inbox copy is there.
    const own = (await get(`/households/${householdId}/deliveries`, await family(householdId))).body
      .deliveries;
    expect(own.map((d: { channel: string; status: string }) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'failed'],
      ['inbox', 'sent'],
    ]);
    const allFailed = (await get('/deliveries?status=failed', agent)).body.deliveries;
    expect(allFailed.every((d: { status: string }) => d.status === 'failed')).toBe(true);
  });

  it('honours the family’s preferences except for required messages', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    const token = await family(householdId);
    await knownContact(app, sender, { householdId, email });
    const saved = await requestJson(`${base}/households/${householdId}/preferences`, 'PUT', {
      token,
      body: { channels: { enrolments: [], prices: ['email'] } },
    });
    expect(saved.status).toBe(200);
    expect((await get(`/households/${householdId}/preferences`, token)).body).toEqual({
      channels: { enrolments: [], prices: ['email'] },
    });

    const submitted = enrolment(householdId);
    await sender.send(EnrolmentSubmitted, submitted.enrolmentId, submitted);
    const rejected = {
      ...submitted,
      reasonCode: 'not-eligible',
      reason: 'Enfant trop jeune pour ce service.',
    };
    await sender.send(EnrolmentRejected, submitted.enrolmentId, rejected);

    // The rejection is required: mailed despite "no email for enrolments"; the submission is not.
    const [mail] = await expectEventually(() => {
      expect(smtp.mailsTo(email)).toHaveLength(1);
      return smtp.mailsTo(email);
    });
    expect(mail.subject).toBe('Inscription refusée');
    expect(mail.text).toContain('Enfant trop jeune pour ce service.');
    const deliveries = await expectEventually(async () => {
      const found = await deliveriesOf(householdId);
      expect(found.filter((d) => d.status === 'sent')).toHaveLength(3);
      return found;
    });
    expect(deliveries.map((d) => `${d.kind}/${d.channel}`).sort()).toEqual([
      'enrolment-rejected/email',
      'enrolment-rejected/inbox',
      'enrolment-submitted/inbox',
    ]);
  });

  it('refuses malformed preferences with the field named, and changes nothing', async () => {
    const householdId = uniqueName('hh');
    const token = await family(householdId);
    const put = (body: unknown) =>
      requestJson(`${base}/households/${householdId}/preferences`, 'PUT', { token, body });
    const wrongChannel = await put({ channels: { documents: ['pigeon'] } });
    expect(wrongChannel.status).toBe(400);
    expect(wrongChannel.type).toMatch(/^application\/problem\+json/);
    expect(wrongChannel.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'channels.documents' })]),
    );
    const account = await put({ channels: { account: [] } });
    expect(account.status).toBe(400);
    expect(JSON.stringify(account.body.errors)).toContain('account');
    expect((await put({})).status).toBe(400);
    expect((await get(`/households/${householdId}/preferences`, token)).body).toEqual({ channels: {} });
  });

  it('mails an account message to the address it proves, whatever the preferences', async () => {
    const householdId = uniqueName('hh');
    const email = `new-${householdId}@example.org`;
    await knownContact(app, sender, {
      householdId,
      email: `old-${householdId}@example.org`,
      emailNotices: false,
    });
    await sender.send(AccountMessageRequested, householdId, {
      accountId: uniqueName('acc'),
      householdId,
      purpose: 'email-verification',
      email,
      link: 'http://127.0.0.1:3001/auth/verify?token=abc',
      expiresAt: '2026-12-05T08:00:00Z',
    });
    const [mail] = await expectEventually(() => {
      expect(smtp.mailsTo(email)).toHaveLength(1);
      return smtp.mailsTo(email);
    });
    expect(mail.subject).toBe('Confirmez votre adresse électronique');
    expect(mail.text).toContain(
      'avant le samedi 5 décembre 2026 à 09 h 00 :\nhttp://127.0.0.1:3001/auth/verify?token=abc',
    );
    expect(smtp.mailsTo(`old-${householdId}@example.org`)).toHaveLength(0);
  });

  it('broadcasts an agent’s notice to the families of an offer, a site or a day, one job per family', async () => {
    const inOffer = [uniqueName('hh'), uniqueName('hh'), uniqueName('hh')];
    const elsewhere = uniqueName('hh');
    const otherOffer = uniqueName('offer');
    const noticeOffer = uniqueName('offer');
    await knownContact(app, sender, { householdId: inOffer[0], email: `${inOffer[0]}@example.org` });
    for (const householdId of inOffer) {
      await sender.send(EnrolmentSubmitted, householdId, enrolment(householdId, { offerId: noticeOffer }));
    }
    const away = enrolment(elsewhere, { offerId: otherOffer, siteId: uniqueName('site') });
    await sender.send(EnrolmentSubmitted, away.enrolmentId, away);
    await sender.send(BookingChanged, away.enrolmentId, {
      ...away,
      booked: ['2026-10-15', '2026-10-16'],
      cancelledWithCredit: [],
      creditCents: 0,
    });
    await sender.send(BookingChanged, inOffer[1], {
      ...enrolment(inOffer[1], { offerId: noticeOffer }),
      booked: ['2026-10-15'],
      cancelledWithCredit: [],
      creditCents: 0,
    });
    const enrolments = databaseOf(app).collection('enrolments');
    await expectEventually(async () =>
      expect(await enrolments.countDocuments({ householdId: { $in: [...inOffer, elsewhere] } })).toBe(4),
    );
    await expectEventually(async () =>
      expect(
        await databaseOf(app)
          .collection('booked_days')
          .countDocuments({ date: '2026-10-15', householdId: { $in: [...inOffer, elsewhere] } }),
      ).toBe(2),
    );

    const post = (body: unknown, token = agent) => requestJson(`${base}/broadcasts`, 'POST', { token, body });
    const notice = {
      subject: 'Grève du jeudi 15 octobre',
      text: 'La cantine sera fermée jeudi.\nMerci de votre compréhension.',
    };
    const byOffer = await post({ scope: 'offer', offerId: noticeOffer, ...notice });
    expect(byOffer.status).toBe(202);
    expect(byOffer.body.families).toBe(3);
    const jobs = await app.get(BroadcastService).jobsOf(byOffer.body.broadcastId, [...inOffer, elsewhere]);
    expect(jobs.slice(0, 3).every((job) => job !== undefined)).toBe(true);
    expect(jobs[3]).toBeUndefined();
    for (const householdId of inOffer) {
      await expectEventually(async () => {
        const inbox = (await get(`/households/${householdId}/inbox`, await family(householdId))).body
          .messages;
        expect(inbox.filter((m: { kind: string }) => m.kind === 'broadcast')).toHaveLength(1);
      });
    }
    const [mail] = await expectEventually(() => {
      const found = smtp.mailsTo(`${inOffer[0]}@example.org`).filter((m) => m.subject === notice.subject);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(mail.text).toContain('La cantine sera fermée jeudi.\nMerci de votre compréhension.');

    const bySite = await post({ scope: 'site', siteId: away.siteId, ...notice });
    expect(bySite.body.families).toBe(1);
    const byDay = await post({ scope: 'day', date: '2026-10-15', offerId: otherOffer, ...notice });
    expect(byDay.body.families).toBe(1);
    const [dayJob] = await app.get(BroadcastService).jobsOf(byDay.body.broadcastId, [elsewhere]);
    expect(dayJob).toBeDefined();
  });

  it('refuses a malformed or empty broadcast, and lets only agents send one', async () => {
    const post = (body: unknown, token?: string) =>
      requestJson(`${base}/broadcasts`, 'POST', { token, body });
    const notice = { subject: 'Fermeture exceptionnelle', text: 'Le centre sera fermé vendredi.' };
    const noOffer = await post({ scope: 'offer', ...notice }, agent);
    expect(noOffer.status).toBe(400);
    expect(noOffer.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'offerId' })]),
    );
    const badDay = await post({ scope: 'day', date: '2026-02-30', ...notice }, agent);
    expect(badDay.status).toBe(400);
    expect(badDay.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'date' })]));
    const long = await post(
      { scope: 'site', siteId: 's', subject: 'x'.repeat(121), text: 'y'.repeat(2001) },
      agent,
    );
    expect(long.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['subject', 'text']);
    const nobody = await post({ scope: 'site', siteId: uniqueName('empty-site'), ...notice }, agent);
    expect(nobody.status).toBe(422);
    expect((await post({ scope: 'site', siteId, ...notice }, await family(uniqueName('hh')))).status).toBe(
      403,
    );
    expect((await post({ scope: 'site', siteId, ...notice })).status).toBe(401);
  });

  it('lets a family reach its own household only', async () => {
    const own = uniqueName('hh');
    const other = uniqueName('hh');
    const token = await family(own);
    for (const path of ['inbox', 'inbox/unread-count', 'preferences', 'deliveries']) {
      expect((await get(`/households/${own}/${path}`, token)).status).toBe(200);
      const foreign = await get(`/households/${other}/${path}`, token);
      expect({ path, status: foreign.status }).toEqual({ path, status: 404 });
      expect(foreign.type).toMatch(/^application\/problem\+json/);
      expect((await get(`/households/${own}/${path}`)).status).toBe(401);
    }
    const put = await requestJson(`${base}/households/${other}/preferences`, 'PUT', {
      token,
      body: { channels: {} },
    });
    expect(put.status).toBe(404);
    expect((await get('/deliveries', token)).status).toBe(403);
    expect((await get('/deliveries?status=lost', agent)).status).toBe(400);
  });

  it('erases the household’s inbox, contact, preferences and the personal parts of its deliveries, twice alike', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    const token = await family(householdId);
    await knownContact(app, sender, { householdId, email });
    await requestJson(`${base}/households/${householdId}/preferences`, 'PUT', {
      token,
      body: { channels: { prices: [] } },
    });
    await sender.send(EnrolmentSubmitted, householdId, enrolment(householdId));
    await expectEventually(async () =>
      expect((await deliveriesOf(householdId)).filter((d) => d.status === 'sent')).toHaveLength(2),
    );

    const erased = { householdId, erasedAt: new Date().toISOString() };
    await sender.send(HouseholdErased, householdId, erased);
    await sender.send(HouseholdErased, householdId, erased); // a second announcement (another id) changes nothing more
    const db = databaseOf(app);
    await expectEventually(async () => expect(await deliveriesOf(householdId)).toEqual([]));
    expect((await get(`/households/${householdId}/inbox`, token)).body).toEqual({ unread: 0, messages: [] });
    expect((await get(`/households/${householdId}/preferences`, token)).body).toEqual({ channels: {} });
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
    const late = enrolment(householdId);
    await sender.send(EnrolmentSubmitted, late.enrolmentId, late);
    const marker = uniqueName('hh');
    await sender.send(EnrolmentSubmitted, late.enrolmentId, enrolment(marker, {})); // same partition, after it
    await expectEventually(async () => expect(await deliveriesOf(marker)).toHaveLength(1));
    expect(await deliveriesOf(householdId)).toEqual([]);
    expect(await db.collection('enrolments').countDocuments({ householdId })).toBe(0);
  });
});
