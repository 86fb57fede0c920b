import { HttpStatus, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Principal } from '@guichet/auth';
import { deterministicJobId, JobQueue } from '@guichet/jobs';
import { ProblemException } from '@guichet/platform';
import { NotifyService } from '../events/notify.service';
import { BroadcastScope, ProjectionRepository } from '../events/projection.repository';
import { notificationQueue, NotificationsConfig } from '../notifications.config';
import { broadcastMessage } from '../templates/event-messages';
import { BroadcastDocument, BroadcastRepository } from './broadcast.repository';
import { BroadcastDto } from './dto/broadcast.dto';

/** How often, and after how long, broadcasts whose jobs were not all added are enqueued again. */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_AFTER_MS = 60_000;

interface BroadcastJob {
  broadcastId: string;
  householdId: string;
}

/**
 * Agents' notices: the families of the scope are found in the projections, then one job per family
 * (id derived from the broadcast and the household) turns the notice into that family's deliveries.
 */
@Injectable()
export class BroadcastService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BroadcastService.name);
  private readonly queue: JobQueue<BroadcastJob, string>;

  constructor(
    @Inject(NotificationsConfig) config: NotificationsConfig,
    private readonly broadcasts: BroadcastRepository,
    private readonly projections: ProjectionRepository,
    private readonly notify: NotifyService,
  ) {
    this.queue = notificationQueue<BroadcastJob>(config, 'broadcast');
  }

  private sweepTimer?: NodeJS.Timeout;

  onModuleInit(): void {
    this.queue.process((job) => this.notifyFamily(job), 4);
    this.sweepTimer = setInterval(() => {
      this.resumeBroadcasts(SWEEP_AFTER_MS).catch((error: Error) =>
        this.logger.warn(`resuming broadcasts failed: ${error.message}`),
      );
    }, SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.queue.close();
  }

  async broadcast(
    principal: Principal,
    body: BroadcastDto,
  ): Promise<{ broadcastId: string; families: number }> {
    const scope = scopeOf(body);
    const households = await this.projections.householdsIn(scope);
    if (households.length === 0) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: 'Aucune famille ne correspond à cette cible : rien n’a été envoyé.',
      });
    }
    const broadcast: BroadcastDocument = {
      _id: randomUUID(),
      scope,
      subject: body.subject,
      text: body.text,
      households,
      createdBy: principal.subject,
      createdAt: new Date(),
    };
    // Recorded first with its families: if the process stops before every job is added, the sweep
    // (resumeBroadcasts) adds them later under the same ids.
    await this.broadcasts.save(broadcast);
    await this.enqueue(broadcast);
    return { broadcastId: broadcast._id, families: households.length };
  }

  /** Adds the jobs of the broadcasts recorded more than `olderThanMs` ago and not yet enqueued. */
  async resumeBroadcasts(olderThanMs: number): Promise<number> {
    const pending = await this.broadcasts.notEnqueuedBefore(new Date(Date.now() - olderThanMs));
    for (const broadcast of pending) await this.enqueue(broadcast);
    return pending.length;
  }

  private async enqueue(broadcast: BroadcastDocument): Promise<void> {
    await this.queue.queue.addBulk(
      broadcast.households.map((householdId) => ({
        name: this.queue.queue.name,
        data: { broadcastId: broadcast._id, householdId },
        opts: { jobId: deterministicJobId(broadcast._id, householdId) },
      })),
    );
    await this.broadcasts.markEnqueued(broadcast._id);
  }

  /** The jobs of one broadcast (tests and operations). */
  jobsOf(broadcastId: string, householdIds: string[]): Promise<(Job<BroadcastJob, string> | undefined)[]> {
    return Promise.all(
      householdIds.map((id) => this.queue.queue.getJob(deterministicJobId(broadcastId, id))),
    );
  }

  private async notifyFamily(job: Job<BroadcastJob, string>): Promise<string> {
    const broadcast = await this.broadcasts.find(job.data.broadcastId);
    if (!broadcast) return 'missing';
    await this.notify.toHousehold(
      broadcast._id,
      job.data.householdId,
      broadcastMessage(broadcast.subject, broadcast.text),
    );
    return 'notified';
  }
}

function scopeOf(body: BroadcastDto): BroadcastScope {
  if (body.scope === 'day')
    return { kind: 'day', date: body.date ?? '', ...(body.offerId ? { offerId: body.offerId } : {}) };
  if (body.scope === 'site') return { kind: 'site', siteId: body.siteId ?? '' };
  return { kind: 'offer', offerId: body.offerId ?? '' };
}
