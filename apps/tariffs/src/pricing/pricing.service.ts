import { Injectable, Logger } from '@nestjs/common';
import {
  EnrolmentAcceptedV1,
  EventEnvelope,
  HouseholdRegisteredV1,
  PriceComputed,
  QuotientFamilialChangedV1,
  TariffGridPublishedV1,
} from '@guichet/contracts';
import { EventOutbox } from '@guichet/messaging';
import { quote } from '@guichet/tariff-engine';
import { GridService, todayInParis } from '../grids/grid.service';
import {
  EnrolmentPriceDocument,
  HouseholdFactsDocument,
  PricingRepository,
  qfInForce,
} from './pricing.repository';

type Reason = 'accepted' | 'qf-changed' | 'household-changed' | 'grid-published';
type Enrolment = Omit<EnrolmentPriceDocument, 'handledEvents' | 'price'>;

const later = (a: string, b: string) => (a > b ? a : b);

/**
 * Prices enrolments by events: when one is accepted, and again from the date a change applies when
 * its household's QF or residency changes or its grid gets a new version. Each new price is written
 * with its PriceComputed event in one single-document write; a redelivered event changes nothing.
 */
@Injectable()
export class PricingService {
  private readonly logger = new Logger(PricingService.name);

  constructor(
    private readonly repository: PricingRepository,
    private readonly grids: GridService,
    private readonly outbox: EventOutbox,
  ) {}

  async enrolmentAccepted(event: EnrolmentAcceptedV1, envelope: EventEnvelope): Promise<void> {
    if (!event.tariffGridId) return; // a free service: nothing to price
    const enrolment: Enrolment = {
      _id: event.enrolmentId,
      householdId: event.householdId,
      gridId: event.tariffGridId,
      childRank: event.childRank ?? 1,
      pai: event.pai ?? false,
      startsOn: event.startsOn ?? todayInParis(),
    };
    await this.price(enrolment, enrolment.startsOn, 'accepted', envelope);
  }

  async quotientFamilialChanged(event: QuotientFamilialChangedV1, envelope: EventEnvelope): Promise<void> {
    await this.repository.addQfRecord(event.householdId, {
      qfRecordId: event.qfRecordId,
      qf: event.quotientFamilial,
      appliesFrom: event.appliesFrom,
    });
    await this.repriceHousehold(event.householdId, event.appliesFrom, 'qf-changed', envelope);
  }

  async householdFacts(event: HouseholdRegisteredV1, envelope: EventEnvelope): Promise<void> {
    const known = await this.repository.household(event.householdId);
    await this.repository.setResidency(event.householdId, event.resident);
    if (known && known.resident !== event.resident) {
      await this.repriceHousehold(event.householdId, todayInParis(), 'household-changed', envelope);
    }
  }

  /** Enrolments priced with an older version than the one published get the new one from its date. */
  async gridPublished(event: TariffGridPublishedV1, envelope: EventEnvelope): Promise<void> {
    for (const enrolment of await this.repository.enrolmentsOfGrid(event.gridId)) {
      if (enrolment.price && enrolment.price.gridVersion >= event.version) continue;
      await this.price(enrolment, later(event.effectiveFrom, enrolment.startsOn), 'grid-published', envelope);
    }
  }

  private async repriceHousehold(householdId: string, from: string, reason: Reason, envelope: EventEnvelope) {
    for (const enrolment of await this.repository.enrolmentsOfHousehold(householdId)) {
      await this.price(enrolment, later(from, enrolment.startsOn), reason, envelope);
    }
  }

  private async price(
    enrolment: Enrolment,
    appliesFrom: string,
    reason: Reason,
    cause: EventEnvelope,
  ): Promise<void> {
    const household: HouseholdFactsDocument | null = await this.repository.household(enrolment.householdId);
    const qfRecord = qfInForce(household, appliesFrom);
    const result = quote(await this.grids.compiledGrid(enrolment.gridId), appliesFrom, {
      qf: qfRecord?.qf,
      resident: household?.resident ?? true,
      childRank: enrolment.childRank,
      pai: enrolment.pai,
    });
    const event = this.outbox.entry(PriceComputed, {
      subject: enrolment._id,
      causationId: cause.id,
      correlationId: cause.correlationid,
      data: {
        enrolmentId: enrolment._id,
        householdId: enrolment.householdId,
        gridId: enrolment.gridId,
        gridVersion: result.version,
        ...(qfRecord ? { qfRecordId: qfRecord.qfRecordId } : {}),
        unitPriceCents: result.unitPriceCents,
        appliesFrom,
        reason,
        explanation: result.explanation,
      },
    });
    const price = {
      gridVersion: result.version,
      unitPriceCents: result.unitPriceCents,
      appliesFrom,
      qfRecordId: qfRecord?.qfRecordId,
    };
    const { _id, householdId, gridId, childRank, pai, startsOn } = enrolment;
    if (
      await this.repository.savePrice(
        { _id, householdId, gridId, childRank, pai, startsOn },
        price,
        cause.id,
        [event],
      )
    ) {
      this.outbox.published();
    } else {
      this.logger.debug(`event ${cause.id} was applied to ${_id} already`);
    }
  }
}
