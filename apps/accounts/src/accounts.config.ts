import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { Env, EnvInt, ServiceConfig } from '@guichet/platform';
import { parsePartsRuleSets } from './households/qf-parts';

/** The accounts service's environment; see .env.example for every variable. */
export class AccountsConfig extends ServiceConfig {
  /** Where this service's own keys are read back by its guard (its own JWKS endpoint by default). */
  @Env()
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'AUTH_JWKS_URL must be an http(s) URL' },
  )
  AUTH_JWKS_URL?: string;

  @Env() AUTH_ISSUER = 'guichet-accounts';
  @Env() AUTH_AUDIENCE = 'guichet';

  /** The first administrator, created at start when no account has this email. */
  @Env()
  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string;

  @Env()
  @ValidateIf((config: AccountsConfig) => config.ADMIN_EMAIL !== undefined)
  @Length(12, 200, { message: 'ADMIN_PASSWORD must have 12 to 200 characters when ADMIN_EMAIL is set' })
  ADMIN_PASSWORD?: string;

  /** The families' web address: the links of verification and password-reset mails lead there. */
  @Env()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'PUBLIC_URL must be an http(s) URL' },
  )
  PUBLIC_URL = 'http://localhost:3000';

  /** Where the local-directory storage keeps documents' files (created if missing). */
  @Env()
  @IsString()
  @Length(1, 1000, { message: 'DOCUMENTS_DIR must name a directory' })
  DOCUMENTS_DIR = '.local/documents';

  /** The largest document accepted, in bytes (larger ones answer 413 and are not stored). */
  @EnvInt()
  @IsInt({ message: 'DOCUMENT_MAX_BYTES must be a whole number' })
  @Min(1024)
  @Max(100 * 1024 * 1024)
  DOCUMENT_MAX_BYTES = 5 * 1024 * 1024;

  /** API Particulier v3 (production or staging). Unset: accounts starts its local fake (see README). */
  @Env()
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'API_PARTICULIER_URL must be an http(s) URL' },
  )
  API_PARTICULIER_URL?: string;

  @Env()
  @ValidateIf((config: AccountsConfig) => config.API_PARTICULIER_URL !== undefined)
  @Length(10, 4000, { message: 'API_PARTICULIER_TOKEN is required with API_PARTICULIER_URL' })
  API_PARTICULIER_TOKEN?: string;

  /** The city's SIRET, the `recipient` every v3 call names. */
  @Env()
  @ValidateIf((config: AccountsConfig) => config.API_PARTICULIER_URL !== undefined)
  @Matches(/^\d{14}$/, { message: 'API_PARTICULIER_RECIPIENT must be the 14-digit SIRET of the city' })
  API_PARTICULIER_RECIPIENT?: string;

  /** The dated rule sets of fiscal parts for the municipal QF (JSON array); REFERENCE.md §3's by default. */
  @Env()
  @IsOptional()
  @ValidateBy({
    name: 'partsRuleSets',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && typeof parsePartsRuleSets(value) !== 'string',
      defaultMessage: (args) => `QF_PARTS_RULES ${String(parsePartsRuleSets(String(args?.value ?? '')))}`,
    },
  })
  QF_PARTS_RULES?: string;

  /** Retention, in days: rejected documents (file and record) after their rejection. */
  @EnvInt()
  @IsInt({ message: 'RETENTION_REJECTED_DOCUMENTS_DAYS must be a whole number of days' })
  @Min(0)
  @Max(3650)
  RETENTION_REJECTED_DOCUMENTS_DAYS = 90;

  /** Expired documents, after their expiry was recorded. */
  @EnvInt()
  @IsInt({ message: 'RETENTION_EXPIRED_DOCUMENTS_DAYS must be a whole number of days' })
  @Min(0)
  @Max(3650)
  RETENTION_EXPIRED_DOCUMENTS_DAYS = 365;

  /** Erased households' tombstones (their id only, kept while HouseholdErased goes round). */
  @EnvInt()
  @IsInt({ message: 'RETENTION_ERASED_HOUSEHOLDS_DAYS must be a whole number of days' })
  @Min(0)
  @Max(3650)
  RETENTION_ERASED_HOUSEHOLDS_DAYS = 30;
}
