import 'reflect-metadata';
import { connectEventsServer } from '@guichet/messaging';
import { runService } from '@guichet/platform';
import { TariffsConfig } from './tariffs.config';
import { TariffsModule } from './tariffs.module';

void runService({
  name: 'tariffs',
  description:
    'Quotient-familial tariff grids, dated versions, explainable prices, coherence and impact simulation.',
  config: TariffsConfig,
  bodyLimit: '25mb', // simulations over a population, grids with many versions
  module: (config) => TariffsModule.register(config),
  connect: (app) => connectEventsServer(app),
});
