import { IsIn, IsOptional, IsString, Length } from 'class-validator';
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
}
export const EnrolmentAccepted = defineEvent(
  'fr.guichet.enrolment.accepted.v1',
  Topics.enrolments,
  EnrolmentAcceptedV1,
);
