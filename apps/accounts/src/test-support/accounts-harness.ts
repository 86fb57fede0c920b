import type { INestApplication } from '@nestjs/common';
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
