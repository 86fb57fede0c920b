import { connectEventsServer } from '@guichet/messaging';
import type { ServiceDefinition } from '@guichet/platform';
import { EnrolmentsConfig } from './enrolments.config';
import { EnrolmentsModule } from './enrolments.module';

/** The enrolments service as main.ts runs it and the integration tests start it. */
export const enrolmentsService: ServiceDefinition<EnrolmentsConfig> = {
  name: 'enrolments',
  description:
    'Catalogue of offers, online enrolment procedure, capacities, allocation, waitlists and bookings.',
  config: EnrolmentsConfig,
  module: (config) => EnrolmentsModule.register(config),
  connect: (app) => connectEventsServer(app),
};
