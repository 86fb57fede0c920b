import { ArrayNotEmpty, IsIn, IsInt, IsOptional, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { Env, EnvInt, EnvList } from './env-decorators';

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** What every Guichet service needs from its environment. Each app extends it with its own variables. */
export class ServiceConfig {
  @EnvInt() @IsInt({ message: 'PORT must be a whole number' }) @Min(1) @Max(65535) PORT!: number;

  @Env()
  @Matches(/^mongodb(\+srv)?:\/\/[^/]+\/[A-Za-z0-9_-]+/, {
    message:
      'MONGODB_URI must be a mongodb:// URL that names a database, e.g. mongodb://127.0.0.1:27017/guichet-accounts',
  })
  MONGODB_URI!: string;

  @EnvList()
  @ArrayNotEmpty({ message: 'KAFKA_BROKERS must list at least one host:port' })
  @Matches(HOST_PORT, { each: true, message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS!: string[];

  @EnvInt()
  @IsInt({ message: 'KAFKA_TOPIC_PARTITIONS must be a whole number' })
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS = 3;

  @EnvInt()
  @IsInt({ message: 'KAFKA_REPLICATION_FACTOR must be a whole number' })
  @Min(1)
  @Max(7)
  KAFKA_REPLICATION_FACTOR = 1;

  @Env()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace',
  })
  LOG_LEVEL = 'info';

  /** When set, GET /metrics asks for `Authorization: Bearer <METRICS_TOKEN>` (see README, Metrics). */
  @Env()
  @IsOptional()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;

  /**
   * The service's Kafka consumer group (default: its name). A second environment on the same
   * cluster, or a test, takes a group of its own; the group also names its retry and dead-letter topics.
   */
  @Env()
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/, {
    message: 'KAFKA_CONSUMER_GROUP must be 1 to 63 lowercase letters, digits, dots or dashes',
  })
  KAFKA_CONSUMER_GROUP?: string;

  /**
   * Where a consumer group with no committed position starts: `earliest` (the default: a service's
   * first start sees every event) or `latest` (a throwaway group that only needs what comes next).
   */
  @Env()
  @IsIn(['earliest', 'latest'], { message: 'KAFKA_NEW_GROUP_START must be earliest or latest' })
  KAFKA_NEW_GROUP_START: 'earliest' | 'latest' = 'earliest';
}

/** For services that queue work in BullMQ. */
export class ServiceWithRedisConfig extends ServiceConfig {
  @Env()
  @Matches(/^rediss?:\/\/[^/]+/, { message: 'REDIS_URL must be a redis:// URL, e.g. redis://127.0.0.1:6379' })
  REDIS_URL!: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's mixin pattern requires any[] here
type ConfigClass<T> = new (...args: any[]) => T;

/**
 * The variables of a service that verifies access tokens (libs/auth): where accounts publishes the
 * keys, and the issuer and audience the tokens must name. A mixin, so any base config can have them.
 */
export function WithAccessTokens<B extends ConfigClass<ServiceConfig>>(Base: B) {
  class AccessTokensConfig extends Base {
    @Env()
    @IsUrl(
      { require_tld: false, protocols: ['http', 'https'] },
      { message: 'AUTH_JWKS_URL must be an http(s) URL' },
    )
    AUTH_JWKS_URL!: string;

    @Env() AUTH_ISSUER = 'guichet-accounts';
    @Env() AUTH_AUDIENCE = 'guichet';
  }
  return AccessTokensConfig;
}
