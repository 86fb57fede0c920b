import { DynamicModule, Module } from '@nestjs/common';
import { JobsModule } from '@guichet/jobs';
import { serviceModules } from '@guichet/messaging';
import { NotificationsConfig } from './notifications.config';

@Module({})
export class NotificationsModule {
  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [...serviceModules('notifications', config), JobsModule.forRoot(config.REDIS_URL)],
    };
  }
}
