import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AccountsConfig } from '../accounts.config';
import { DocumentsService } from '../documents/documents.service';
import { HouseholdRepository } from '../households/household.repository';

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

export interface PurgeReport {
  unfinishedUploads: number;
  rejectedDocuments: number;
  expiredDocuments: number;
  erasedHouseholds: number;
}

/**
 * Retention periods per data type (configuration, see README): what has served its purpose is
 * deleted hourly. Refresh tokens, login windows and mailed links have their own purges.
 */
@Injectable()
export class RetentionPurge implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('retention');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AccountsConfig,
    private readonly documents: DocumentsService,
    private readonly households: HouseholdRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.warn(`purge failed: ${(error as Error).message}`));
    }, HOUR_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async purge(now = new Date()): Promise<PurgeReport> {
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const report = {
      unfinishedUploads: await this.documents.purgeUnfinished(new Date(now.getTime() - HOUR_MS)),
      rejectedDocuments: await this.documents.purge(
        'rejected',
        before(this.config.RETENTION_REJECTED_DOCUMENTS_DAYS),
      ),
      expiredDocuments: await this.documents.purge(
        'expired',
        before(this.config.RETENTION_EXPIRED_DOCUMENTS_DAYS),
      ),
      erasedHouseholds: await this.households.deleteErasedBefore(
        before(this.config.RETENTION_ERASED_HOUSEHOLDS_DAYS),
      ),
    };
    if (Object.values(report).some((count) => count > 0)) this.logger.log(`purged ${JSON.stringify(report)}`);
    return report;
  }
}
