import { connectEventsServer } from '@guichet/messaging';
import type { ServiceDefinition } from '@guichet/platform';
import { AccountsConfig } from './accounts.config';
import { AccountsModule } from './accounts.module';

/** The accounts service as main.ts runs it and the integration tests start it. */
export const accountsService: ServiceDefinition<AccountsConfig> = {
  name: 'accounts',
  description: 'The family file (foyer, guardians, children), quotient familial records, identity and roles.',
  config: AccountsConfig,
  module: (config) => AccountsModule.register(config),
  connect: (app) => connectEventsServer(app),
};
