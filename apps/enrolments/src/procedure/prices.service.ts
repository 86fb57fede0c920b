import { Injectable } from '@nestjs/common';
import { EnrolmentPriced, EnrolmentRepriced, PriceComputedV1 } from '@guichet/contracts';
import { EventOutbox, withEvents } from '@guichet/messaging';
import { ENROLMENTS, EnrolmentRepository, PriceSegment } from './enrolment.repository';
import { ProcedureService } from './procedure.service';

const PRICE_EVENTS_KEPT = 50;

/**
 * Stores the prices tariffs computes for accepted enrolments, dated, with the grid version and QF
 * record they came from, and tells the family (EnrolmentPriced, then EnrolmentRepriced).
 */
@Injectable()
export class PricesService {
  constructor(
    private readonly enrolments: EnrolmentRepository,
    private readonly procedure: ProcedureService,
    private readonly outbox: EventOutbox,
  ) {}

  async priceComputed(event: PriceComputedV1, eventId: string): Promise<void> {
    const enrolment = await this.enrolments.find(event.enrolmentId);
    if (!enrolment || enrolment.priceEvents.includes(eventId)) return;
    const segment: PriceSegment = {
      appliesFrom: event.appliesFrom,
      unitPriceCents: event.unitPriceCents,
      gridId: event.gridId,
      gridVersion: event.gridVersion,
      ...(event.qfRecordId ? { qfRecordId: event.qfRecordId } : {}),
      ...(event.psuInputsId ? { psuInputsId: event.psuInputsId } : {}),
      ...(event.monthlyContractCents !== undefined && { monthlyContractCents: event.monthlyContractCents }),
      explanation: event.explanation,
    };
    const before = enrolment.prices.filter((p) => p.appliesFrom < event.appliesFrom);
    const previous = before.at(-1) ?? enrolment.prices[0];
    const unchanged =
      previous &&
      previous.unitPriceCents === segment.unitPriceCents &&
      previous.monthlyContractCents === segment.monthlyContractCents &&
      previous.gridVersion === segment.gridVersion;
    const definition = enrolment.prices.length === 0 ? EnrolmentPriced : EnrolmentRepriced;
    const events = unchanged
      ? []
      : [
          this.outbox.entry(
            definition,
            this.procedure.event(enrolment, {
              gridId: segment.gridId,
              gridVersion: segment.gridVersion,
              ...(segment.qfRecordId ? { qfRecordId: segment.qfRecordId } : {}),
              unitPriceCents: segment.unitPriceCents,
              ...(previous ? { previousUnitPriceCents: previous.unitPriceCents } : {}),
              ...(segment.monthlyContractCents !== undefined && {
                monthlyContractCents: segment.monthlyContractCents,
              }),
              ...(previous?.monthlyContractCents !== undefined && {
                previousMonthlyContractCents: previous.monthlyContractCents,
              }),
              appliesFrom: segment.appliesFrom,
              explanation: segment.explanation,
            }),
          ),
        ];
    const written = await this.enrolments.collection.updateOne(
      { _id: enrolment._id, priceEvents: { $ne: eventId } },
      withEvents(
        {
          $set: { prices: [...before, segment] },
          $push: { priceEvents: { $each: [eventId], $slice: -PRICE_EVENTS_KEPT } },
        },
        events,
      ),
    );
    if (written.modifiedCount === 1 && events.length) this.outbox.published(ENROLMENTS, enrolment._id);
  }
}
