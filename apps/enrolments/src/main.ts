import 'reflect-metadata';
import { connectEventsServer } from '@guichet/messaging';
import { runService } from '@guichet/platform';
import { EnrolmentsConfig } from './enrolments.config';
import { EnrolmentsModule } from './enrolments.module';

void runService({
  name: 'enrolments',
  description:
    'Catalogue of offers, online enrolment procedure, capacities, allocation, waitlists and bookings.',
  config: EnrolmentsConfig,
  module: (config) => EnrolmentsModule.register(config),
  connect: (app) => connectEventsServer(app),
});
