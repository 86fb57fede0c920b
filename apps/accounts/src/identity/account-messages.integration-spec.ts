import type { INestApplication } from '@nestjs/common';
import { AccountMessageRequested, AccountMessageRequestedV1, Topics } from '@guichet/contracts';
import { expectEventually, KafkaProbe, uniqueName } from '@guichet/testing';
import {
  Call,
  contractData,
  recordsOf,
  registerFamily,
  startAccounts,
} from '../test-support/accounts-harness';

describe('email verification and password reset by mailed links (real stack)', () => {
  let accounts: INestApplication;
  let call: Call;
  let events: KafkaProbe;
  const publicUrl = 'https://guichet.example.fr/';

  /** The messages requested for one account, as notifications receives them (contract checked). */
  const messagesOf = (accountId: string, purpose: string): AccountMessageRequestedV1[] =>
    recordsOf(events.records, accountId, AccountMessageRequested)
      .map((r) => contractData(AccountMessageRequested, r))
      .filter((m) => m.purpose === purpose);
  const tokenOf = (message: AccountMessageRequestedV1) =>
    new URL(message.link).searchParams.get('token') ?? '';
  const nextMessage = (accountId: string, purpose: string, count: number) =>
    expectEventually(() => {
      const found = messagesOf(accountId, purpose);
      expect(found).toHaveLength(count);
      return found[count - 1];
    });

  beforeAll(async () => {
    ({ app: accounts, call } = await startAccounts('accounts-messages', { PUBLIC_URL: publicUrl }));
    events = await new KafkaProbe().watch(Topics.accountMessages);
  });

  afterAll(async () => {
    await events.stop();
    await accounts.close();
  });

  it('mails a verification link at registration; the link proves the address once', async () => {
    const family = await registerFamily(call, 'verify');
    const me = await call('GET', '/auth/me', undefined, family.token);
    expect(me.body).toMatchObject({ role: 'family', householdId: family.householdId, emailVerified: false });
    const message = await nextMessage(me.body.subject, 'email-verification', 1);
    expect(message).toMatchObject({
      accountId: me.body.subject,
      householdId: family.householdId,
      email: family.email.toLowerCase(),
    });
    expect(message.link.startsWith('https://guichet.example.fr/verify-email?token=')).toBe(true);
    const hoursValid = (Date.parse(message.expiresAt) - Date.now()) / 3600_000;
    expect(hoursValid).toBeGreaterThan(47);
    expect(hoursValid).toBeLessThanOrEqual(48);

    expect((await call('POST', '/auth/verify-email', { token: tokenOf(message) })).status).toBe(204);
    expect((await call('GET', '/auth/me', undefined, family.token)).body.emailVerified).toBe(true);
    const again = await call('POST', '/auth/verify-email', { token: tokenOf(message) });
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'token' })]);
    // Verified: asking for a new link sends nothing.
    expect((await call('POST', '/auth/verify-email/resend', undefined, family.token)).status).toBe(202);
    expect((await call('POST', '/auth/verify-email', { token: 'x'.repeat(43) })).status).toBe(400);
    expect((await call('POST', '/auth/verify-email', { token: 'short' })).status).toBe(400);
    expect(messagesOf(me.body.subject, 'email-verification')).toHaveLength(1);
  });

  it('resets a password by a mailed link, ends every session, and tells nobody whether an account exists', async () => {
    const family = await registerFamily(call, 'reset');
    const accountId = (await call('GET', '/auth/me', undefined, family.token)).body.subject;
    const session = await call('POST', '/auth/login', { email: family.email, password: family.password });

    const known = await call('POST', '/auth/password-reset', { email: family.email });
    const unknown = await call('POST', '/auth/password-reset', {
      email: `${uniqueName('nobody')}@example.fr`,
    });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);
    const message = await nextMessage(accountId, 'password-reset', 1);
    expect(message.link.startsWith('https://guichet.example.fr/reset-password?token=')).toBe(true);
    expect((Date.parse(message.expiresAt) - Date.now()) / 3600_000).toBeLessThanOrEqual(1);

    // A verification token does not reset a password, nor the reverse.
    expect((await call('POST', '/auth/verify-email', { token: tokenOf(message) })).status).toBe(400);
    const weak = await call('POST', '/auth/password-reset/confirm', {
      token: tokenOf(message),
      password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);

    const newPassword = 'a brand new family password';
    const confirmed = await call('POST', '/auth/password-reset/confirm', {
      token: tokenOf(message),
      password: newPassword,
    });
    expect(confirmed.status).toBe(204);
    expect((await call('POST', '/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(
      401,
    );
    expect(
      (await call('POST', '/auth/login', { email: family.email, password: family.password })).status,
    ).toBe(401);
    const login = await call('POST', '/auth/login', { email: family.email, password: newPassword });
    expect(login.status).toBe(200);
    expect((await call('GET', '/auth/me', undefined, login.body.accessToken)).body.emailVerified).toBe(true);
    const replay = await call('POST', '/auth/password-reset/confirm', {
      token: tokenOf(message),
      password: 'yet another family password',
    });
    expect(replay.status).toBe(400);
  });

  it('mails a new verification link on request, three times per window at most', async () => {
    const family = await registerFamily(call, 'resend');
    const accountId = (await call('GET', '/auth/me', undefined, family.token)).body.subject;
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      answers.push((await call('POST', '/auth/verify-email/resend', undefined, family.token)).status);
    }
    expect(answers).toEqual([202, 202, 202, 429]);
    const last = await nextMessage(accountId, 'email-verification', 4); // the registration's and three more
    expect((await call('POST', '/auth/verify-email', { token: tokenOf(last) })).status).toBe(204);
  });

  it('mails at most three reset links per address and window, answering 202 all the same', async () => {
    const family = await registerFamily(call, 'flood');
    const accountId = (await call('GET', '/auth/me', undefined, family.token)).body.subject;
    const answers: number[] = [];
    for (let i = 0; i < 5; i++)
      answers.push((await call('POST', '/auth/password-reset', { email: family.email })).status);
    expect(answers).toEqual([202, 202, 202, 202, 202]);
    await nextMessage(accountId, 'password-reset', 3);
    // The relay has published what was written; none beyond the limit was.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messagesOf(accountId, 'password-reset')).toHaveLength(3);
    expect((await call('POST', '/auth/password-reset', { email: 'not-an-email' })).status).toBe(400);
  });
});
