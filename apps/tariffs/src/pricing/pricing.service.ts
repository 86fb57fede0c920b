import { Injectable, Logger } from '@nestjs/common';
import {
  EnrolmentAcceptedV1,
  EnrolmentCancelledV1,
  EventEnvelope,
  HouseholdErasedV1,
  HouseholdRegisteredV1,
  PriceComputed,
  PsuInputsChangedV1,
  QuotientFamilialChangedV1,
  TariffGridPublishedV1,
} from '@guichet/contracts';
import { EventOutbox, OutboxEntry } from '@guichet/messaging';
import { CompiledGrid, GridVersion, quote, QuoteError } from '@guichet/tariff-engine';
import { GridService, todayInParis } from '../grids/grid.service';
import {
  EnrolmentPriceDocument,
  HouseholdFactsDocument,
  PriceSegment,
  enrolmentFacts,
  PricingRepository,
  psuInForce,
  qfInForce,
} from './pricing.repository';

type Reason = 'accepted' | 'qf-changed' | 'psu-inputs-changed' | 'household-changed' | 'grid-published';
type Enrolment = Omit<EnrolmentPriceDocument, 'handledEvents' | 'prices'> & { prices?: PriceSegment[] };

const later = (a: string, b: string) => (a > b ? a : b);
const samePrice = (a: PriceSegment | undefined, b: PriceSegment) =>
  a !== undefined &&
  a.gridVersion === b.gridVersion &&
  a.unitPriceCents === b.unitPriceCents &&
  a.qfRecordId === b.qfRecordId &&
  a.psuInputsId === b.psuInputsId &&
  a.monthlyContractCents === b.monthlyContractCents &&
  a.resident === b.resident &&
  a.unpriced === b.unpriced;

/** The dates a version's own values change on: the CNAF's dated rates, floors and ceilings (PSU). */
function datedValueStarts(version: GridVersion): string[] {
  const { pricing } = version;
  if (pricing.kind !== 'psu') return [];
  return [...pricing.rates, ...pricing.floors, ...pricing.ceilings].map((value) => value.effectiveFrom);
}

/** The segment in force on a date. */
function segmentAt(prices: PriceSegment[], date: string): PriceSegment | undefined {
  let found: PriceSegment | undefined;
  for (const segment of prices) if (segment.from <= date) found = segment;
  return found;
}

