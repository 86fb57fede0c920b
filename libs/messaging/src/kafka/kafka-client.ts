import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

export interface KafkaSettings {
  /** Names the service in the broker's logs and quotas. */
  clientId: string;
  brokers: string[];
}

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** KafkaJS logs through Nest's logger (so through pino), never to the console on its own. */
function logCreator() {
  const logger = new Logger('kafka');
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    logger[LEVELS[level] ?? 'log'](`${message} ${JSON.stringify(extra)}`);
  };
}

/**
 * The one place that builds a Kafka client: explicit connection and request timeouts, bounded retries.
 * Domain code never imports kafkajs; it goes through this library.
 */
export function createKafkaClient(settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator,
  });
}

/** Consumer timeouts, stated rather than left to defaults (heartbeat well inside the session). */
export const CONSUMER_TIMEOUTS = {
  sessionTimeout: 30_000,
  heartbeatInterval: 3_000,
  rebalanceTimeout: 60_000,
} as const;
