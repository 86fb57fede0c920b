import { IsIn, IsString, Length } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class NotificationDeliveredV1 {
  @IsString() @Length(1, 128) notificationId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsIn(['email', 'inbox', 'sms']) channel!: string;
}
export const NotificationDelivered = defineEvent(
  'fr.guichet.notification.delivered.v1',
  Topics.notifications,
  NotificationDeliveredV1,
);
