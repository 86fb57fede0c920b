import { EnrolmentSubmitted } from '@guichet/contracts';
import {
  databaseFingerprint,
  expectEventually,
  fuzzService,
  OpenApiDocument,
  operationsOf,
  uniqueName,
} from '@guichet/testing';
import { databaseOf, NotificationsTestBed } from './test-support/notifications-harness';

/** Change it to explore other requests; a failure names its request, and the same seed replays it. */
const SEED = 20_261_204;

describe('notifications refuses malformed requests to every endpoint of its OpenAPI document (real Kafka, FerretDB, Redis)', () => {
  const bed = new NotificationsTestBed(undefined, { LOG_LEVEL: 'fatal' });

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  it('never answers 5xx, answers every 4xx as problem+json, and a refused request changes nothing', async () => {
    // A family with a contact, two messages in its inbox (an enrolment's and an agent's notice) and
    // their mails, so that path ids reach the checks behind them.
    const householdId = uniqueName('hh-fuzz');
    const family = await bed.family(householdId);
    const admin = await bed.issuer.token({ sub: 'admin-fuzz', role: 'admin' });
    await bed.knownContact({ householdId, email: `${householdId}@example.org` });
    await bed.sender.send(EnrolmentSubmitted, householdId, bed.enrolment(householdId));
    // Another family in the offer of the broadcast body documented first, the one fuzzed broadcasts
    // start from, so that they get past "no family" (422).
    const document: OpenApiDocument = (await bed.get('/docs/openapi.json')).body;
    const offerId = String(document.components?.schemas?.OfferBroadcastBody.properties?.offerId.example);
    const target = uniqueName('hh-fuzz-target');
    await bed.sender.send(EnrolmentSubmitted, target, bed.enrolment(target, { offerId }));
    const db = databaseOf(bed.app).db;
    if (!db) throw new Error('no database');
    await expectEventually(async () =>
      expect(
        await db.collection('enrolments').countDocuments({ householdId: { $in: [householdId, target] } }),
      ).toBe(2),
    );
    const notice = await bed.request('/broadcasts', 'POST', {
      token: bed.agent,
      body: {
        scope: 'offer',
        offerId: bed.offerId,
        subject: 'Sortie annulée',
        text: 'La sortie est annulée.',
      },
    });
    expect(notice.body).toEqual({ broadcastId: expect.any(String), families: 1 });
    // Workers write deliveries and the inbox: they must be done before any picture is taken.
    await expectEventually(async () => {
      const deliveries = await bed.deliveriesOf(householdId);
      expect(deliveries.map((d) => [d.kind, d.channel, d.status]).sort()).toEqual([
        ['broadcast', 'email', 'sent'],
        ['broadcast', 'inbox', 'sent'],
        ['enrolment-submitted', 'email', 'sent'],
        ['enrolment-submitted', 'inbox', 'sent'],
      ]);
    });
    const inbox = (await bed.get(`/households/${householdId}/inbox`, family)).body;
    expect(inbox.messages).toHaveLength(2);

    // Contacts and the enrolment projections are written by the consumers of the shared topics,
    // whatever the requests; so are deliveries and inboxes, where only this family's count (other
    // runs' events reach this service too, and broadcasts reach the other family).
    const state = () =>
      databaseFingerprint(db, ['contacts', 'enrolments', 'booked_days'], {
        deliveries: { householdId },
        inbox: { householdId },
      });
    const report = await fuzzService({
      baseUrl: bed.base,
      document,
      // Staff first, so that odd household ids reach the database rather than the family's 404;
      // marking a message read is the family's own.
      tokens: [bed.agent, admin, family],
      state,
      seed: SEED,
      maxPerOperation: 40,
      pathValues: { id: householdId, messageId: inbox.messages[1].id },
      skip: ({ path }) => path.startsWith('/health'),
    });

    expect(report.problems).toEqual([]);
    // Every operation of the document was exercised: some answer got past the role and the path id.
    const operations = operationsOf(document)
      .filter(({ path }) => !path.startsWith('/health'))
      .map(({ method, path }) => `${method} ${path}`);
    expect(operations).toHaveLength(8);
    const reached = operations.filter((name) =>
      Object.keys(report.byOperation[name] ?? {}).some((status) => !['401', '403', '404'].includes(status)),
    );
    expect(reached).toEqual(operations);
    // Fuzzed broadcasts reached the families (the documented offer has one), not only "no family".
    expect(report.byOperation['POST /broadcasts'][202]).toBeGreaterThan(0);
    // Most malformed requests reached validation (400), rather than stopping at the role check.
    expect(report.statuses[400]).toBeGreaterThan(report.operations * 5);
    expect(report.requests).toBeGreaterThan(report.operations * 15);
  });
});
