import { DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@guichet/messaging';
import { TariffsConfig } from './tariffs.config';

@Module({})
export class TariffsModule {
  static register(config: TariffsConfig): DynamicModule {
    return { module: TariffsModule, imports: [...serviceModules('tariffs', config)] };
  }
}
