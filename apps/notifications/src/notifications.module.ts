import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@guichet/auth';
import { JobsModule } from '@guichet/jobs';
import { serviceModules } from '@guichet/messaging';
import { BroadcastController } from './broadcasts/broadcast.controller';
import { BroadcastRepository } from './broadcasts/broadcast.repository';
import { BroadcastService } from './broadcasts/broadcast.service';
import { EmailSender } from './channels/email-sender';
import { FakeSmsProvider, HttpSmsProvider, SmsProvider } from './channels/sms-provider';
import { DeliveryController } from './deliveries/delivery.controller';
import { DeliveryRepository } from './deliveries/delivery.repository';
import { DeliveryService } from './deliveries/delivery.service';
import { FamilyEventsController } from './events/family-events.controller';
import { FamilyEventsService } from './events/family-events.service';
import { NotifyService } from './events/notify.service';
import { ProjectionRepository } from './events/projection.repository';
import { FamilyController } from './families/family.controller';
import { HouseholdRepository } from './families/household.repository';
import { InboxRepository } from './families/inbox.repository';
import { NotificationsConfig } from './notifications.config';

/** The real provider when SMS_PROVIDER_URL is set; otherwise the fake that keeps messages in memory. */
function smsProvider(config: NotificationsConfig): SmsProvider {
  return config.SMS_PROVIDER_URL
    ? new HttpSmsProvider({
        url: config.SMS_PROVIDER_URL,
        token: config.SMS_PROVIDER_TOKEN,
        sender: config.SMS_SENDER,
      })
    : new FakeSmsProvider();
}

@Module({})
export class NotificationsModule {
  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        ...serviceModules('notifications', config, { outboxCollections: ['deliveries'] }),
        JobsModule.forRoot(config.REDIS_URL),
        AuthModule.forRoot({
          jwksUrl: config.AUTH_JWKS_URL,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
        }),
      ],
      controllers: [FamilyEventsController, FamilyController, DeliveryController, BroadcastController],
      providers: [
        { provide: NotificationsConfig, useValue: config },
        { provide: SmsProvider, useValue: smsProvider(config) },
        EmailSender,
        DeliveryRepository,
        DeliveryService,
        InboxRepository,
        HouseholdRepository,
        ProjectionRepository,
        NotifyService,
        FamilyEventsService,
        BroadcastRepository,
        BroadcastService,
      ],
    };
  }
}
