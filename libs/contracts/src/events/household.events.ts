import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** A household (foyer) was created. Carries no names or addresses: only what prices and eligibility need. */
export class HouseholdRegisteredV1 {
  @IsString() @Length(1, 64) householdId!: string;
  /** Resident of the city or not: some grids price non-residents differently. */
  @IsBoolean() resident!: boolean;
  @IsInt() @Min(0) @Max(20) childrenCount!: number;
}
export const HouseholdRegistered = defineEvent(
  'fr.guichet.household.registered.v1',
  Topics.households,
  HouseholdRegisteredV1,
);

export class HouseholdUpdatedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsBoolean() resident!: boolean;
  @IsInt() @Min(0) @Max(20) childrenCount!: number;
}
export const HouseholdUpdated = defineEvent(
  'fr.guichet.household.updated.v1',
  Topics.households,
  HouseholdUpdatedV1,
);

/** GDPR erasure: every service deletes or anonymises what it holds on this household. */
export class HouseholdErasedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsISO8601({ strict: true }) erasedAt!: string;
}
export const HouseholdErased = defineEvent(
  'fr.guichet.household.erased.v1',
  Topics.households,
  HouseholdErasedV1,
);

/** A new quotient familial record applies to a household from a date. The value is allowed: prices depend on it. */
export class QuotientFamilialChangedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) qfRecordId!: string;
  /** Quotient familial in whole euros per month. */
  @IsInt() @Min(0) @Max(100000) quotientFamilial!: number;
  @IsIn(['caf', 'msa', 'declaration', 'municipal']) source!: string;
  /** First day the value applies, YYYY-MM-DD (Europe/Paris). */
  @IsISO8601({ strict: true }) appliesFrom!: string;
  @IsOptional() @IsISO8601({ strict: true }) referenceMonth?: string;
}
export const QuotientFamilialChanged = defineEvent(
  'fr.guichet.quotient-familial.changed.v1',
  Topics.quotientFamilial,
  QuotientFamilialChangedV1,
);

/**
 * New PSU inputs apply to a household from a date: what a crèche's hourly price (CNAF barème) is
 * computed from. Figures only, no names; for tariffs alone (see Topics.psuInputs).
 */
export class PsuInputsChangedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) psuInputsId!: string;
  /** Resources of the reference year, in cents. */
  @IsInt() @Min(0) @Max(100_000_000_00) annualResourcesCents!: number;
  @IsInt() @Min(2000) @Max(2100) year!: number;
  @IsInt() @Min(1) @Max(20) dependentChildren!: number;
  /** Dependent children receiving the AEEH: one more step down the barème, even if not in care. */
  @IsInt() @Min(0) @Max(20) aeehChildren!: number;
  @IsIn(['caf', 'declaration', 'agent']) source!: string;
  /** First day the inputs apply, YYYY-MM-DD (Europe/Paris). */
  @IsISO8601({ strict: true }) appliesFrom!: string;
}
export const PsuInputsChanged = defineEvent(
  'fr.guichet.psu-inputs.changed.v1',
  Topics.psuInputs,
  PsuInputsChangedV1,
);

/** A child was declared in a household. No name: the birth date is what eligibility (age at a date) needs. */
export class ChildAddedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) childId!: string;
  @IsISO8601({ strict: true }) birthDate!: string;
  @IsBoolean() pai!: boolean;
  @IsBoolean() aeeh!: boolean;
}
export const ChildAdded = defineEvent('fr.guichet.child.added.v1', Topics.households, ChildAddedV1);

/** A child's facts that eligibility and prices use changed (no name). */
export class ChildUpdatedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) childId!: string;
  @IsISO8601({ strict: true }) birthDate!: string;
  @IsBoolean() pai!: boolean;
  @IsBoolean() aeeh!: boolean;
}
export const ChildUpdated = defineEvent('fr.guichet.child.updated.v1', Topics.households, ChildUpdatedV1);
