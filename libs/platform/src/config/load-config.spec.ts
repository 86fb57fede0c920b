import { ConfigError, loadConfig } from './load-config';
import { ServiceConfig, ServiceWithRedisConfig, WithAccessTokens } from './service-config';

const valid = {
  PORT: '3001',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/guichet-accounts',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9092',
};

function problemsOf(env: NodeJS.ProcessEnv, schema: new () => object = ServiceConfig): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('types the environment and applies defaults', () => {
    const config = loadConfig(ServiceConfig, valid);
    expect(config).toMatchObject({
      PORT: 3001,
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.2:9092'],
      KAFKA_TOPIC_PARTITIONS: 3,
      LOG_LEVEL: 'info',
    });
  });

  it('names a missing variable', () => {
    expect(problemsOf({ ...valid, MONGODB_URI: undefined })).toEqual(['MONGODB_URI']);
    expect(problemsOf(valid, ServiceWithRedisConfig)).toEqual(['REDIS_URL']);
  });

  it('names malformed variables, without echoing their values', () => {
    expect(
      problemsOf({ ...valid, PORT: '30a1', KAFKA_BROKERS: 'localhost', LOG_LEVEL: 'loud' }).sort(),
    ).toEqual(['KAFKA_BROKERS', 'LOG_LEVEL', 'PORT']);
    try {
      loadConfig(ServiceConfig, { ...valid, MONGODB_URI: 'postgres://secret@db/x' });
    } catch (error) {
      expect((error as Error).message).toContain('MONGODB_URI');
      expect((error as Error).message).not.toContain('secret');
    }
    expect.assertions(3);
  });

  it('treats an empty variable as missing', () => {
    expect(problemsOf({ ...valid, PORT: '' })).toEqual(['PORT']);
  });

  it('adds the access-token variables to any base config', () => {
    const WithTokens = WithAccessTokens(ServiceWithRedisConfig);
    expect(problemsOf({ ...valid, REDIS_URL: 'redis://127.0.0.1:6379' }, WithTokens)).toEqual([
      'AUTH_JWKS_URL',
    ]);
    const config = loadConfig(WithTokens, {
      ...valid,
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_JWKS_URL: 'http://accounts:3001/.well-known/jwks.json',
    });
    expect(config).toMatchObject({ AUTH_ISSUER: 'guichet-accounts', AUTH_AUDIENCE: 'guichet', PORT: 3001 });
    expect(config).toBeInstanceOf(ServiceWithRedisConfig);
  });
});
