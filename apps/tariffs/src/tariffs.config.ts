import { ServiceConfig, WithAccessTokens } from '@guichet/platform';

/** The tariffs service's environment; see .env.example for every variable. */
export class TariffsConfig extends WithAccessTokens(ServiceConfig) {}
