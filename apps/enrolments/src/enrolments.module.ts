import { DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@guichet/messaging';
import { EnrolmentsConfig } from './enrolments.config';

@Module({})
export class EnrolmentsModule {
  static register(config: EnrolmentsConfig): DynamicModule {
    return { module: EnrolmentsModule, imports: [...serviceModules('enrolments', config)] };
  }
}
