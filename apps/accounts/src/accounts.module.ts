import { DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@guichet/messaging';
import { AccountsConfig } from './accounts.config';

@Module({})
export class AccountsModule {
  static register(config: AccountsConfig): DynamicModule {
    return { module: AccountsModule, imports: [...serviceModules('accounts', config)] };
  }
}
