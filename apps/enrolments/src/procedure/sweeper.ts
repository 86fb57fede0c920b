import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ProcedureService } from './procedure.service';

export const SWEEP_SETTINGS = Symbol('SWEEP_SETTINGS');
export interface SweepSettings {
  intervalMs: number;
  staleAfterMs: number;
}

/** Runs the procedure's sweep on a timer: expired place offers, interrupted place moves. */
@Injectable()
export class ProcedureSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProcedureSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly procedure: ProcedureService,
    @Inject(SWEEP_SETTINGS) private readonly settings: SweepSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.procedure
        .sweep(this.settings.staleAfterMs)
        .then((done) => {
          if (done.expired || done.resumed) this.logger.log(done, 'procedure sweep');
        })
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'procedure sweep failed; next run retries'),
        )
        .finally(() => (this.running = undefined));
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
