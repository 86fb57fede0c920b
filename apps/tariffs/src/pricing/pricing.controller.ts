import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  EnrolmentAccepted,
  EnrolmentAcceptedV1,
  EnrolmentCancelled,
  EnrolmentCancelledV1,
  HouseholdErased,
  HouseholdErasedV1,
  HouseholdRegistered,
  HouseholdRegisteredV1,
  HouseholdUpdated,
  PsuInputsChanged,
  PsuInputsChangedV1,
  QuotientFamilialChanged,
  QuotientFamilialChangedV1,
  TariffGridPublished,
  TariffGridPublishedV1,
} from '@guichet/contracts';
import { KafkaEventContext } from '@guichet/messaging';
import { PricingService } from './pricing.service';

/** The events that set or change prices. */
@Controller()
export class PricingController {
  constructor(private readonly pricing: PricingService) {}

  @EventPattern(EnrolmentAccepted.type)
  enrolmentAccepted(@Payload() event: EnrolmentAcceptedV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.enrolmentAccepted(event, context.envelope);
  }

  @EventPattern(EnrolmentCancelled.type)
  enrolmentCancelled(@Payload() event: EnrolmentCancelledV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.enrolmentCancelled(event, context.envelope);
  }

  @EventPattern(QuotientFamilialChanged.type)
  quotientFamilialChanged(@Payload() event: QuotientFamilialChangedV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.quotientFamilialChanged(event, context.envelope);
  }

  @EventPattern(PsuInputsChanged.type)
  psuInputsChanged(@Payload() event: PsuInputsChangedV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.psuInputsChanged(event, context.envelope);
  }

  @EventPattern(HouseholdRegistered.type)
  householdRegistered(@Payload() event: HouseholdRegisteredV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.householdFacts(event, context.envelope);
  }

  @EventPattern(HouseholdUpdated.type)
  householdUpdated(@Payload() event: HouseholdRegisteredV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.householdFacts(event, context.envelope);
  }

  @EventPattern(HouseholdErased.type)
  householdErased(@Payload() event: HouseholdErasedV1) {
    return this.pricing.householdErased(event);
  }

  @EventPattern(TariffGridPublished.type)
  gridPublished(@Payload() event: TariffGridPublishedV1, @Ctx() context: KafkaEventContext) {
    return this.pricing.gridPublished(event, context.envelope);
  }
}
