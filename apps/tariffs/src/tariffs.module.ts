import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@guichet/auth';
import { serviceModules } from '@guichet/messaging';
import { GridsModule } from './grids/grids.module';
import { PricingModule } from './pricing/pricing.module';
import { TariffsConfig } from './tariffs.config';

@Module({})
export class TariffsModule {
  static register(config: TariffsConfig): DynamicModule {
    return {
      module: TariffsModule,
      imports: [
        ...serviceModules('tariffs', config, { outboxCollections: ['tariff_grids', 'enrolment_prices'] }),
        AuthModule.forRoot({
          jwksUrl: config.AUTH_JWKS_URL,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
        }),
        GridsModule,
        PricingModule,
      ],
    };
  }
}
