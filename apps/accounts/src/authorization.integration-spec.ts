import type { INestApplication } from '@nestjs/common';
import { TestTokenIssuer } from '@guichet/testing';
import {
  adminCredentials,
  Call,
  expiredAccessToken,
  registerFamily,
  staffToken,
  startAccounts,
  TestFamily,
} from './test-support/accounts-harness';

/** What must never leak out of family A's file, whatever the answer. */
const SECRETS = { child: 'Zephyrine-Secret', guardian: 'Guardian-Secret', pdf: 'PDF-SECRET-CONTENT' };
const PDF = Buffer.from(`%PDF-1.7\n${SECRETS.pdf}\n`, 'latin1');
const identity = {
  birthName: 'DURAND',
  givenNames: ['Camille'],
  sex: 'F',
  birthDate: '1985-04-12',
  birthCountryCode: '99100',
};

interface Ids {
  household: string;
  child: string;
  guardian: string;
  document: string;
}

/** One accounts endpoint of a household, with a valid body so that only authorisation can refuse it. */
interface Endpoint {
  name: string;
  method: string;
  path: (ids: Ids) => string;
  body?: unknown;
  multipart?: boolean;
  /** Has ids below the household's (a family may try its own household id with another's sub-resource). */
  nested?: boolean;
  /** Families may not call it at all (403 for any family). */
  staffOnly?: boolean;
}

const HOUSEHOLD_ENDPOINTS: Endpoint[] = [
  { name: 'read the file', method: 'GET', path: (i) => `/households/${i.household}` },
  {
    name: 'change the file',
    method: 'PATCH',
    path: (i) => `/households/${i.household}`,
    body: { consents: { smsNotices: true } },
  },
  {
    name: 'add a child',
    method: 'POST',
    path: (i) => `/households/${i.household}/children`,
    body: { firstName: 'N', lastName: 'N', birthDate: '2020-02-02' },
  },
  {
    name: 'change a child',
    method: 'PATCH',
    path: (i) => `/households/${i.household}/children/${i.child}`,
    body: { pai: true },
    nested: true,
  },
  {
    name: 'add a guardian',
    method: 'POST',
    path: (i) => `/households/${i.household}/guardians`,
    body: { firstName: 'G', lastName: 'G', pays: true },
  },
  {
    name: 'change a guardian',
    method: 'PATCH',
    path: (i) => `/households/${i.household}/guardians/${i.guardian}`,
    body: { pays: false },
    nested: true,
  },
  {
    name: 'declare a QF',
    method: 'POST',
    path: (i) => `/households/${i.household}/qf-records`,
    body: { value: 500, referenceMonth: '2026-10' },
  },
  {
    name: 'compute the municipal QF',
    method: 'POST',
    path: (i) => `/households/${i.household}/qf-records/municipal`,
    body: { revenuFiscalReferenceCents: 3_000_000, incomeYear: 2025, adults: 2 },
  },
  {
    name: 'fetch the QF from the CAF',
    method: 'POST',
    path: (i) => `/households/${i.household}/qf-records/caf`,
    body: { identity },
  },
  {
    name: 'record PSU inputs',
    method: 'POST',
    path: (i) => `/households/${i.household}/psu-inputs`,
    body: { year: 2025, annualResourcesCents: 100, dependentChildren: 1, aeehChildren: 0 },
  },
  {
    name: 'fetch PSU inputs from the CAF',
    method: 'POST',
    path: (i) => `/households/${i.household}/psu-inputs/caf`,
    body: { identity },
  },
  {
    name: 'upload a document',
    method: 'POST',
    path: (i) => `/households/${i.household}/documents`,
    multipart: true,
  },
  { name: 'list documents', method: 'GET', path: (i) => `/households/${i.household}/documents` },
  {
    name: 'read a document',
    method: 'GET',
    path: (i) => `/households/${i.household}/documents/${i.document}`,
    nested: true,
  },
  {
    name: 'download a document',
    method: 'GET',
    path: (i) => `/households/${i.household}/documents/${i.document}/content`,
    nested: true,
  },
  {
    name: 'review a document',
    method: 'POST',
    path: (i) => `/households/${i.household}/documents/${i.document}/review`,
    body: { decision: 'accepted' },
    nested: true,
    staffOnly: true,
  },
  { name: 'export the file', method: 'GET', path: (i) => `/households/${i.household}/export` },
  {
    name: 'remove a guardian',
    method: 'DELETE',
    path: (i) => `/households/${i.household}/guardians/${i.guardian}`,
    nested: true,
  },
  // Last: it ends the file.
  { name: 'erase the file', method: 'POST', path: (i) => `/households/${i.household}/erasure` },
];

