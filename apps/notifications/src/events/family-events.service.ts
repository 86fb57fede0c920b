import { Injectable } from '@nestjs/common';
import type {
  AccountMessageRequestedV1,
  BookingChangedV1,
  DocumentStatusChangedV1,
  EnrolmentRefV1,
  EventEnvelope,
  HouseholdContactChangedV1,
} from '@guichet/contracts';
import { BroadcastRepository } from '../broadcasts/broadcast.repository';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import { HouseholdRepository } from '../families/household.repository';
import { InboxRepository } from '../families/inbox.repository';
import { accountMessage, bookingMessage, documentMessage, MessageRequest } from '../templates/event-messages';
import { NotifyService } from './notify.service';
import { EnrolmentStatus, ProjectionRepository } from './projection.repository';

/** What the events a family must hear about do here: projections first, then the message. */
@Injectable()
export class FamilyEventsService {
  constructor(
    private readonly notify: NotifyService,
    private readonly households: HouseholdRepository,
    private readonly projections: ProjectionRepository,
    private readonly inbox: InboxRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly broadcasts: BroadcastRepository,
  ) {}

  async contactChanged(event: HouseholdContactChangedV1, envelope: EventEnvelope): Promise<void> {
    await this.households.saveContact({
      _id: event.householdId,
      email: event.email,
      phone: event.phone,
      emailNotices: event.emailNotices,
      smsNotices: event.smsNotices,
      asOf: envelope.time,
    });
  }

  /** Email verification and password reset: to the address in the event, whatever the preferences. */
  async accountMessageRequested(event: AccountMessageRequestedV1, envelope: EventEnvelope): Promise<void> {
    await this.notify.toAddress(
      envelope.id,
      event.householdId ?? event.accountId,
      event.email,
      accountMessage(event),
    );
  }

  async documentStatusChanged(event: DocumentStatusChangedV1, envelope: EventEnvelope): Promise<void> {
    const request = documentMessage(event);
    if (request) await this.notify.toHousehold(envelope.id, event.householdId, request);
  }

  /** An enrolment event: the projection gets its status (when it changes one), the family its message. */
  async enrolmentEvent(
    event: EnrolmentRefV1,
    envelope: EventEnvelope,
    status: EnrolmentStatus | undefined,
    request: MessageRequest,
  ): Promise<void> {
    if (await this.notify.isErased(event.householdId)) return;
    if (status) await this.projections.saveEnrolment(event, status, envelope.time);
    await this.notify.toHousehold(envelope.id, event.householdId, request);
  }

  async bookingChanged(event: BookingChangedV1, envelope: EventEnvelope): Promise<void> {
    if (await this.notify.isErased(event.householdId)) return;
    await this.projections.saveBookings(event, event.booked, event.cancelledWithCredit);
    const request = bookingMessage(event);
    if (request) await this.notify.toHousehold(envelope.id, event.householdId, request);
  }

  /** GDPR erasure, idempotent: every step deletes or anonymises, a second run finds nothing left. */
  async householdErased(householdId: string, erasedAt: string): Promise<void> {
    await this.households.eraseHousehold(householdId, erasedAt);
    await this.inbox.eraseHousehold(householdId);
    await this.projections.eraseHousehold(householdId);
    await this.deliveries.eraseHousehold(householdId);
    await this.broadcasts.eraseHousehold(householdId);
  }
}
