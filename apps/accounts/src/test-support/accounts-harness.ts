import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { importJWK, JWK, SignJWT } from 'jose';
import type { Connection } from 'mongoose';
import { EventDefinition, validatePayload } from '@guichet/contracts';
import { loadConfig, startService } from '@guichet/platform';
import {
  freePort,
  JsonAnswer,
  ReceivedRecord,
  requestJson,
  testInfrastructure,
  uniqueMongoUri,
  uniqueName,
} from '@guichet/testing';
import { AccountsConfig } from '../accounts.config';
import { accountsService } from '../accounts.service';

export type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<JsonAnswer>;

/** Accounts started as main.ts starts it, on its own database, with a JSON caller bound to it. */
export async function startAccounts(
  name: string,
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; base: string; call: Call; config: AccountsConfig }> {
  const port = await freePort();
  const config = loadConfig(AccountsConfig, {
    PORT: String(port),
    MONGODB_URI: uniqueMongoUri(name),
    KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
    LOG_LEVEL: 'error',
    ...env,
  });
  const app = await startService(accountsService, config, port);
  const base = `http://127.0.0.1:${port}`;
  const call: Call = (method, path, body, token) => requestJson(`${base}${path}`, method, { body, token });
  return { app, base, call, config };
}

export interface TestFamily {
  email: string;
  password: string;
  householdId: string;
  token: string;
}

/** A registered, logged-in family. */
export async function registerFamily(call: Call, prefix: string, extra: object = {}): Promise<TestFamily> {
  const email = `${uniqueName(prefix)}@example.fr`;
  const password = `${prefix} long family password`;
  const registered = await call('POST', '/families', { email, password, resident: true, ...extra });
  if (registered.status !== 201) throw new Error(`registration answered ${registered.status}`);
  const login = await call('POST', '/auth/login', { email, password });
  return { email, password, householdId: registered.body.householdId, token: login.body.accessToken };
}

/** The data of a received event, after checking it against its contract as a consumer would. */
export function contractData<T extends object>(definition: EventDefinition<T>, record: ReceivedRecord): T {
  expect(record.headers.ce_type).toBe(definition.type);
  const result = validatePayload(definition, JSON.parse(record.value ?? 'null'));
  if (!result.ok) throw new Error(`${definition.type} breaks its contract: ${JSON.stringify(result.errors)}`);
  return JSON.parse(record.value ?? 'null') as T;
}

/** The records of one event type about one subject (the Kafka key). */
export const recordsOf = (records: ReceivedRecord[], subject: string, definition: EventDefinition) =>
  records.filter((r) => r.key === subject && r.headers.ce_type === definition.type);

/** An administrator's credentials for ADMIN_EMAIL / ADMIN_PASSWORD, unique per test file. */
export function adminCredentials(): { email: string; password: string; env: Record<string, string> } {
  const email = `${uniqueName('admin')}@example.fr`;
  const password = 'a long administrator password';
  return { email, password, env: { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } };
}

/** A logged-in staff member created by the seeded administrator. */
export async function staffToken(
  call: Call,
  admin: { email: string; password: string },
  role: 'agent' | 'finance' | 'admin',
  scopes: string[] = ['*'],
): Promise<string> {
  const adminToken = (await call('POST', '/auth/login', { email: admin.email, password: admin.password }))
    .body.accessToken;
  const staff = { email: `${uniqueName(role)}@example.fr`, password: `a long ${role} password` };
  const created = await call('POST', '/staff-users', { ...staff, role, scopes }, adminToken);
  if (created.status !== 201) throw new Error(`staff creation answered ${created.status}`);
  return (await call('POST', '/auth/login', staff)).body.accessToken;
}

/** A token signed with accounts' own key for a principal, but expired a minute ago. */
export async function expiredAccessToken(
  app: INestApplication,
  claims: { sub: string; role: string; hid?: string },
): Promise<string> {
  const keys = app
    .get<Connection>(getConnectionToken())
    .collection<{ _id: string; privateJwk: JWK }>('signing_keys');
  const newest = await keys.find({}).sort({ createdAt: -1 }).limit(1).next();
  if (!newest) throw new Error('accounts has no signing key');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: claims.role, hid: claims.hid, scopes: [] })
    .setProtectedHeader({ alg: 'ES256', kid: newest._id })
    .setSubject(claims.sub)
    .setIssuer('guichet-accounts')
    .setAudience('guichet')
    .setIssuedAt(now - 1000)
    .setExpirationTime(now - 60)
    .sign(await importJWK(newest.privateJwk, 'ES256'));
}
