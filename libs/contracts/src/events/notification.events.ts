import { IsIn, IsString, Length } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export const CHANNELS = ['email', 'inbox', 'sms'] as const;

export class NotificationDeliveredV1 {
  @IsString() @Length(1, 128) notificationId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsIn(CHANNELS) channel!: string;
}
export const NotificationDelivered = defineEvent(
  'fr.guichet.notification.delivered.v1',
  Topics.notifications,
  NotificationDeliveredV1,
);

/** A message could not be delivered after its last attempt; agents see it and the reason. */
export class NotificationFailedV1 {
  @IsString() @Length(1, 128) notificationId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsIn(CHANNELS) channel!: string;
  @IsString() @Length(1, 500) reason!: string;
}
export const NotificationFailed = defineEvent(
  'fr.guichet.notification.failed.v1',
  Topics.notifications,
  NotificationFailedV1,
);
