import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DocumentsService } from './documents.service';

const HOUR_MS = 3600 * 1000;

/** Records expiries hourly (reads compute the status anyway; the sweep sends the events). */
@Injectable()
export class DocumentsSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('documents');
  private timer?: NodeJS.Timeout;

  constructor(private readonly documents: DocumentsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.documents
        .expireDue()
        .catch((error: unknown) => this.logger.warn(`expiry sweep failed: ${(error as Error).message}`));
    }, HOUR_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