const ACCOUNT_ENDPOINTS: Endpoint[] = [
  { name: 'who am I', method: 'GET', path: () => '/auth/me' },
  { name: 'ask a new verification link', method: 'POST', path: () => '/auth/verify-email/resend' },
  {
    name: 'create a staff account',
    method: 'POST',
    path: () => '/staff-users',
    body: { email: 'x@example.fr', password: 'a long staff password', role: 'agent', scopes: ['*'] },
    staffOnly: true,
  },
];

/** Open to anyone by design (each is tested where it is built). */
const PUBLIC_ENDPOINTS = [
  'GET /health/live',
  'GET /health/ready',
  'GET /.well-known/jwks.json',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /auth/verify-email',
  'POST /auth/password-reset',
  'POST /auth/password-reset/confirm',
  'POST /families',
];

describe('authorisation of every accounts endpoint: another family, anonymous, expired or foreign tokens (real stack)', () => {
  let accounts: INestApplication;
  let base: string;
  let call: Call;
  let owner: TestFamily;
  let stranger: TestFamily;
  let ids: Ids;
  let tokens: { expired: string; foreign: string; finance: string; agent: string; admin: string };
  let versionBefore: number;
  /** Counts the refusal tests that ran, so the checks after them prove they ran first. */
  let refusalTestsRun = 0;

  /** One call as the endpoint wants it (JSON or multipart), the answer's status and raw text. */
  const send = async (endpoint: Endpoint, path: string, token?: string) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    let body: RequestInit['body'];
    if (endpoint.multipart) {
      const form = new FormData();
      form.append('documentType', 'insurance');
      form.append('file', new Blob([new Uint8Array(PDF)]), 'scan.pdf');
      body = form;
    } else if (endpoint.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(endpoint.body);
    }
    const response = await fetch(`${base}${path}`, { method: endpoint.method, headers, body });
    return { status: response.status, text: await response.text() };
  };
  const expectNothingLeaked = (text: string) => {
    for (const secret of [...Object.values(SECRETS), owner.email.toLowerCase()])
      expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    const admin = adminCredentials();
    ({ app: accounts, base, call } = await startAccounts('accounts-authz', admin.env));
    owner = await registerFamily(call, 'owner', { consents: { cafDataSharing: true } });
    stranger = await registerFamily(call, 'stranger', { consents: { cafDataSharing: true } });
    const household = owner.householdId;
    const child = await call(
      'POST',
      `/households/${household}/children`,
      { firstName: SECRETS.child, lastName: 'X', birthDate: '2019-01-01' },
      owner.token,
    );
    const guardian = await call(
      'POST',
      `/households/${household}/guardians`,
      { firstName: 'A', lastName: SECRETS.guardian, pays: true },
      owner.token,
    );
    await call(
      'POST',
      `/households/${household}/qf-records`,
      { value: 700, referenceMonth: '2026-10' },
      owner.token,
    );
    const document = await send(
      HOUSEHOLD_ENDPOINTS.find((e) => e.multipart) as Endpoint,
      `/households/${household}/documents`,
      owner.token,
    );
    ids = {
      household,
      child: child.body.children[0].childId,
      guardian: guardian.body.guardians[0].guardianId,
      document: JSON.parse(document.text).id,
    };
    const me = (await call('GET', '/auth/me', undefined, owner.token)).body;
    const issuer = await new TestTokenIssuer().start();
    tokens = {
      expired: await expiredAccessToken(accounts, { sub: me.subject, role: 'family', hid: household }),
      // The same claims, signed by a key accounts never published.
      foreign: await issuer.token({ sub: me.subject, role: 'family', hid: household }),
      finance: await staffToken(call, admin, 'finance', []),
      agent: await staffToken(call, admin, 'agent'),
      admin: (await call('POST', '/auth/login', { email: admin.email, password: admin.password })).body
        .accessToken,
    };
    await issuer.stop();
    versionBefore = (await call('GET', `/households/${household}`, undefined, owner.token)).body.version;
  });

  afterAll(() => accounts.close());

  describe.each([...HOUSEHOLD_ENDPOINTS, ...ACCOUNT_ENDPOINTS].map((e) => [e.name, e] as const))(
    '%s',
    (_, endpoint) => {
      it('answers 401 without a token, with an expired one and with one signed by another key', async () => {
        for (const [kind, token] of [
          ['none', undefined],
          ['expired', tokens.expired],
          ['foreign', tokens.foreign],
        ] as const) {
          const answer = await send(endpoint, endpoint.path(ids), token);
          expect({ kind, status: answer.status }).toEqual({ kind, status: 401 });
          expectNothingLeaked(answer.text);
        }
        refusalTestsRun++;
      });

      if (HOUSEHOLD_ENDPOINTS.includes(endpoint)) {
        it('gives another family and finance staff nothing: 404 (403 where families may not call at all)', async () => {
          const asStranger = await send(endpoint, endpoint.path(ids), stranger.token);
          expect(asStranger.status).toBe(endpoint.staffOnly ? 403 : 404);
          expectNothingLeaked(asStranger.text);
          if (endpoint.nested) {
            // Its own household id with the other family's child, guardian or document.
            const mixed = await send(
              endpoint,
              endpoint.path({ ...ids, household: stranger.householdId }),
              stranger.token,
            );
            expect(mixed.status).toBe(endpoint.staffOnly ? 403 : 404);
            expectNothingLeaked(mixed.text);
          }
          const asFinance = await send(endpoint, endpoint.path(ids), tokens.finance);
          expect([403, 404]).toContain(asFinance.status);
          expectNothingLeaked(asFinance.text);
          refusalTestsRun++;
        });
      } else if (endpoint.staffOnly) {
        it('refuses families (403)', async () => {
          expect((await send(endpoint, endpoint.path(ids), stranger.token)).status).toBe(403);
        });
      }
    },
  );

  it('covers every endpoint of the OpenAPI document but the public ones', async () => {
    const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const templates = {
      household: '{id}',
      child: '{childId}',
      guardian: '{guardianId}',
      document: '{documentId}',
    };
    const inTable = [...HOUSEHOLD_ENDPOINTS, ...ACCOUNT_ENDPOINTS].map(
      (e) => `${e.method} ${e.path(templates)}`,
    );
    const notInTable = documented.filter((operation) => !inTable.includes(operation)).sort();
    expect(notInTable).toEqual(PUBLIC_ENDPOINTS.slice().sort());
  });

  // In a describe of its own: Jest runs a block's own tests before its nested blocks.
  describe('afterwards', () => {
    it('changed nothing in the file through all these refusals', async () => {
      expect(refusalTestsRun).toBe(2 * HOUSEHOLD_ENDPOINTS.length + ACCOUNT_ENDPOINTS.length);
      const household = (await call('GET', `/households/${ids.household}`, undefined, owner.token)).body;
      expect(household.version).toBe(versionBefore);
      expect(household.children).toHaveLength(1);
      expect(household.guardians).toHaveLength(1);
      expect(household.qfRecords).toHaveLength(1);
      const documents = (await call('GET', `/households/${ids.household}/documents`, undefined, owner.token))
        .body;
      expect(documents).toEqual([expect.objectContaining({ id: ids.document, status: 'pending' })]);
    });

    it('lets the owner (an agent for reviews, an admin for staff accounts) call every one of them: the table asks real routes', async () => {
      for (const endpoint of [...ACCOUNT_ENDPOINTS, ...HOUSEHOLD_ENDPOINTS]) {
        const staff = ACCOUNT_ENDPOINTS.includes(endpoint) ? tokens.admin : tokens.agent;
        const token = endpoint.staffOnly ? staff : owner.token;
        const answer = await send(endpoint, endpoint.path(ids), token);
        expect({ endpoint: endpoint.name, ok: answer.status >= 200 && answer.status < 300 }).toEqual({
          endpoint: endpoint.name,
          ok: true,
        });
      }
    });
  });
});
