import 'reflect-metadata';
import { connectEventsServer } from '@guichet/messaging';
import { runService } from '@guichet/platform';
import { AccountsConfig } from './accounts.config';
import { AccountsModule } from './accounts.module';

void runService({
  name: 'accounts',
  description: 'The family file (foyer, guardians, children), quotient familial records, identity and roles.',
  config: AccountsConfig,
  module: (config) => AccountsModule.register(config),
  connect: (app) => connectEventsServer(app),
});
