import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

const SERVICES = ['creche', 'cantine', 'acm', 'periscolaire'] as const;

export class EnrolmentSubmittedV1 {
  @IsString() @Length(1, 64) enrolmentId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) childId!: string;
  @IsString() @Length(1, 64) offerId!: string;
  @IsIn(SERVICES) service!: string;
}
export const EnrolmentSubmitted = defineEvent(
  'fr.guichet.enrolment.submitted.v1',
  Topics.enrolments,
  EnrolmentSubmittedV1,
);

export class EnrolmentAcceptedV1 {
  @IsString() @Length(1, 64) enrolmentId!: string;
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) childId!: string;
  @IsString() @Length(1, 64) offerId!: string;
  @IsIn(SERVICES) service!: string;
  @IsOptional() @IsString() @Length(1, 64) tariffGridId?: string;
  /** First day of the enrolment, YYYY-MM-DD; its price applies from then. */
  @IsOptional() @IsISO8601({ strict: true }) startsOn?: string;
  /** 1 for the household's first child in this service, 2 for the second, … (sibling prices). */
  @IsOptional() @IsInt() @Min(1) @Max(20) childRank?: number;
  /** A PAI packed meal (canteens). */
  @IsOptional() @IsBoolean() pai?: boolean;
}
export const EnrolmentAccepted = defineEvent(
  'fr.guichet.enrolment.accepted.v1',
  Topics.enrolments,
  EnrolmentAcceptedV1,
);
