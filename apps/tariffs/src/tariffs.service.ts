import { connectEventsServer } from '@guichet/messaging';
import type { ServiceDefinition } from '@guichet/platform';
import { TariffsConfig } from './tariffs.config';
import { TariffsModule } from './tariffs.module';

/** The tariffs service as main.ts runs it and the integration tests start it. */
export const tariffsService: ServiceDefinition<TariffsConfig> = {
  name: 'tariffs',
  description:
    'Quotient-familial tariff grids, dated versions, explainable prices, coherence and impact simulation.',
  config: TariffsConfig,
  bodyLimit: '25mb', // simulations over a population, grids with many versions
  module: (config) => TariffsModule.register(config),
  connect: (app) => connectEventsServer(app),
};
