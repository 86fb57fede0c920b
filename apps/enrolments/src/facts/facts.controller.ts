import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ChildAdded,
  ChildAddedV1,
  ChildUpdated,
  DocumentStatusChanged,
  DocumentStatusChangedV1,
  HouseholdRegistered,
  HouseholdRegisteredV1,
  HouseholdUpdated,
  QuotientFamilialChanged,
  QuotientFamilialChangedV1,
} from '@guichet/contracts';
import { FactsRepository } from './facts.repository';

/** Keeps the local, minimal projection of accounts' households that eligibility and previews need. */
@Controller()
export class FactsController {
  constructor(private readonly facts: FactsRepository) {}

  @EventPattern(HouseholdRegistered.type)
  householdRegistered(@Payload() event: HouseholdRegisteredV1) {
    return this.facts.set(event.householdId, { resident: event.resident });
  }

  @EventPattern(HouseholdUpdated.type)
  householdUpdated(@Payload() event: HouseholdRegisteredV1) {
    return this.facts.set(event.householdId, { resident: event.resident });
  }

  @EventPattern(ChildAdded.type)
  childAdded(@Payload() event: ChildAddedV1) {
    return this.child(event);
  }

  @EventPattern(ChildUpdated.type)
  childUpdated(@Payload() event: ChildAddedV1) {
    return this.child(event);
  }

  @EventPattern(DocumentStatusChanged.type)
  documentStatusChanged(@Payload() event: DocumentStatusChangedV1) {
    return this.facts.set(event.householdId, {
      [`documents.${event.documentId}`]: {
        documentType: event.documentType,
        status: event.status,
        ...(event.validUntil ? { validUntil: event.validUntil } : {}),
        ...(event.reason ? { reason: event.reason } : {}),
      },
    });
  }

  @EventPattern(QuotientFamilialChanged.type)
  quotientFamilialChanged(@Payload() event: QuotientFamilialChangedV1) {
    return this.facts.addQfRecord(event.householdId, {
      qfRecordId: event.qfRecordId,
      qf: event.quotientFamilial,
      appliesFrom: event.appliesFrom,
    });
  }

  private child(event: ChildAddedV1) {
    return this.facts.set(event.householdId, {
      [`children.${event.childId}`]: { birthDate: event.birthDate, pai: event.pai, aeeh: event.aeeh },
    });
  }
}
