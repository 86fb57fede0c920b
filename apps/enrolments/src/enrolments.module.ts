import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@guichet/auth';
import { serviceModules } from '@guichet/messaging';
import { AllocationController } from './allocation/allocation.controller';
import { AllocationService } from './allocation/allocation.service';
import { BookingController } from './bookings/booking.controller';
import { BookingRepository } from './bookings/booking.repository';
import { BookingService } from './bookings/booking.service';
import { CatalogueController } from './catalogue/catalogue.controller';
import { CatalogueRepository } from './catalogue/catalogue.repository';
import { CatalogueService } from './catalogue/catalogue.service';
import { EnrolmentsConfig } from './enrolments.config';
import { FactsController } from './facts/facts.controller';
import { FactsRepository } from './facts/facts.repository';
import { Clock } from './procedure/clock';
import { EnrolmentRepository } from './procedure/enrolment.repository';
import { PricesService } from './procedure/prices.service';
import { ProcedureController } from './procedure/procedure.controller';
import { ProcedureEventsController } from './procedure/procedure.events';
import { ProcedureService } from './procedure/procedure.service';
import { ProcedureSweeper, SWEEP_SETTINGS } from './procedure/sweeper';
import { TARIFFS_URL, TariffsClient } from './procedure/tariffs.client';

export interface EnrolmentsOverrides {
  /** Tests move time by hand to check deadlines at their edges. */
  clock?: Clock;
}

@Module({})
export class EnrolmentsModule {
  static register(config: EnrolmentsConfig, overrides: EnrolmentsOverrides = {}): DynamicModule {
    return {
      module: EnrolmentsModule,
      imports: [
        ...serviceModules('enrolments', config, {
          outboxCollections: ['enrolments', 'bookings', 'allocations'],
        }),
        AuthModule.forRoot({
          jwksUrl: config.AUTH_JWKS_URL,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
        }),
      ],
      controllers: [
        CatalogueController,
        ProcedureController,
        AllocationController,
        BookingController,
        FactsController,
        ProcedureEventsController,
      ],
      providers: [
        { provide: Clock, useValue: overrides.clock ?? new Clock() },
        { provide: TARIFFS_URL, useValue: config.TARIFFS_URL },
        {
          provide: SWEEP_SETTINGS,
          useValue: { intervalMs: config.PROCEDURE_SWEEP_MS, staleAfterMs: config.PROCEDURE_STALE_MS },
        },
        TariffsClient,
        FactsRepository,
        CatalogueRepository,
        CatalogueService,
        EnrolmentRepository,
        ProcedureService,
        PricesService,
        ProcedureSweeper,
        AllocationService,
        BookingRepository,
        BookingService,
      ],
    };
  }
}
