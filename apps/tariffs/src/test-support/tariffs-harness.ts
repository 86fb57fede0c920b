import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createEnvelope, EventDefinition, EventEnvelope, toKafkaRecord } from '@guichet/contracts';
import { createKafkaClient, RecordPublisher } from '@guichet/messaging';
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

/** Publishes the events other services would, as they would (an `id` makes a redelivery). */
export class TestEventSender {
  private readonly publisher = new RecordPublisher(
    createKafkaClient({ clientId: 'tariffs-test', brokers: testInfrastructure.kafkaBrokers }),
  );

  async send<T extends object>(
    definition: EventDefinition<T>,
    subject: string,
    data: T,
    id?: string,
  ): Promise<EventEnvelope> {
    const envelope = createEnvelope('guichet/test', { type: definition.type, subject, data });
    if (id) envelope.id = id;
    await this.publisher.publish([{ topic: definition.topic, ...toKafkaRecord(envelope) }]);
    return envelope;
  }

  stop(): Promise<void> {
    return this.publisher.disconnect();
  }
}
