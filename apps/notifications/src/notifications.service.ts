import { connectEventsServer } from '@guichet/messaging';
import type { ServiceDefinition } from '@guichet/platform';
import { NotificationsConfig } from './notifications.config';
import { NotificationsModule } from './notifications.module';

/** The notifications service as main.ts runs it and the integration tests start it. */
export const notificationsService: ServiceDefinition<NotificationsConfig> = {
  name: 'notifications',
  description: 'Messages to families by email, inbox and SMS, delivered once through BullMQ queues.',
  config: NotificationsConfig,
  module: (config) => NotificationsModule.register(config),
  connect: (app) => connectEventsServer(app),
};
