import { DynamicModule, Global, Module } from '@nestjs/common';
import { AccountsConfig } from './accounts.config';

/** The validated configuration, injectable by its class in every accounts module. */
@Global()
@Module({})
export class AccountsConfigModule {
  static forRoot(config: AccountsConfig): DynamicModule {
    return {
      module: AccountsConfigModule,
      providers: [{ provide: AccountsConfig, useValue: config }],
      exports: [AccountsConfig],
    };
  }
}
