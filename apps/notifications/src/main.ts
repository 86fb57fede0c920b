import 'reflect-metadata';
import { runService } from '@guichet/platform';
import { notificationsService } from './notifications.service';

void runService(notificationsService);
