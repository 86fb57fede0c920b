import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, startService } from '@guichet/platform';
import { Json, testInfrastructure, TestTokenIssuer, uniqueMongoUri } from '@guichet/testing';
import { TariffsConfig } from '../tariffs.config';
import { tariffsService } from '../tariffs.service';

/** The demo canteen grid (apps/tariffs/demo), to import under an id of the test's own. */
export const demoCantineGrid: Json = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'demo', 'cantine.grid.json'), 'utf8'),
);

/** Tariffs started as main.ts starts it, on its own database, trusting the test's token issuer. */
export async function startTariffs(
  name: string,
  issuer: TestTokenIssuer,
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; base: string }> {
  const config = loadConfig(TariffsConfig, {
    PORT: '3303',
    MONGODB_URI: uniqueMongoUri(name),
    KAFKA_BROKERS: testInfrastructure.kafkaBrokers.join(','),
    AUTH_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: 'error',
    ...env,
  });
  const app = await startService(tariffsService, config, 0);
  return { app, base: await app.getUrl() };
}
