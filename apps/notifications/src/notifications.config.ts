import { IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, Min } from 'class-validator';
import { JobQueue } from '@guichet/jobs';
import { Env, EnvInt, ServiceWithRedisConfig, WithAccessTokens } from '@guichet/platform';

const rate = (name: string) => ({ message: `${name} must be a whole number of messages per second` });

/** The notifications service's environment; see .env.example for every variable. */
export class NotificationsConfig extends WithAccessTokens(ServiceWithRedisConfig) {
  /**
   * The SMTP relay, e.g. smtp://127.0.0.1:1025 or smtps://user:password@relay:465. Unset (local
   * development only): mails are not sent, only their ids are logged.
   */
  @Env()
  @IsOptional()
  @Matches(/^smtps?:\/\/[^/]+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @Env() @IsString() @Length(3, 200) MAIL_FROM = 'Guichet <ne-pas-repondre@guichet.local>';

  /** The SMS provider's HTTP API; unset: a fake provider that keeps the messages in memory. */
  @Env()
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'SMS_PROVIDER_URL must be an http(s) URL' },
  )
  SMS_PROVIDER_URL?: string;

  @Env() @IsOptional() @IsString() SMS_PROVIDER_TOKEN?: string;
  @Env() @IsString() @Length(1, 11) SMS_SENDER = 'Guichet';

  /** Attempts of each delivery before it is recorded as failed, and the first retry's delay (doubling). */
  @EnvInt()
  @IsInt({ message: 'DELIVERY_ATTEMPTS must be a whole number' })
  @Min(1)
  @Max(50)
  DELIVERY_ATTEMPTS = 6;
  @EnvInt()
  @IsInt({ message: 'DELIVERY_BACKOFF_MS must be a whole number' })
  @Min(10)
  @Max(3_600_000)
  DELIVERY_BACKOFF_MS = 5_000;

  /** Rate limits per channel, in messages per second across every instance of the service. */
  @EnvInt() @IsInt(rate('EMAIL_RATE_PER_SECOND')) @Min(1) @Max(10_000) EMAIL_RATE_PER_SECOND = 10;
  @EnvInt() @IsInt(rate('SMS_RATE_PER_SECOND')) @Min(1) @Max(10_000) SMS_RATE_PER_SECOND = 5;
  @EnvInt() @IsInt(rate('INBOX_RATE_PER_SECOND')) @Min(1) @Max(100_000) INBOX_RATE_PER_SECOND = 500;

  /** Prefix of the BullMQ keys in Redis (tests give each run its own). */
  @Env() @Matches(/^[\w-]{1,64}$/, { message: 'QUEUE_PREFIX must be letters, digits, - or _' }) QUEUE_PREFIX =
    'guichet';
}

/**
 * One of the service's BullMQ queues (`notifications-<name>`), under QUEUE_PREFIX, retried
 * DELIVERY_ATTEMPTS times with a doubling delay from DELIVERY_BACKOFF_MS.
 */
export function notificationQueue<Data extends object>(
  config: NotificationsConfig,
  name: string,
): JobQueue<Data, string> {
  return new JobQueue<Data, string>({
    name: `notifications-${name}`,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: config.DELIVERY_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.DELIVERY_BACKOFF_MS },
    },
  });
}
