import 'reflect-metadata';
import { connectEventsServer } from '@guichet/messaging';
import { runService } from '@guichet/platform';
import { NotificationsConfig } from './notifications.config';
import { NotificationsModule } from './notifications.module';

void runService({
  name: 'notifications',
  description: 'Messages to families by email, inbox and SMS, delivered once through BullMQ queues.',
  config: NotificationsConfig,
  module: (config) => NotificationsModule.register(config),
  connect: (app) => connectEventsServer(app),
});
