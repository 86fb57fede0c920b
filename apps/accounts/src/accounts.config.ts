import { ServiceConfig } from '@guichet/platform';

/** The accounts service's environment; see .env.example for every variable. */
export class AccountsConfig extends ServiceConfig {}
