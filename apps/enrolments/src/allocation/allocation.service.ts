import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { Principal } from '@guichet/auth';
import { AllocationPublished } from '@guichet/contracts';
import { EventOutbox, OutboxFields, withEvents } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { CatalogueService } from '../catalogue/catalogue.service';
import { allocate, AllocationOutcome } from '../domain/allocation';
import { FactsRepository, siblingAtSite } from '../facts/facts.repository';
import { notFound } from '../procedure/access';
import { Clock } from '../procedure/clock';
import { EnrolmentRepository } from '../procedure/enrolment.repository';
import { ProcedureService } from '../procedure/procedure.service';

/** A computed allocation of an offer: a draft agents can read, then published (applied) once. */
export interface AllocationDocument extends OutboxFields {
  _id: string;
  offerId: string;
  seed: string;
  places: number;
  status: 'draft' | 'publishing' | 'published';
  outcomes: AllocationOutcome[];
  createdAt: Date;
  publishedAt?: Date;
}

const SIBLING = 'sibling';

/**
 * Allocation at the close of an application window: the applications are ranked by the offer's
 * published priority criteria and a seeded draw (see domain/allocation), stored as a draft, then
 * published: places are taken in rank order and everyone else is waitlisted in rank order.
 */
@Injectable()
export class AllocationService {
  private readonly allocations: mongo.Collection<AllocationDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly catalogue: CatalogueService,
    private readonly enrolments: EnrolmentRepository,
    private readonly facts: FactsRepository,
    private readonly procedure: ProcedureService,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {
    this.allocations = connection.collection<AllocationDocument>('allocations');
  }

  async run(principal: Principal, offerId: string, seed: string) {
    const offer = await this.catalogue.staffOffer(principal, offerId);
    if (offer.procedure.mode !== 'window') {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Cette offre attribue ses places au fil de l’eau, sans commission.',
      });
    }
    if (this.clock.now() <= offer.procedure.closesAt) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: `L’attribution se fait après la clôture des demandes (${offer.procedure.closesAt.toISOString()}).`,
      });
    }
    const submitted = await this.enrolments.submittedOf(offerId);
    const siblingCriterion = offer.procedure.priorities.some((p) => p.id === SIBLING);
    const facts = await this.facts.householdsById(submitted.map((e) => e.householdId));
    const applicants = submitted.map((e) => ({
      enrolmentId: e._id,
      householdId: e.householdId,
      criteria:
        siblingCriterion && siblingAtSite(facts.get(e.householdId) ?? null, e.siteId, offerId)
          ? [...e.criteria, SIBLING]
          : e.criteria,
    }));
    const allocation: AllocationDocument = {
      _id: randomUUID(),
      offerId,
      seed,
      places: offer.places.free,
      status: 'draft',
      outcomes: allocate({
        seed,
        places: offer.places.free,
        criteria: offer.procedure.priorities,
        applicants,
        keepSiblingsTogether: offer.procedure.keepSiblingsTogether,
      }),
      createdAt: this.clock.now(),
    };
    await this.allocations.insertOne(allocation);
    return this.view(allocation);
  }

  async get(principal: Principal, id: string) {
    const allocation = await this.allocations.findOne({ _id: id });
    if (!allocation) throw notFound('Attribution');
    await this.catalogue.staffOffer(principal, allocation.offerId);
    return this.view(allocation);
  }

  /**
   * Applies the allocation in rank order. Each step is conditional on the application still being
   * submitted, so publishing again after an interruption completes it without doing anything twice.
   * An offer whose allocation offers its places puts every application on the waitlist in rank order,
   * then offers the free places to the head of it, as when a place frees up.
   */
  async publish(principal: Principal, id: string) {
    const found = await this.allocations.findOne({ _id: id });
    if (!found) throw notFound('Attribution');
    const offer = await this.catalogue.staffOffer(principal, found.offerId);
    const allocation = await this.allocations.findOneAndUpdate(
      { _id: id, status: { $in: ['draft', 'publishing'] } },
      { $set: { status: 'publishing' } },
      { returnDocument: 'after' },
    );
    if (!allocation)
      throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Cette attribution est déjà publiée.' });
    for (const outcome of allocation.outcomes) {
      const enrolment = await this.enrolments.find(outcome.enrolmentId);
      if (enrolment?.status !== 'submitted') continue; // cancelled meanwhile, or applied before an interruption
      const ref = {
        allocationId: id,
        rank: outcome.rank,
        points: outcome.points,
        explanation: outcome.explanation,
      };
      const accepted =
        outcome.outcome === 'accepted' &&
        !offer.procedure.offersPlaces &&
        (await this.procedure.placeAndAccept(enrolment, offer, 'allocation', ['submitted'], ref));
      if (!accepted) await this.procedure.waitlist(enrolment, 'submitted', ref);
    }
    if (offer.procedure.offersPlaces) await this.procedure.fillFromWaitlist(offer._id);
    const accepted = allocation.outcomes.filter((o) => o.outcome === 'accepted').length;
    const published = await this.allocations.findOneAndUpdate(
      { _id: id, status: 'publishing' },
      withEvents({ $set: { status: 'published' as const, publishedAt: this.clock.now() } }, [
        this.outbox.entry(AllocationPublished, {
          subject: offer._id,
          data: {
            allocationId: id,
            offerId: offer._id,
            service: offer.service,
            seed: allocation.seed,
            accepted,
            waitlisted: allocation.outcomes.length - accepted,
          },
        }),
      ]),
      { returnDocument: 'after' },
    );
    this.outbox.published('allocations', id);
    return this.view(published ?? allocation);
  }

  private view(allocation: AllocationDocument) {
    return {
      id: allocation._id,
      offerId: allocation.offerId,
      seed: allocation.seed,
      places: allocation.places,
      status: allocation.status,
      createdAt: allocation.createdAt.toISOString(),
      publishedAt: allocation.publishedAt?.toISOString(),
      outcomes: allocation.outcomes,
    };
  }
}
