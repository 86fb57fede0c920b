import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
} from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export const DOCUMENT_STATUSES = ['pending', 'accepted', 'rejected', 'expired'] as const;
export const DOCUMENT_TYPES = [
  'proof-of-address',
  'health-record',
  'insurance',
  'qf-proof',
  'other',
] as const;

/**
 * A document of a family file was checked or ran out. Carries its type, status and validity, which
 * eligibility needs, and the rejection reason the family must read; never the file or its name.
 */
export class DocumentStatusChangedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsString() @Length(1, 64) documentId!: string;
  @IsIn(DOCUMENT_TYPES) documentType!: string;
  @IsIn(DOCUMENT_STATUSES) status!: string;
  @IsOptional() @IsISO8601({ strict: true }) validFrom?: string;
  @IsOptional() @IsISO8601({ strict: true }) validUntil?: string;
  @IsOptional() @IsString() @Length(1, 500) reason?: string;
}
export const DocumentStatusChanged = defineEvent(
  'fr.guichet.document.status-changed.v1',
  Topics.documents,
  DocumentStatusChangedV1,
);

/**
 * How to reach a household, for the notifications service only (topic `contacts`, restricted):
 * the address and phone the messages go to and the channels the family agreed to.
 */
export class HouseholdContactChangedV1 {
  @IsString() @Length(1, 64) householdId!: string;
  @IsOptional() @IsEmail() email?: string;
  /** E.164, e.g. +33612345678. */
  @IsOptional() @Matches(/^\+[1-9]\d{6,14}$/) phone?: string;
  @IsBoolean() emailNotices!: boolean;
  @IsBoolean() smsNotices!: boolean;
}
export const HouseholdContactChanged = defineEvent(
  'fr.guichet.household-contact.changed.v1',
  Topics.contacts,
  HouseholdContactChangedV1,
);

/**
 * A message an account holder must receive to prove an address or reset a password. The link holds a
 * single-use secret: the topic is restricted to accounts and notifications, and nobody logs it.
 */
export class AccountMessageRequestedV1 {
  @IsString() @Length(1, 64) accountId!: string;
  @IsOptional() @IsString() @Length(1, 64) householdId?: string;
  @IsIn(['email-verification', 'password-reset']) purpose!: string;
  @IsEmail() email!: string;
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) link!: string;
  @IsISO8601({ strict: true }) expiresAt!: string;
}
export const AccountMessageRequested = defineEvent(
  'fr.guichet.account-message.requested.v1',
  Topics.accountMessages,
  AccountMessageRequestedV1,
);
