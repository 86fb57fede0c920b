import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export const SERVICES = ['creche', 'cantine', 'acm', 'periscolaire'] as const;
export type ServiceKind = (typeof SERVICES)[number];

/** What every enrolment event says: which enrolment, of which child of which household, in which offer. */
export class EnrolmentRefV1 {
  @IsString() @Length(1, 64) enrolmentId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) childId!: string;
  @IsString() @Length(1, 64) offerId!: string;
  @IsIn(SERVICES) service!: string;
  /** The site of the offer (school, crèche, centre): agents' scopes and site-wide notices use it. */
  @IsOptional() @IsString() @Length(1, 64) siteId?: string;
}

export class EnrolmentSubmittedV1 extends EnrolmentRefV1 {}
export const EnrolmentSubmitted = defineEvent(
  'fr.guichet.enrolment.submitted.v1',
  Topics.enrolments,
  EnrolmentSubmittedV1,
);

export class EnrolmentAcceptedV1 extends EnrolmentRefV1 {
  @IsOptional() @IsString() @Length(1, 64) tariffGridId?: string;
  /** First day of the enrolment, YYYY-MM-DD; its price applies from then. */
  @IsOptional() @IsISO8601({ strict: true }) startsOn?: string;
  /** 1 for the household's first child in this service, 2 for the second, … (sibling prices). */
  @IsOptional() @IsInt() @Min(1) @Max(20) childRank?: number;
  /** A PAI packed meal (canteens). */
  @IsOptional() @IsBoolean() pai?: boolean;
  /** Crèches: hours per year of the care contract, for the monthly price (mensualisation). */
  @IsOptional() @IsInt() @Min(1) @Max(3000) contractHoursPerYear?: number;
  /** Set when the place came from an allocation: its id and the family's rank in it. */
  @IsOptional() @IsString() @Length(1, 64) allocationId?: string;
  @IsOptional() @IsInt() @Min(1) rank?: number;
}
export const EnrolmentAccepted = defineEvent(
  'fr.guichet.enrolment.accepted.v1',
  Topics.enrolments,
  EnrolmentAcceptedV1,
);

export class EnrolmentWaitlistedV1 extends EnrolmentRefV1 {
  /** 1 = next in line. */
  @IsInt() @Min(1) position!: number;
  @IsOptional() @IsString() @Length(1, 64) allocationId?: string;
  @IsOptional() @IsInt() @Min(1) rank?: number;
}
export const EnrolmentWaitlisted = defineEvent(
  'fr.guichet.enrolment.waitlisted.v1',
  Topics.enrolments,
  EnrolmentWaitlistedV1,
);

export const REJECTION_CODES = [
  'not-eligible',
  'missing-documents',
  'no-place',
  'duplicate',
  'other',
] as const;

export class EnrolmentRejectedV1 extends EnrolmentRefV1 {
  @IsIn(REJECTION_CODES) reasonCode!: string;
  /** The reason in French, as the family reads it (no other person's data). */
  @IsString() @Length(1, 500) reason!: string;
}
export const EnrolmentRejected = defineEvent(
  'fr.guichet.enrolment.rejected.v1',
  Topics.enrolments,
  EnrolmentRejectedV1,
);

export class EnrolmentCancelledV1 extends EnrolmentRefV1 {
  @IsIn(['family', 'agent', 'offer-expired', 'erasure']) cancelledBy!: string;
  /** Whether the enrolment held a place (its cancellation frees one). */
  @IsBoolean() heldPlace!: boolean;
  /** Last day of the enrolment, YYYY-MM-DD; prices stop after it. */
  @IsISO8601({ strict: true }) endsOn!: string;
}
export const EnrolmentCancelled = defineEvent(
  'fr.guichet.enrolment.cancelled.v1',
  Topics.enrolments,
  EnrolmentCancelledV1,
);

/** A place freed up and is offered to a waitlisted enrolment, until `expiresAt`. */
export class PlaceOfferedV1 extends EnrolmentRefV1 {
  @IsISO8601({ strict: true }) expiresAt!: string;
}
export const PlaceOffered = defineEvent('fr.guichet.place.offered.v1', Topics.enrolments, PlaceOfferedV1);

/** The family did not answer in time: the place passes to the next one. */
export class PlaceOfferExpiredV1 extends EnrolmentRefV1 {}
export const PlaceOfferExpired = defineEvent(
  'fr.guichet.place.offer-expired.v1',
  Topics.enrolments,
  PlaceOfferExpiredV1,
);

/** The allocation of an offer in window mode ran and its result is public; each family's outcome follows as its own event. */
export class AllocationPublishedV1 {
  @IsString() @Length(1, 64) allocationId!: string;
  @IsString() @Length(1, 64) offerId!: string;
  @IsIn(SERVICES) service!: string;
  @IsString() @Length(1, 128) seed!: string;
  @IsInt() @Min(0) accepted!: number;
  @IsInt() @Min(0) waitlisted!: number;
}
export const AllocationPublished = defineEvent(
  'fr.guichet.allocation.published.v1',
  Topics.allocations,
  AllocationPublishedV1,
);

/** The days booked for a day-by-day service changed (meals, ACM days). */
export class BookingChangedV1 extends EnrolmentRefV1 {
  /** Days added, YYYY-MM-DD. */
  @ArrayMaxSize(400) @IsISO8601({ strict: true }, { each: true }) booked!: string[];
  /** Days cancelled in time: each becomes a credit. */
  @ArrayMaxSize(400) @IsISO8601({ strict: true }, { each: true }) cancelledWithCredit!: string[];
  @IsInt() @Min(0) @Max(100_000_000) creditCents!: number;
}
export const BookingChanged = defineEvent('fr.guichet.booking.changed.v1', Topics.bookings, BookingChangedV1);

/**
 * The price an enrolment is billed from a date, as enrolments stored it (grid version, QF record,
 * explanation). `priced` for the first price, `repriced` when a grid or a QF changed it.
 */
export class EnrolmentPriceV1 extends EnrolmentRefV1 {
  @IsString() @Length(1, 64) gridId!: string;
  @IsInt() @Min(1) gridVersion!: number;
  @IsOptional() @IsString() @Length(1, 64) qfRecordId?: string;
  @IsInt() @Min(0) @Max(100_000_000) unitPriceCents!: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) previousUnitPriceCents?: number;
  /** Crèches: the monthly price of the care contract (hours per year ÷ 12 × the hourly price). */
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) monthlyContractCents?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) previousMonthlyContractCents?: number;
  @IsISO8601({ strict: true }) appliesFrom!: string;
  @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 300, { each: true }) explanation!: string[];
}
export const EnrolmentPriced = defineEvent(
  'fr.guichet.enrolment.priced.v1',
  Topics.enrolments,
  EnrolmentPriceV1,
);
export const EnrolmentRepriced = defineEvent(
  'fr.guichet.enrolment.repriced.v1',
  Topics.enrolments,
  EnrolmentPriceV1,
);
