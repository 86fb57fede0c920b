import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { HouseholdErased, HouseholdErasedV1, PriceComputed, PriceComputedV1 } from '@guichet/contracts';
import { KafkaEventContext } from '@guichet/messaging';
import { FactsRepository } from '../facts/facts.repository';
import { BookingRepository } from '../bookings/booking.repository';
import { PricesService } from './prices.service';
import { ProcedureService } from './procedure.service';

/** Events that move enrolments: prices from tariffs, erasure from accounts. */
@Controller()
export class ProcedureEventsController {
  constructor(
    private readonly prices: PricesService,
    private readonly procedure: ProcedureService,
    private readonly facts: FactsRepository,
    private readonly bookings: BookingRepository,
  ) {}

  @EventPattern(PriceComputed.type)
  priceComputed(@Payload() event: PriceComputedV1, @Ctx() context: KafkaEventContext) {
    return this.prices.priceComputed(event, context.envelope.id);
  }

  /** GDPR: live enrolments end (their places go to others), bookings and facts go; ids alone remain. */
  @EventPattern(HouseholdErased.type)
  async householdErased(@Payload() event: HouseholdErasedV1) {
    await this.procedure.eraseHousehold(event.householdId);
    await this.bookings.eraseHousehold(event.householdId);
    await this.facts.erase(event.householdId);
  }
}
