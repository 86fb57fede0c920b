import { randomUUID } from 'node:crypto';

/**
 * Where the integration tests find the real infrastructure: the local stack started by
 * `./guichet test` (infra/local), or any cluster named by the usual variables.
 */
export const testInfrastructure = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  mongoBaseUri: process.env.MONGODB_BASE_URI ?? 'mongodb://127.0.0.1:27017',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** A name no other test run uses: tests share the servers, never their topics, databases or queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A MongoDB URI to a fresh database of its own. */
export function uniqueMongoUri(prefix: string): string {
  return `${testInfrastructure.mongoBaseUri}/${uniqueName(prefix)}`;
}

/** A port nobody listens on now (for a service that must know its own URL before it starts). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
