import {
  ArrayMaxSize,
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

/**
 * The price of an enrolment from a date: when it is accepted, when its household's QF or PSU inputs change, and
 * when its grid gets a new version. Names the grid version and QF record it was computed from, and
 * explains itself in French (amounts and QF only: no names).
 */
export class PriceComputedV1 {
  @IsString() @Length(1, 64) enrolmentId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) gridId!: string;
  @IsInt() @Min(1) gridVersion!: number;
  @IsOptional() @IsString() @Length(1, 64) qfRecordId?: string;
  /** Crèches: the PSU inputs the hourly price was computed from. */
  @IsOptional() @IsString() @Length(1, 64) psuInputsId?: string;
  @IsInt() @Min(0) @Max(100_000_000) unitPriceCents!: number;
  /** Crèches: the monthly price of the care contract, when the enrolment has one. */
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) monthlyContractCents?: number;
  /** First day this price applies, YYYY-MM-DD (Europe/Paris). */
  @IsISO8601({ strict: true }) appliesFrom!: string;
  @IsIn(['accepted', 'qf-changed', 'psu-inputs-changed', 'household-changed', 'grid-published'])
  reason!: string;
  @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 300, { each: true }) explanation!: string[];
}
export const PriceComputed = defineEvent('fr.guichet.price.computed.v1', Topics.prices, PriceComputedV1);
