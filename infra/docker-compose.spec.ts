import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml cannot run here (no Docker engine): this checks that it parses and declares what
// the Docker route needs, so that it does not rot unnoticed.
interface ComposeService {
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  build?: { args?: { SERVICE?: string } };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  const apps = { accounts: 3001, enrolments: 3002, tariffs: 3003, notifications: 3004 };

  it('declares the infrastructure and the four services, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['kafka', 'mongodb', 'redis', 'mailpit', ...Object.keys(apps)].sort(),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test.length) }).toEqual({
        name,
        healthcheck: true,
      });
    }
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'documents-data',
      'kafka-data',
      'mongodb-data',
      'redis-data',
    ]);
    // Families' documents live outside MongoDB: accounts keeps them on their own volume.
    expect(compose.services.accounts.volumes).toEqual(['documents-data:/var/lib/guichet/documents']);
  });

  it('builds each service from the one Dockerfile and gives it every variable it requires', () => {
    for (const [name, port] of Object.entries(apps)) {
      const service = compose.services[name];
      expect(service.build?.args?.SERVICE).toBe(name);
      expect(service.ports).toEqual([`${port}:${port}`]);
      expect(service.environment).toMatchObject({
        PORT: String(port),
        MONGODB_URI: `mongodb://mongodb:27017/guichet-${name}?replicaSet=rs0`,
        KAFKA_BROKERS: 'kafka:9092',
        REDIS_URL: 'redis://redis:6379',
      });
    }
  });

  it.each(['tariffs', 'notifications'])('points %s at the keys of accounts', (name) => {
    expect(compose.services[name].environment?.AUTH_JWKS_URL).toBe(
      'http://accounts:3001/.well-known/jwks.json',
    );
  });

  it('sends mail to Mailpit, started and healthy before notifications', () => {
    const notifications = compose.services.notifications;
    expect(notifications.environment?.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(notifications.environment?.MAIL_FROM).toMatch(/^Guichet <[^@>]+@[^>]+>$/);
    expect(notifications.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      mongodb: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      mailpit: { condition: 'service_healthy' },
    });
    expect(compose.services.mailpit.ports).toEqual(expect.arrayContaining(['8025:8025', '1025:1025']));
  });
});
