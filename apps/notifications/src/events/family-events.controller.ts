import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  AccountMessageRequested,
  AccountMessageRequestedV1,
  BookingChanged,
  BookingChangedV1,
  DocumentStatusChanged,
  DocumentStatusChangedV1,
  EnrolmentAccepted,
  EnrolmentAcceptedV1,
  EnrolmentCancelled,
  EnrolmentCancelledV1,
  EnrolmentPriced,
  EnrolmentPriceV1,
  EnrolmentRejected,
  EnrolmentRejectedV1,
  EnrolmentRepriced,
  EnrolmentSubmitted,
  EnrolmentSubmittedV1,
  EnrolmentWaitlisted,
  EnrolmentWaitlistedV1,
  HouseholdContactChanged,
  HouseholdContactChangedV1,
  HouseholdErased,
  HouseholdErasedV1,
  PlaceOffered,
  PlaceOfferedV1,
  PlaceOfferExpired,
  PlaceOfferExpiredV1,
} from '@guichet/contracts';
import { KafkaEventContext } from '@guichet/messaging';
import { enrolmentMessages, priceMessage } from '../templates/event-messages';
import { FamilyEventsService } from './family-events.service';

/**
 * The events a family must hear about, and those that tell us how to reach it. Kafka handlers, not
 * HTTP routes: kept out of the OpenAPI document (their payloads showed there as empty schemas).
 */
@ApiExcludeController()
@Controller()
export class FamilyEventsController {
  constructor(private readonly events: FamilyEventsService) {}

  @EventPattern(HouseholdContactChanged.type)
  contactChanged(@Payload() event: HouseholdContactChangedV1, @Ctx() context: KafkaEventContext) {
    return this.events.contactChanged(event, context.envelope);
  }

  @EventPattern(AccountMessageRequested.type)
  accountMessage(@Payload() event: AccountMessageRequestedV1, @Ctx() context: KafkaEventContext) {
    return this.events.accountMessageRequested(event, context.envelope);
  }

  @EventPattern(DocumentStatusChanged.type)
  documentStatusChanged(@Payload() event: DocumentStatusChangedV1, @Ctx() context: KafkaEventContext) {
    return this.events.documentStatusChanged(event, context.envelope);
  }

  @EventPattern(EnrolmentSubmitted.type)
  submitted(@Payload() event: EnrolmentSubmittedV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(
      event,
      context.envelope,
      'submitted',
      enrolmentMessages.submitted(event),
    );
  }

  @EventPattern(EnrolmentAccepted.type)
  accepted(@Payload() event: EnrolmentAcceptedV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(event, context.envelope, 'accepted', enrolmentMessages.accepted(event));
  }

  @EventPattern(EnrolmentWaitlisted.type)
  waitlisted(@Payload() event: EnrolmentWaitlistedV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(
      event,
      context.envelope,
      'waitlisted',
      enrolmentMessages.waitlisted(event),
    );
  }

  @EventPattern(EnrolmentRejected.type)
  rejected(@Payload() event: EnrolmentRejectedV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(event, context.envelope, 'rejected', enrolmentMessages.rejected(event));
  }

  @EventPattern(EnrolmentCancelled.type)
  cancelled(@Payload() event: EnrolmentCancelledV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(
      event,
      context.envelope,
      'cancelled',
      enrolmentMessages.cancelled(event),
    );
  }

  @EventPattern(PlaceOffered.type)
  placeOffered(@Payload() event: PlaceOfferedV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(
      event,
      context.envelope,
      'offered',
      enrolmentMessages.placeOffered(event),
    );
  }

  @EventPattern(PlaceOfferExpired.type)
  placeOfferExpired(@Payload() event: PlaceOfferExpiredV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(
      event,
      context.envelope,
      'offer-expired',
      enrolmentMessages.placeOfferExpired(event),
    );
  }

  @EventPattern(EnrolmentPriced.type)
  priced(@Payload() event: EnrolmentPriceV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(event, context.envelope, undefined, priceMessage(event, false));
  }

  @EventPattern(EnrolmentRepriced.type)
  repriced(@Payload() event: EnrolmentPriceV1, @Ctx() context: KafkaEventContext) {
    return this.events.enrolmentEvent(event, context.envelope, undefined, priceMessage(event, true));
  }

  @EventPattern(BookingChanged.type)
  bookingChanged(@Payload() event: BookingChangedV1, @Ctx() context: KafkaEventContext) {
    return this.events.bookingChanged(event, context.envelope);
  }

  @EventPattern(HouseholdErased.type)
  householdErased(@Payload() event: HouseholdErasedV1) {
    return this.events.householdErased(event.householdId, event.erasedAt);
  }
}
