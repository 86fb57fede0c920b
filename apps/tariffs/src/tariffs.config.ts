import { IsUrl } from 'class-validator';
import { Env, ServiceConfig } from '@guichet/platform';

/** The tariffs service's environment; see .env.example for every variable. */
export class TariffsConfig extends ServiceConfig {
  /** Where accounts publishes the public keys of access tokens. */
  @Env()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'AUTH_JWKS_URL must be an http(s) URL' },
  )
  AUTH_JWKS_URL!: string;

  @Env() AUTH_ISSUER = 'guichet-accounts';
  @Env() AUTH_AUDIENCE = 'guichet';
}
