import {
  AccountMessageRequested,
  EnrolmentPriced,
  EnrolmentRejected,
  EnrolmentSubmitted,
  PlaceOffered,
  Topics,
} from '@guichet/contracts';
import { expectEventually, KafkaProbe, uniqueName } from '@guichet/testing';
import { FakeSmsProvider, SmsProvider } from './channels/sms-provider';
import { NotificationsTestBed } from './test-support/notifications-harness';

// Addresses of this run only: a record of an earlier run read again cannot add tries to them.
const REFUSED_TWICE = `${uniqueName('flaky')}@example.org`;
const ALWAYS_REFUSED = `${uniqueName('full-mailbox')}@example.org`;

describe('notifications: events to mail, inbox and SMS, delivered once (real Kafka, FerretDB, Redis, SMTP)', () => {
  // 451 ("try again later") for the first two tries of one address, and for every try of another.
  const bed = new NotificationsTestBed(
    (address, attempt) => {
      if (address === REFUSED_TWICE && attempt <= 2) return 451;
      if (address === ALWAYS_REFUSED) return 451;
      return undefined;
    },
    {
      MAIL_FROM: 'Guichet <ne-pas-repondre@guichet.test>',
      DELIVERY_ATTEMPTS: '4',
      DELIVERY_BACKOFF_MS: '100',
    },
  );
  let probe: KafkaProbe;

  beforeAll(async () => {
    await bed.start();
    probe = await new KafkaProbe().watch(Topics.notifications);
  });

  afterAll(async () => {
    await probe.stop();
    await bed.stop();
  });

  const probeEvents = (type: string, householdId: string) =>
    probe.records
      .filter((record) => record.headers.ce_type === type)
      .map((record) => JSON.parse(record.value ?? '{}'))
      .filter((data) => data.householdId === householdId);

  it('mails a place offer with its deadline in Paris time, once although the event comes twice', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    await bed.knownContact({ householdId, email });
    const offered = { ...bed.enrolment(householdId), expiresAt: '2026-10-24T22:30:00Z' };
    const first = await bed.sender.send(PlaceOffered, offered.enrolmentId, offered);
    await bed.sender.send(PlaceOffered, offered.enrolmentId, offered, first.id);

    const [mail] = await expectEventually(() => {
      expect(bed.smtp.mailsTo(email)).toHaveLength(1);
      return bed.smtp.mailsTo(email);
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
    const statuses = await bed.deliveriesOf(householdId);
    expect(statuses.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'sent'],
      ['inbox', 'sent'],
    ]);
    expect(bed.smtp.mailsTo(email)).toHaveLength(1);
  });

  it('texts a required message to a family that agreed to SMS, through the fake provider', async () => {
    const householdId = uniqueName('hh');
    const phone = '+33612345678';
    await bed.knownContact({ householdId, phone, emailNotices: false, smsNotices: true });
    const offered = { ...bed.enrolment(householdId), expiresAt: '2026-03-29T16:00:00Z' };
    await bed.sender.send(PlaceOffered, offered.enrolmentId, offered);
    const fake = bed.app.get(SmsProvider) as FakeSmsProvider;
    expect(fake).toBeInstanceOf(FakeSmsProvider); // no SMS_PROVIDER_URL in this test
    const smsDelivery = await expectEventually(async () => {
      const statuses = await bed.deliveriesOf(householdId);
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
    const token = await bed.family(householdId);
    await bed.sender.send(EnrolmentSubmitted, householdId, bed.enrolment(householdId));
    const inbox = await expectEventually(async () => {
      const answer = await bed.get(`/households/${householdId}/inbox`, token);
      expect(answer.body.messages).toHaveLength(1);
      return answer.body;
    });
    expect(inbox.unread).toBe(1);
    expect(inbox.messages[0]).toMatchObject({
      kind: 'enrolment-submitted',
      subject: 'Demande d’inscription reçue',
    });
    expect(inbox.messages[0].text).toContain('votre demande d’inscription à la restauration scolaire');
    expect((await bed.get(`/households/${householdId}/inbox/unread-count`, token)).body).toEqual({
      unread: 1,
    });

    const read = await bed.request(`/households/${householdId}/inbox/${inbox.messages[0].id}/read`, 'POST', {
      token,
    });
    expect(read.status).toBe(204);
    expect((await bed.get(`/households/${householdId}/inbox/unread-count`, token)).body).toEqual({
      unread: 0,
    });
    const unknown = await bed.request(`/households/${householdId}/inbox/nope/read`, 'POST', { token });
    expect(unknown.status).toBe(404);
  });

  it('sends one mail after an SMTP server refuses twice (451) then accepts', async () => {
    const householdId = uniqueName('hh');
    await bed.knownContact({ householdId, email: REFUSED_TWICE });
    // Paris canteen tranche T4 (domain/REFERENCE.md §5): 2.28 € a meal.
    const priced = {
      ...bed.enrolment(householdId),
      gridId: 'cantine-paris',
      gridVersion: 1,
      unitPriceCents: 228,
      appliesFrom: '2026-09-01',
      explanation: ['QF 742 → tranche T4 (549 à 959 €) : 2,28 €'],
    };
    await bed.sender.send(EnrolmentPriced, priced.enrolmentId, priced);
    const [mail] = await expectEventually(() => {
      expect(bed.smtp.mailsTo(REFUSED_TWICE)).toHaveLength(1);
      return bed.smtp.mailsTo(REFUSED_TWICE);
    });
    expect(mail.subject).toBe('Le tarif de votre inscription');
    expect(mail.text).toContain('est de 2,28 € à partir du mardi 1er septembre 2026.');
    expect(mail.text).toContain('- QF 742 → tranche T4 (549 à 959 €) : 2,28 €');
    expect(bed.smtp.attemptsFor(REFUSED_TWICE)).toBe(3);
    const email = await expectEventually(async () => {
      const found = (await bed.deliveriesOf(householdId)).find((d) => d.channel === 'email');
      expect(found?.status).toBe('sent');
      return found;
    });
    expect(email?.attempts).toBe(3);
  });

  it('records the delivery failed after the last attempt, announces it, and shows it to agents', async () => {
    const householdId = uniqueName('hh');
    await bed.knownContact({ householdId, email: ALWAYS_REFUSED });
    const rejected = {
      ...bed.enrolment(householdId),
      reasonCode: 'no-place',
      reason: 'Plus de place sur ce site.',
    };
    await bed.sender.send(EnrolmentRejected, rejected.enrolmentId, rejected);

    const failed = await expectEventually(async () => {
      const answer = await bed.get(`/deliveries?status=failed&householdId=${householdId}`, bed.agent);
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
    expect(bed.smtp.attemptsFor(ALWAYS_REFUSED)).toBe(4);

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
    const own = (await bed.get(`/households/${householdId}/deliveries`, await bed.family(householdId))).body
      .deliveries;
    expect(own.map((d: { channel: string; status: string }) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'failed'],
      ['inbox', 'sent'],
    ]);
    const allFailed = (await bed.get('/deliveries?status=failed', bed.agent)).body.deliveries;
    expect(allFailed.every((d: { status: string }) => d.status === 'failed')).toBe(true);
  });

  it('honours the family’s preferences except for required messages', async () => {
    const householdId = uniqueName('hh');
    const email = `${householdId}@example.org`;
    const token = await bed.family(householdId);
    await bed.knownContact({ householdId, email });
    const saved = await bed.request(`/households/${householdId}/preferences`, 'PUT', {
      token,
      body: { channels: { enrolments: [], prices: ['email'] } },
    });
    expect(saved.status).toBe(200);
    expect((await bed.get(`/households/${householdId}/preferences`, token)).body).toEqual({
      channels: { enrolments: [], prices: ['email'] },
    });

    const submitted = bed.enrolment(householdId);
    await bed.sender.send(EnrolmentSubmitted, submitted.enrolmentId, submitted);
    const rejected = {
      ...submitted,
      reasonCode: 'not-eligible',
      reason: 'Enfant trop jeune pour ce service.',
    };
    await bed.sender.send(EnrolmentRejected, submitted.enrolmentId, rejected);

    // The rejection is required: mailed despite "no email for enrolments"; the submission is not.
    const [mail] = await expectEventually(() => {
      expect(bed.smtp.mailsTo(email)).toHaveLength(1);
      return bed.smtp.mailsTo(email);
    });
    expect(mail.subject).toBe('Inscription refusée');
    expect(mail.text).toContain('Enfant trop jeune pour ce service.');
    const deliveries = await expectEventually(async () => {
      const found = await bed.deliveriesOf(householdId);
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
    const token = await bed.family(householdId);
    const put = (body: unknown) =>
      bed.request(`/households/${householdId}/preferences`, 'PUT', { token, body });
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
    expect((await bed.get(`/households/${householdId}/preferences`, token)).body).toEqual({ channels: {} });
  });

  it('mails an account message to the address it proves, whatever the preferences', async () => {
    const householdId = uniqueName('hh');
    const email = `new-${householdId}@example.org`;
    await bed.knownContact({
      householdId,
      email: `old-${householdId}@example.org`,
      emailNotices: false,
    });
    await bed.sender.send(AccountMessageRequested, householdId, {
      accountId: uniqueName('acc'),
      householdId,
      purpose: 'email-verification',
      email,
      link: 'http://127.0.0.1:3001/auth/verify?token=abc',
      expiresAt: '2026-12-05T08:00:00Z',
    });
    const [mail] = await expectEventually(() => {
      expect(bed.smtp.mailsTo(email)).toHaveLength(1);
      return bed.smtp.mailsTo(email);
    });
    expect(mail.subject).toBe('Confirmez votre adresse électronique');
    expect(mail.text).toContain(
      'avant le samedi 5 décembre 2026 à 09 h 00 :\nhttp://127.0.0.1:3001/auth/verify?token=abc',
    );
    expect(bed.smtp.mailsTo(`old-${householdId}@example.org`)).toHaveLength(0);
  });
});
