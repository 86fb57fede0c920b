import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@guichet/auth';
import { serviceModules } from '@guichet/messaging';
import { AccountsConfigModule } from './accounts-config.module';
import { AccountsConfig } from './accounts.config';
import { HouseholdsModule } from './households/households.module';
import { IdentityModule } from './identity/identity.module';

@Module({})
export class AccountsModule {
  static register(config: AccountsConfig): DynamicModule {
    const tokens = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
    return {
      module: AccountsModule,
      imports: [
        AccountsConfigModule.forRoot(config),
        ...serviceModules('accounts', config, {
          outboxCollections: ['households', 'account_tokens', 'documents'],
        }),
        AuthModule.forRoot({
          ...tokens,
          jwksUrl: config.AUTH_JWKS_URL ?? `http://127.0.0.1:${config.PORT}/.well-known/jwks.json`,
        }),
        IdentityModule.forRoot({
          ...tokens,
          admin:
            config.ADMIN_EMAIL && config.ADMIN_PASSWORD
              ? { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD }
              : undefined,
        }),
        HouseholdsModule,
      ],
    };
  }
}
