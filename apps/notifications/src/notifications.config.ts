import { ServiceWithRedisConfig } from '@guichet/platform';

/** The notifications service's environment; see .env.example for every variable. */
export class NotificationsConfig extends ServiceWithRedisConfig {}
