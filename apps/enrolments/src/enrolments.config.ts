import { IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { Env, EnvInt, ServiceConfig, WithAccessTokens } from '@guichet/platform';

const httpUrl = (name: string) =>
  IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: `${name} must be an http(s) URL` });

/** The enrolments service's environment; see .env.example for every variable. */
export class EnrolmentsConfig extends WithAccessTokens(ServiceConfig) {
  /** The tariffs service, for price previews (a read the family waits on). Without it, no preview. */
  @Env() @IsOptional() @httpUrl('TARIFFS_URL') TARIFFS_URL?: string;

  /** How often expired place offers and interrupted place moves are looked for. */
  @EnvInt()
  @IsInt({ message: 'PROCEDURE_SWEEP_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(3_600_000)
  PROCEDURE_SWEEP_MS = 5_000;

  /** A place move older than this was interrupted (a crash) and is completed by the sweep. */
  @EnvInt()
  @IsInt({ message: 'PROCEDURE_STALE_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(3_600_000)
  PROCEDURE_STALE_MS = 15_000;
}
