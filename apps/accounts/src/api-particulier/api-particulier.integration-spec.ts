import { ApiParticulierClient, REQUESTS_PER_SECOND } from './api-particulier.client';
import { ApiParticulierFake, FAKE_UNKNOWN_NAME } from './api-particulier.fake';
import type { AllocataireIdentity } from './quotient-familial.provider';

const identity = (birthName: string): AllocataireIdentity => ({
  birthName,
  givenNames: ['Camille', 'Marie'],
  sex: 'F',
  birthDate: '1985-04-12',
  birthCommuneCode: '30189',
  birthCountryCode: '99100',
});

describe('the API Particulier v3 client against the local fake (loopback HTTP)', () => {
  let fake: ApiParticulierFake;
  let client: ApiParticulierClient;

  beforeAll(async () => {
    fake = await new ApiParticulierFake().start();
    client = new ApiParticulierClient({
      baseUrl: fake.url,
      token: 'test-token-0123',
      recipient: '21300189100016',
    });
  });

  afterAll(() => fake.stop());

  it('reads the quotient familial and the EAJE parameters from the documented v3 shapes', async () => {
    await expect(client.quotientFamilial(identity('Durand'), '2026-09')).resolves.toEqual({
      organisme: 'caf',
      value: 650,
      month: '2026-09',
    });
    await expect(client.quotientFamilial(identity('LEROY'))).resolves.toMatchObject({
      organisme: 'msa',
      value: 420,
    });
    await expect(client.psuInputs(identity('DURAND'))).resolves.toMatchObject({
      dependentChildren: 2,
      aeehChildren: 0,
      annualResourcesCents: 3_120_000,
    });
    await expect(client.quotientFamilial(identity(FAKE_UNKNOWN_NAME))).resolves.toBeNull();
  });

  it('sends the identity, the SIRET recipient and the token as v3 wants them', async () => {
    await client.quotientFamilial(identity('DURAND'), '2026-03');
    const { path, parameters } = fake.requests[fake.requests.length - 1];
    expect(path).toBe('/v3/dss/quotient_familial/identite');
    expect(Object.fromEntries([...parameters].filter(([k]) => k !== 'prenoms[]'))).toEqual({
      nomNaissance: 'DURAND',
      sexeEtatCivil: 'F',
      anneeDateNaissance: '1985',
      moisDateNaissance: '4',
      jourDateNaissance: '12',
      codeCogInseePaysNaissance: '99100',
      codeCogInseeCommuneNaissance: '30189',
      annee: '2026',
      mois: '3',
      recipient: '21300189100016',
    });
    expect(parameters.getAll('prenoms[]')).toEqual(['Camille', 'Marie']);
  });

  it('keeps to 20 requests per second: a burst of 45 is answered in full and takes two more seconds', async () => {
    const burst = new ApiParticulierClient({
      baseUrl: fake.url,
      token: 'burst-token-0123',
      recipient: '21300189100016',
    });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 45 }, () => burst.quotientFamilial(identity('DURAND'))),
    );
    expect(answers.every((a) => a?.value === 650)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 1000 - 50);
    // Without the limiter the fake says 429, as the real API does.
    const raw = await Promise.all(
      Array.from({ length: REQUESTS_PER_SECOND + 5 }, () =>
        fetch(`${fake.url}/v3/dss/quotient_familial/identite?nomNaissance=X&recipient=1`, {
          headers: { authorization: 'Bearer raw-token-0123' },
        }).then((r) => r.status),
      ),
    );
    expect(raw.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
  });

  it('tries a call the API refused with 429 once more, after the wait the API asks for', async () => {
    const token = 'crowded-token-0123';
    // Another instance of accounts used this token's whole second just now.
    const others = await Promise.all(
      Array.from({ length: REQUESTS_PER_SECOND }, () =>
        fetch(`${fake.url}/v3/dss/quotient_familial/identite?nomNaissance=X&recipient=1`, {
          headers: { authorization: `Bearer ${token}` },
        }).then((r) => r.status),
      ),
    );
    expect(others.every((status) => status === 200)).toBe(true);
    const client = new ApiParticulierClient({ baseUrl: fake.url, token, recipient: '21300189100016' });
    const started = Date.now();
    expect(await client.quotientFamilial(identity('DURAND'))).toMatchObject({ value: 650 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000 - 50); // the fake's Retry-After: 1
  });

  it('turns an unreachable or failing API into "unavailable", never "not found"', async () => {
    const noToken = await fetch(`${fake.url}/v3/dss/quotient_familial/identite?nomNaissance=X&recipient=1`);
    expect(noToken.status).toBe(401);
    const down = new ApiParticulierClient({
      baseUrl: 'http://127.0.0.1:9',
      token: 'x',
      recipient: '1',
      timeoutMs: 2000,
    });
    await expect(down.quotientFamilial(identity('DURAND'))).rejects.toMatchObject({
      name: 'DependencyUnavailableError',
    });
  });
});