/**
 * Prices enrolments by events. An enrolment's prices are segments over time; a change (acceptance,
 * a QF record, residency, a new grid version) reprices it from the date the change applies: one
 * segment from that date, and one more at every later date where a QF record, PSU inputs, a grid
 * version or a dated CNAF value starts, so nothing known about later dates is lost. Each segment whose price differs from what
 * was in force gets a PriceComputed event, written with the segments in one single-document write;
 * a redelivered event changes nothing.
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
    const startsOn = event.startsOn ?? todayInParis();
    const enrolment: Enrolment = {
      _id: event.enrolmentId,
      householdId: event.householdId,
      gridId: event.tariffGridId,
      childRank: event.childRank ?? 1,
      pai: event.pai ?? false,
      ...(event.contractHoursPerYear !== undefined && { contractHoursPerYear: event.contractHoursPerYear }),
      startsOn,
    };
    await this.repriceFrom(enrolment, startsOn, 'accepted', envelope);
  }

  /** A cancelled enrolment keeps its past prices and gets no new one after its last day. */
  async enrolmentCancelled(event: EnrolmentCancelledV1, envelope: EventEnvelope): Promise<void> {
    await this.repository.endEnrolment(event.enrolmentId, event.endsOn, envelope.id);
  }

  async quotientFamilialChanged(event: QuotientFamilialChangedV1, envelope: EventEnvelope): Promise<void> {
    await this.repository.addQfRecord(event.householdId, {
      qfRecordId: event.qfRecordId,
      qf: event.quotientFamilial,
      appliesFrom: event.appliesFrom,
    });
    await this.repriceHousehold(event.householdId, event.appliesFrom, 'qf-changed', envelope);
  }

  /** New PSU inputs reprice the household's crèche contracts from the date they apply. */
  async psuInputsChanged(event: PsuInputsChangedV1, envelope: EventEnvelope): Promise<void> {
    await this.repository.addPsuRecord(event.householdId, {
      psuInputsId: event.psuInputsId,
      annualResourcesCents: event.annualResourcesCents,
      dependentChildren: event.dependentChildren,
      aeehChildren: event.aeehChildren,
      appliesFrom: event.appliesFrom,
    });
    await this.repriceHousehold(event.householdId, event.appliesFrom, 'psu-inputs-changed', envelope);
  }

  /** Residency: always reprices from today (a redelivery or an unchanged value changes nothing). */
  async householdFacts(event: HouseholdRegisteredV1, envelope: EventEnvelope): Promise<void> {
    await this.repository.setResidency(event.householdId, event.resident);
    await this.repriceHousehold(event.householdId, todayInParis(), 'household-changed', envelope);
  }

  async householdErased(event: HouseholdErasedV1): Promise<void> {
    await this.repository.eraseHousehold(event.householdId);
  }

  async gridPublished(event: TariffGridPublishedV1, envelope: EventEnvelope): Promise<void> {
    for (const enrolment of await this.repository.enrolmentsOfGrid(event.gridId)) {
      await this.repriceFrom(enrolment, event.effectiveFrom, 'grid-published', envelope);
    }
  }

  private async repriceHousehold(householdId: string, from: string, reason: Reason, envelope: EventEnvelope) {
    for (const enrolment of await this.repository.enrolmentsOfHousehold(householdId)) {
      await this.repriceFrom(enrolment, from, reason, envelope);
    }
  }

  private async repriceFrom(enrolment: Enrolment, changeDate: string, reason: Reason, cause: EventEnvelope) {
    const from = later(changeDate, enrolment.startsOn);
    if (enrolment.endsOn !== undefined && from > enrolment.endsOn) return; // ended before the change
    const household = await this.repository.household(enrolment.householdId);
    const grid = await this.grids.findCompiledGrid(enrolment.gridId);
    const before = enrolment.prices ?? [];
    const points = this.changePoints(from, household, grid).filter(
      (date) => enrolment.endsOn === undefined || date <= enrolment.endsOn,
    );
    const computed = points.map((date) => this.segment(enrolment, date, household, grid));
    const prices = [...before.filter((segment) => segment.from < from)];
    const events: OutboxEntry[] = [];
    for (const { segment, explanation } of computed) {
      if (samePrice(prices.at(-1), segment)) continue;
      prices.push(segment);
      if (segment.unpriced === undefined && !samePrice(segmentAt(before, segment.from), segment)) {
        events.push(this.priceEvent(enrolment, segment, explanation, reason, cause));
      }
    }
    const { _id, householdId, gridId, childRank, pai, contractHoursPerYear, startsOn } = enrolment;
    if (
      await this.repository.savePrices(
        {
          _id,
          householdId,
          gridId,
          childRank,
          pai,
          ...(contractHoursPerYear !== undefined && { contractHoursPerYear }),
          startsOn,
        },
        prices,
        cause.id,
        events,
      )
    ) {
      if (events.length) this.outbox.published('enrolment_prices', _id);
    } else {
      this.logger.debug(`event ${cause.id} was applied to ${_id} already`);
    }
  }

  /** The change date, then every later date where a household record or a published grid value starts. */
  private changePoints(
    from: string,
    household: HouseholdFactsDocument | null,
    grid: CompiledGrid | null,
  ): string[] {
    const points = new Set([from]);
    const records = [...(household?.qfRecords ?? []), ...(household?.psuRecords ?? [])];
    for (const record of records) if (record.appliesFrom > from) points.add(record.appliesFrom);
    for (const version of grid?.grid.versions ?? []) {
      if (version.status !== 'published') continue;
      for (const date of [version.effectiveFrom, ...datedValueStarts(version)]) {
        if (date > from && date >= version.effectiveFrom) points.add(date);
      }
    }
    return [...points].sort();
  }

  private segment(
    enrolment: Enrolment,
    date: string,
    household: HouseholdFactsDocument | null,
    grid: CompiledGrid | null,
  ): { segment: PriceSegment; explanation: string[] } {
    const resident = household?.resident ?? true;
    if (!grid)
      return {
        segment: { from: date, resident, unpriced: `grid ${enrolment.gridId} is unknown` },
        explanation: [],
      };
    const qfRecord = qfInForce(household, date);
    const psu = psuInForce(household, date);
    try {
      const result = quote(grid, date, enrolmentFacts(enrolment, household, date));
      const usesPsu = grid.versionAt(date).definition.pricing.kind === 'psu';
      return {
        segment: {
          from: date,
          gridVersion: result.version,
          unitPriceCents: result.unitPriceCents,
          resident,
          ...(qfRecord && !usesPsu ? { qfRecordId: qfRecord.qfRecordId } : {}),
          ...(psu && usesPsu ? { psuInputsId: psu.psuInputsId } : {}),
          ...(result.monthlyContractCents !== undefined && {
            monthlyContractCents: result.monthlyContractCents,
          }),
        },
        explanation: result.explanation,
      };
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      return { segment: { from: date, resident, unpriced: error.message }, explanation: [] };
    }
  }

  private priceEvent(
    enrolment: Enrolment,
    segment: PriceSegment,
    explanation: string[],
    reason: Reason,
    cause: EventEnvelope,
  ): OutboxEntry {
    return this.outbox.entry(PriceComputed, {
      subject: enrolment._id,
      causationId: cause.id,
      correlationId: cause.correlationid,
      data: {
        enrolmentId: enrolment._id,
        householdId: enrolment.householdId,
        gridId: enrolment.gridId,
        gridVersion: segment.gridVersion ?? 0,
        ...(segment.qfRecordId !== undefined ? { qfRecordId: segment.qfRecordId } : {}),
        ...(segment.psuInputsId !== undefined ? { psuInputsId: segment.psuInputsId } : {}),
        unitPriceCents: segment.unitPriceCents ?? 0,
        ...(segment.monthlyContractCents !== undefined && {
          monthlyContractCents: segment.monthlyContractCents,
        }),
        appliesFrom: segment.from,
        reason,
        explanation,
      },
    });
  }
}
