import { HttpStatus, Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Principal } from '@guichet/auth';
import { deterministicJobId, JobQueue } from '@guichet/jobs';
import { ProblemException } from '@guichet/platform';
import { NotifyService } from '../events/notify.service';
import { BroadcastScope, ProjectionRepository } from '../events/projection.repository';
import { notificationQueue, NotificationsConfig } from '../notifications.config';
import { broadcastMessage } from '../templates/event-messages';
import { BroadcastRepository } from './broadcast.repository';
import { BroadcastDto } from './dto/broadcast.dto';

interface BroadcastJob {
  broadcastId: string;
  householdId: string;
}

/**
 * Agents' notices: the families of the scope are found in the projections, then one job per family
 * (id derived from the broadcast and the household) turns the notice into that family's deliveries.
 */
@Injectable()
export class BroadcastService implements OnModuleInit, OnModuleDestroy {
  private readonly queue: JobQueue<BroadcastJob, string>;

  constructor(
    @Inject(NotificationsConfig) config: NotificationsConfig,
    private readonly broadcasts: BroadcastRepository,
    private readonly projections: ProjectionRepository,
    private readonly notify: NotifyService,
  ) {
    this.queue = notificationQueue<BroadcastJob>(config, 'broadcast');
  }

  onModuleInit(): void {
    this.queue.process((job) => this.notifyFamily(job), 4);
  }

  async onModuleDestroy(): Promise<void> {
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
    const broadcastId = randomUUID();
    await this.broadcasts.save({
      _id: broadcastId,
      scope,
      subject: body.subject,
      text: body.text,
      families: households.length,
      createdBy: principal.subject,
      createdAt: new Date(),
    });
    await this.queue.queue.addBulk(
      households.map((householdId) => ({
        name: this.queue.queue.name,
        data: { broadcastId, householdId },
        opts: { jobId: deterministicJobId(broadcastId, householdId) },
      })),
    );
    return { broadcastId, families: households.length };
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
