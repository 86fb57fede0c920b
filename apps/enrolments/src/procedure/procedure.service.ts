import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import {
  EnrolmentAccepted,
  EnrolmentCancelled,
  EnrolmentRefV1,
  EnrolmentRejected,
  EnrolmentSubmitted,
  EnrolmentWaitlisted,
  PlaceOffered,
  PlaceOfferExpired,
} from '@guichet/contracts';
import { EventOutbox, newDocumentWithEvents } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { CatalogueRepository, HeldOffer, OfferDocument, PlaceMove } from '../catalogue/catalogue.repository';
import { assessEligibility, Eligibility } from '../domain/eligibility';
import { parisDate } from '../domain/paris-time';
import { childRank, FactsRepository, HouseholdFactsDocument } from '../facts/facts.repository';
import { assertMayManage, notFound } from './access';
import { Clock } from './clock';
import {
  ACTIVE_STATUSES,
  AllocationRef,
  EnrolmentDocument,
  ENROLMENTS,
  EnrolmentRepository,
  EnrolmentStatus,
  PLACE_HOLDING,
} from './enrolment.repository';

export interface CreateEnrolment {
  childId: string;
  offerId: string;
  criteria?: string[];
  contractHoursPerYear?: number;
  /** false keeps a draft (default: submit at once). */
  submit?: boolean;
}

const conflict = (detail: string) => new ProblemException(HttpStatus.CONFLICT, { detail });

const STATUS_LABELS: Record<EnrolmentStatus, string> = {
  draft: 'brouillon',
  submitted: 'déposée',
  accepted: 'acceptée',
  waitlisted: 'en liste d’attente',
  offered: 'place proposée',
  rejected: 'refusée',
  cancelled: 'annulée',
  expired: 'proposition expirée',
};

/**
 * The enrolment procedure: draft → submitted → accepted | waitlisted | rejected → cancelled, with
 * places offered from the waitlist. Every change of an enrolment is one single-document write with
 * its events; places are taken and freed in the offer's ledger, so they can never exceed capacity.
 * A move that touches both documents is recorded in the offer's ledger and completed by
 * {@link sweep} if the process dies in between.
 */
@Injectable()
export class ProcedureService {
  private readonly logger = new Logger(ProcedureService.name);

  constructor(
    private readonly enrolments: EnrolmentRepository,
    private readonly catalogue: CatalogueRepository,
    private readonly facts: FactsRepository,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- reading

  /** A family reaches only its own enrolments (another one is "not found"); staff within their scope. */
  async visible(principal: Principal, id: string): Promise<EnrolmentDocument> {
    const enrolment = await this.enrolments.find(id);
    if (!enrolment) throw notFound('Inscription');
    if (principal.role === 'family') {
      if (enrolment.householdId !== principal.householdId) throw notFound('Inscription');
    } else {
      assertMayManage(principal, enrolment);
    }
    return enrolment;
  }

  async view(enrolment: EnrolmentDocument, offer?: OfferDocument | null) {
    const queue =
      enrolment.status === 'waitlisted'
        ? (offer ?? (await this.catalogue.offer(enrolment.offerId)))?.places.waiting
        : undefined;
    const index = queue?.indexOf(enrolment._id) ?? -1;
    const position = index >= 0 ? index + 1 : undefined;
    return {
      id: enrolment._id,
      householdId: enrolment.householdId,
      childId: enrolment.childId,
      offerId: enrolment.offerId,
      service: enrolment.service,
      siteId: enrolment.siteId,
      status: enrolment.status,
      statusLabel: STATUS_LABELS[enrolment.status],
      preRegistration: enrolment.preRegistration,
      birthConfirmedAt: enrolment.birthConfirmedAt?.toISOString(),
      criteria: enrolment.criteria,
      contractHoursPerYear: enrolment.contractHoursPerYear,
      createdAt: enrolment.createdAt.toISOString(),
      submittedAt: enrolment.submittedAt?.toISOString(),
      decidedAt: enrolment.decidedAt?.toISOString(),
      rejection: enrolment.rejection,
      waitlistPosition: position,
      placeOffer: enrolment.placeOffer && { expiresAt: enrolment.placeOffer.expiresAt.toISOString() },
      allocation: enrolment.allocation && {
        allocationId: enrolment.allocation.allocationId,
        rank: enrolment.allocation.rank,
        points: enrolment.allocation.points,
        explanation: enrolment.allocation.explanation,
      },
      prices: enrolment.prices,
    };
  }

  /** Many enrolments at once, each offer read once (for their waitlist positions). */
  async views(enrolments: EnrolmentDocument[]) {
    const offers = new Map<string, OfferDocument | null>();
    for (const id of new Set(enrolments.filter((e) => e.status === 'waitlisted').map((e) => e.offerId))) {
      offers.set(id, await this.catalogue.offer(id));
    }
    return Promise.all(enrolments.map((e) => this.view(e, offers.get(e.offerId))));
  }

  /** Eligibility of a child for an offer, from what accounts told us. */
  async eligibility(householdId: string, childId: string, offer: OfferDocument): Promise<Eligibility> {
    const facts = await this.facts.household(householdId);
    return this.assess(facts, childId, offer);
  }

  assess(facts: HouseholdFactsDocument | null, childId: string, offer: OfferDocument): Eligibility {
    const child = facts?.children?.[childId];
    if (!child) {
      throw notFound('Enfant (s’il vient d’être déclaré, réessayez dans quelques secondes)');
    }
    return assessEligibility({
      rules: offer.eligibility,
      periodStartsOn: offer.days.startsOn,
      child,
      resident: facts?.resident,
      documents: Object.values(facts?.documents ?? {}),
      allowsUnborn: offer.procedure.allowsUnborn,
      today: parisDate(this.clock.now()),
    });
  }

  // ---------------------------------------------------------------- family

  /**
   * Creates an enrolment (submitted, or a draft). With an Idempotency-Key the enrolment's id comes
   * from the key, so a repeated request finds the first one and gets the first answer back.
   */
  async create(principal: Principal, body: CreateEnrolment, idempotencyKey?: string) {
    const householdId = this.ownHousehold(principal);
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const id = idempotencyKey
      ? createHash('sha256').update(`${householdId}\u0000${idempotencyKey}`).digest('hex').slice(0, 32)
      : randomUUID();
    if (idempotencyKey) {
      const earlier = await this.enrolments.find(id);
      if (earlier) return this.repeated(earlier, requestHash);
    }
    const offer = await this.catalogue.offer(body.offerId);
    if (!offer) throw notFound('Offre');
    const submit = body.submit ?? true;
    const eligibility = await this.eligibility(householdId, body.childId, offer);
    if (submit) this.assertSubmittable(offer, eligibility);
    this.assertKnownCriteria(offer, body.criteria ?? []);
    this.assertContractFits(offer, body.contractHoursPerYear);

    const now = this.clock.now();
    const enrolment: EnrolmentDocument = {
      _id: id,
      householdId,
      childId: body.childId,
      offerId: offer._id,
      service: offer.service,
      siteId: offer.siteId,
      status: submit ? 'submitted' : 'draft',
      activeKey: `${body.childId}:${offer._id}`,
      criteria: body.criteria ?? [],
      ...(body.contractHoursPerYear !== undefined && { contractHoursPerYear: body.contractHoursPerYear }),
      preRegistration: eligibility.unborn,
      createdAt: now,
      ...(submit ? { submittedAt: now } : {}),
      prices: [],
      priceEvents: [],
      ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash } } : {}),
    };
    const events = submit ? [this.outbox.entry(EnrolmentSubmitted, this.event(enrolment, {}))] : [];
    const inserted = await this.enrolments.insert(newDocumentWithEvents(enrolment, events, now));
    if (inserted === 'active') throw conflict('Cet enfant a déjà une demande en cours pour cette offre.');
    if (inserted === 'id') return this.repeated(await this.current(id), requestHash);
    if (events.length) this.outbox.published(ENROLMENTS, id);

    const settled = submit ? await this.afterSubmission(enrolment, offer, eligibility) : enrolment;
    // Stored and returned in its JSON form, so a repeated request gets exactly the same answer.
    const answer: unknown = JSON.parse(JSON.stringify(await this.view(settled)));
    if (idempotencyKey) await this.enrolments.transition(id, {}, { $set: { firstAnswer: answer } });
    return answer;
  }

  /** The same Idempotency-Key again: the first answer, or the enrolment as it stands if that answer was never stored. */
  private async repeated(earlier: EnrolmentDocument, requestHash: string) {
    if (earlier.idempotency?.requestHash !== requestHash) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: 'Cette clé Idempotency-Key a déjà servi pour une autre demande.',
      });
    }
    if (earlier.firstAnswer) return earlier.firstAnswer;
    // The first request stopped half-way (a crash): finish what it started, then answer.
    const offer = await this.offerOf(earlier);
    const settled =
      earlier.status === 'submitted'
        ? await this.afterSubmission(
            earlier,
            offer,
            this.assess(await this.facts.household(earlier.householdId), earlier.childId, offer),
          )
        : earlier;
    return this.view(settled);
  }

  async submit(principal: Principal, id: string) {
    const draft = await this.visible(principal, id);
    this.ownHousehold(principal, draft);
    if (draft.status !== 'draft') throw this.invalidTransition(draft, 'déposer');
    const offer = await this.offerOf(draft);
    const eligibility = await this.eligibility(draft.householdId, draft.childId, offer);
    this.assertSubmittable(offer, eligibility);
    const now = this.clock.now();
    const submitted = await this.enrolments.transition(
      id,
      { status: 'draft' },
      { $set: { status: 'submitted', submittedAt: now, preRegistration: eligibility.unborn } },
      [this.outbox.entry(EnrolmentSubmitted, this.event(draft, {}))],
    );
    if (!submitted) throw this.invalidTransition(await this.current(id), 'déposer');
    this.outbox.published(ENROLMENTS, id);
    return this.view(await this.afterSubmission(submitted, offer, eligibility));
  }

  /**
   * First come, first served: a complete application gets a free place at once if nobody waits
   * (a freed place belongs to the waitlist), or joins the waitlist.
   */
  private async afterSubmission(
    enrolment: EnrolmentDocument,
    offer: OfferDocument,
    eligibility: Eligibility,
  ): Promise<EnrolmentDocument> {
    if (offer.procedure.mode !== 'fcfs' || !eligibility.documentsComplete) return enrolment;
    return (
      (await this.placeAndAccept(enrolment, offer, 'fcfs', ['submitted'])) ??
      (await this.waitlist(enrolment, 'submitted'))
    );
  }

  /**
   * A pre-registered child is born: the family confirms it once accounts knows the birth date (the
   * child's record updated from the expected date to the real one, today or before).
   */
  async confirmBirth(principal: Principal, id: string) {
    const enrolment = await this.visible(principal, id);
    this.ownHousehold(principal, enrolment);
    if (
      !enrolment.preRegistration ||
      enrolment.birthConfirmedAt ||
      !ACTIVE_STATUSES.includes(enrolment.status)
    ) {
      throw conflict('Cette demande n’attend pas de confirmation de naissance.');
    }
    const child = (await this.facts.household(enrolment.householdId))?.children?.[enrolment.childId];
    if (!child || child.birthDate > parisDate(this.clock.now())) {
      throw conflict('Déclarez d’abord la date de naissance de l’enfant dans votre dossier famille.');
    }
    const confirmed = await this.enrolments.transition(
      id,
      { birthConfirmedAt: { $exists: false } },
      { $set: { birthConfirmedAt: this.clock.now() } },
    );
    return this.view(confirmed ?? (await this.current(id)));
  }

  /** The family takes the place it was offered, before the deadline. */
  async acceptPlace(principal: Principal, id: string) {
    const enrolment = await this.visible(principal, id);
    this.ownHousehold(principal, enrolment);
    const now = this.clock.now();
    if (enrolment.status !== 'offered' || !enrolment.placeOffer || enrolment.placeOffer.expiresAt <= now) {
      throw this.invalidTransition(enrolment, 'accepter la place');
    }
    const accepted = await this.completeAccept(enrolment, await this.offerOf(enrolment), {
      status: 'offered',
      'placeOffer.expiresAt': { $gt: now },
    });
    if (!accepted) throw this.invalidTransition(await this.current(id), 'accepter la place');
    await this.catalogue.closeHeldOffer(enrolment.offerId, { id, expiresAt: enrolment.placeOffer.expiresAt });
    return this.view(accepted);
  }

  /** The family or an agent ends an enrolment; a place it held goes to the waitlist. */
  async cancel(principal: Principal, id: string) {
    const enrolment = await this.visible(principal, id);
    const cancelled = await this.end(
      enrolment,
      'cancelled',
      principal.role === 'family' ? 'family' : 'agent',
    );
    if (!cancelled) throw this.invalidTransition(await this.current(id), 'annuler');
    return this.view(cancelled);
  }

  // ---------------------------------------------------------------- agents

  async accept(principal: Principal, id: string) {
    const enrolment = await this.visible(principal, id);
    this.assertStaff(principal);
    if (!['submitted', 'waitlisted'].includes(enrolment.status))
      throw this.invalidTransition(enrolment, 'accepter');
    const offer = await this.offerOf(enrolment);
    const eligibility = await this.eligibility(enrolment.householdId, enrolment.childId, offer);
    if (eligibility.blocking.length || !eligibility.documentsComplete) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Le dossier n’est pas complet : vérifiez les pièces avant d’accepter.',
        errors: [...eligibility.blocking, ...eligibility.documents].map((f) => ({
          field: f.code,
          message: f.message,
        })),
      });
    }
    const accepted = await this.placeAndAccept(enrolment, offer, 'agent', ['submitted', 'waitlisted']);
    if (!accepted) {
      const now = await this.current(id);
      if (now.status !== enrolment.status) throw this.invalidTransition(now, 'accepter');
      throw conflict('Plus aucune place libre dans cette offre : inscrivez la demande en liste d’attente.');
    }
    return this.view(accepted);
  }

  async reject(principal: Principal, id: string, reasonCode: string, reason: string) {
    const enrolment = await this.visible(principal, id);
    this.assertStaff(principal);
    const rejected = await this.end(enrolment, 'rejected', 'agent', { code: reasonCode, reason });
    if (!rejected) throw this.invalidTransition(await this.current(id), 'refuser');
    return this.view(rejected);
  }

  async putOnWaitlist(principal: Principal, id: string) {
    const enrolment = await this.visible(principal, id);
    this.assertStaff(principal);
    if (enrolment.status !== 'submitted')
      throw this.invalidTransition(enrolment, 'mettre en liste d’attente');
    const waitlisted = await this.waitlist(enrolment, 'submitted');
    if (waitlisted.status !== 'waitlisted')
      throw this.invalidTransition(waitlisted, 'mettre en liste d’attente');
    return this.view(waitlisted);
  }

  // ---------------------------------------------------------------- moves

  private move(id: string, op: PlaceMove['op']): PlaceMove {
    return { id, op, at: this.clock.now() };
  }

  /**
   * Takes a place for the enrolment and accepts it: the offer's ledger first (the place and the move
   * in one write), then the enrolment with EnrolmentAccepted, then the move is settled. Null when no
   * place is free, or the enrolment moved meanwhile (the place then goes back).
   */
  async placeAndAccept(
    enrolment: EnrolmentDocument,
    offer: OfferDocument,
    origin: 'fcfs' | 'agent' | 'allocation',
    from: EnrolmentStatus[],
    allocation?: AllocationRef,
  ): Promise<EnrolmentDocument | null> {
    let current = enrolment;
    if (allocation) {
      const ranked = await this.enrolments.transition(
        current._id,
        { status: { $in: from } },
        { $set: { allocation } },
      );
      if (!ranked) return null;
      current = ranked;
    }
    const move = this.move(current._id, 'accept');
    if (!(await this.catalogue.takePlace(offer._id, move, { ifNobodyWaits: origin === 'fcfs' }))) return null;
    const accepted = await this.completeAccept(current, offer, { status: { $in: from } });
    await this.catalogue.settle(offer._id, move);
    if (!accepted) await this.reconcile(offer._id, current._id);
    return accepted;
  }

  /** The enrolment holds its place: it becomes accepted, with the facts tariffs prices it from. */
  private async completeAccept(
    enrolment: EnrolmentDocument,
    offer: OfferDocument,
    filter: Record<string, unknown>,
  ): Promise<EnrolmentDocument | null> {
    const now = this.clock.now();
    const today = parisDate(now);
    const facts = await this.facts.household(enrolment.householdId);
    const allocation = enrolment.allocation;
    const accepted = this.outbox.entry(
      EnrolmentAccepted,
      this.event(enrolment, {
        ...(offer.tariffGridId ? { tariffGridId: offer.tariffGridId } : {}),
        startsOn: offer.days.startsOn > today ? offer.days.startsOn : today,
        childRank: childRank(facts, enrolment.service, enrolment._id),
        pai: facts?.children?.[enrolment.childId]?.pai ?? false,
        ...(enrolment.contractHoursPerYear !== undefined && {
          contractHoursPerYear: enrolment.contractHoursPerYear,
        }),
        ...(allocation ? { allocationId: allocation.allocationId, rank: allocation.rank } : {}),
      }),
    );
    const done = await this.enrolments.transition(
      enrolment._id,
      filter,
      { $set: { status: 'accepted', decidedAt: now }, $unset: { placeOffer: '' } },
      [accepted],
    );
    if (!done) return null;
    this.outbox.published(ENROLMENTS, done._id);
    await this.facts.place(done.householdId, done._id, {
      service: done.service,
      siteId: done.siteId,
      offerId: done.offerId,
    });
    return done;
  }

  /**
   * Puts an enrolment on the waitlist, behind everyone already there (or in allocation rank order,
   * since an allocation is applied in that order): the move is recorded in the ledger first, so a
   * waitlisted enrolment missing from the queue after a crash is put back by the sweep.
   */
  async waitlist(
    enrolment: EnrolmentDocument,
    from: EnrolmentStatus,
    allocation?: AllocationRef,
  ): Promise<EnrolmentDocument> {
    const move = this.move(enrolment._id, 'enqueue');
    const offer = await this.catalogue.beginMove(enrolment.offerId, move);
    const position = (offer?.places.waiting.filter((id) => id !== enrolment._id).length ?? 0) + 1;
    const waitlisted = await this.enrolments.transition(
      enrolment._id,
      { status: from },
      { $set: { status: 'waitlisted', decidedAt: this.clock.now(), ...(allocation ? { allocation } : {}) } },
      [
        this.outbox.entry(
          EnrolmentWaitlisted,
          this.event(enrolment, {
            position,
            ...(allocation ? { allocationId: allocation.allocationId, rank: allocation.rank } : {}),
          }),
        ),
      ],
    );
    if (!waitlisted) {
      await this.catalogue.settle(enrolment.offerId, move);
      return this.current(enrolment._id);
    }
    this.outbox.published(ENROLMENTS, enrolment._id);
    await this.catalogue.enqueue(enrolment.offerId, move);
    return waitlisted;
  }

  /**
   * Ends an enrolment (cancelled, rejected or expired). One that held a place records the release
   * in the ledger first, then the enrolment changes with its event, then the place is freed and
   * offered to the waitlist.
   */
  private async end(
    enrolment: EnrolmentDocument,
    status: 'cancelled' | 'rejected' | 'expired',
    by: 'family' | 'agent' | 'offer-expired' | 'erasure',
    rejection?: { code: string; reason: string },
  ): Promise<EnrolmentDocument | null> {
    const from: EnrolmentStatus[] =
      status === 'expired'
        ? ['offered']
        : status === 'rejected'
          ? ['submitted', 'waitlisted', 'offered']
          : ACTIVE_STATUSES;
    if (!from.includes(enrolment.status)) return null;
    const now = this.clock.now();
    const heldPlace = PLACE_HOLDING.includes(enrolment.status);
    const move = heldPlace ? this.move(enrolment._id, 'release') : undefined;
    if (move) await this.catalogue.beginMove(enrolment.offerId, move);
    const events =
      status === 'rejected'
        ? [
            this.outbox.entry(
              EnrolmentRejected,
              this.event(enrolment, {
                reasonCode: rejection?.code ?? 'other',
                reason: rejection?.reason ?? '',
              }),
            ),
          ]
        : status === 'expired'
          ? [this.outbox.entry(PlaceOfferExpired, this.event(enrolment, {}))]
          : [
              this.outbox.entry(
                EnrolmentCancelled,
                this.event(enrolment, { cancelledBy: by, heldPlace, endsOn: parisDate(now) }),
              ),
            ];
    const ended = await this.enrolments.transition(
      enrolment._id,
      {
        status: enrolment.status,
        ...(status === 'expired' ? { 'placeOffer.expiresAt': { $lte: now } } : {}),
      },
      {
        $set: {
          status,
          activeKey: `${enrolment.activeKey}:${enrolment._id}`,
          decidedAt: now,
          ...(rejection ? { rejection } : {}),
          ...(status === 'cancelled' ? { cancellation: { by, at: now } } : {}),
        },
      },
      events,
    );
    if (!ended) {
      if (move) await this.catalogue.settle(enrolment.offerId, move);
      return null;
    }
    this.outbox.published(ENROLMENTS, enrolment._id);
    if (enrolment.status === 'accepted') await this.facts.unplace(enrolment.householdId, enrolment._id);
    if (enrolment.status === 'waitlisted')
      await this.catalogue.leaveWaitlist(enrolment.offerId, enrolment._id);
    if (move) {
      const offered = enrolment.placeOffer && {
        id: enrolment._id,
        expiresAt: enrolment.placeOffer.expiresAt,
      };
      await this.catalogue.releasePlace(enrolment.offerId, enrolment._id, { move, offered });
      await this.fillFromWaitlist(enrolment.offerId);
    }
    return ended;
  }

  /**
   * Offers every free place to the next family on the waitlist, who has the offer's time to accept.
   * The place is held for it in the ledger (with the place offer and the move, in one write), so it
   * cannot go to anyone else meanwhile. Enrolments no longer waiting are taken out of the queue.
   */
  async fillFromWaitlist(offerId: string): Promise<number> {
    let offered = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const offer = await this.catalogue.offer(offerId);
      const head = offer?.places.waiting[0];
      if (!offer || offer.places.free <= 0 || !head) break;
      const next = await this.enrolments.find(head);
      if (next?.status !== 'waitlisted') {
        await this.catalogue.leaveWaitlist(offerId, head);
        continue;
      }
      const move = this.move(head, 'offer');
      const held = {
        id: head,
        expiresAt: new Date(move.at.getTime() + offer.procedure.placeOfferMinutes * 60_000),
      };
      if (!(await this.catalogue.takePlace(offerId, move, { offered: held }))) break;
      if (await this.completeOffer(next, held)) offered += 1;
      else await this.reconcile(offerId, head);
      await this.catalogue.settle(offerId, move);
    }
    return offered;
  }

  private async completeOffer(
    enrolment: EnrolmentDocument,
    held: HeldOffer,
  ): Promise<EnrolmentDocument | null> {
    const done = await this.enrolments.transition(
      enrolment._id,
      { status: 'waitlisted' },
      { $set: { status: 'offered', placeOffer: { expiresAt: held.expiresAt } } },
      [this.outbox.entry(PlaceOffered, this.event(enrolment, { expiresAt: held.expiresAt.toISOString() }))],
    );
    if (done) this.outbox.published(ENROLMENTS, done._id);
    return done;
  }

  /** After a move that did not complete: a place held by an enrolment that does not hold one goes back. */
  private async reconcile(offerId: string, id: string): Promise<void> {
    const enrolment = await this.enrolments.find(id);
    if (enrolment && PLACE_HOLDING.includes(enrolment.status)) return;
    if (await this.catalogue.releasePlace(offerId, id)) await this.fillFromWaitlist(offerId);
  }

  // ---------------------------------------------------------------- sweep

  /**
   * Passes on the places whose offer expired, and completes the moves a crash interrupted, reading
   * only the offers' ledgers. Every step is conditional, so running it twice, or beside a live
   * request, changes nothing more.
   */
  async sweep(staleAfterMs: number): Promise<{ expired: number; resumed: number }> {
    const now = this.clock.now();
    const stale = now.getTime() - staleAfterMs;
    let expired = 0;
    let resumed = 0;
    for (const offer of await this.catalogue.withOpenMoves()) {
      for (const held of offer.places.offered.filter((o) => o.expiresAt <= now)) {
        const enrolment = await this.enrolments.find(held.id);
        if (enrolment?.status === 'offered' && (await this.end(enrolment, 'expired', 'offer-expired')))
          expired += 1;
        else await this.catalogue.closeHeldOffer(offer._id, held);
      }
      for (const move of offer.places.moves.filter((m) => m.at.getTime() < stale)) {
        await this.resume(offer, move).then(
          () => (resumed += 1),
          (error: unknown) =>
            this.logger.error({ err: error, enrolmentId: move.id }, 'could not resume a place move'),
        );
      }
    }
    return { expired, resumed };
  }

  private async resume(offer: OfferDocument, move: PlaceMove): Promise<void> {
    const enrolment = await this.enrolments.find(move.id);
    const holds = offer.places.holders.includes(move.id);
    if (
      enrolment &&
      holds &&
      move.op === 'accept' &&
      ['submitted', 'waitlisted'].includes(enrolment.status)
    ) {
      await this.completeAccept(enrolment, offer, { status: enrolment.status });
    } else if (enrolment && holds && move.op === 'offer' && enrolment.status === 'waitlisted') {
      const held = offer.places.offered.find((o) => o.id === move.id);
      if (held) await this.completeOffer(enrolment, held);
    } else if (enrolment && move.op === 'enqueue' && enrolment.status === 'waitlisted') {
      await this.catalogue.enqueue(offer._id, move);
      return;
    }
    await this.catalogue.settle(offer._id, move);
    await this.reconcile(offer._id, move.id);
  }

  /** GDPR erasure: the household's live enrolments end (their places go to others). */
  async eraseHousehold(householdId: string): Promise<void> {
    for (const enrolment of await this.enrolments.ofHousehold(householdId, ACTIVE_STATUSES)) {
      await this.end(enrolment, 'cancelled', 'erasure');
    }
  }

  // ---------------------------------------------------------------- helpers

  /** An enrolment event's subject (its Kafka key: one enrolment's events stay in order) and data. */
  event<T extends object>(
    enrolment: EnrolmentDocument,
    extra: T,
  ): { subject: string; data: EnrolmentRefV1 & T } {
    return {
      subject: enrolment._id,
      data: {
        enrolmentId: enrolment._id,
        householdId: enrolment.householdId,
        childId: enrolment.childId,
        offerId: enrolment.offerId,
        service: enrolment.service,
        siteId: enrolment.siteId,
        ...extra,
      },
    };
  }

  /** The enrolment as it stands now (after a conditional write that did not match). */
  private async current(id: string): Promise<EnrolmentDocument> {
    const enrolment = await this.enrolments.find(id);
    if (!enrolment) throw notFound('Inscription');
    return enrolment;
  }

  async offerOf(enrolment: EnrolmentDocument): Promise<OfferDocument> {
    const offer = await this.catalogue.offer(enrolment.offerId);
    if (!offer) throw notFound('Offre');
    return offer;
  }

  private ownHousehold(principal: Principal, enrolment?: EnrolmentDocument): string {
    if (principal.role !== 'family' || !principal.householdId) {
      throw new ProblemException(HttpStatus.FORBIDDEN, {
        detail: 'Seule une famille dépose une demande pour ses enfants.',
      });
    }
    if (enrolment && enrolment.householdId !== principal.householdId) throw notFound('Inscription');
    return principal.householdId;
  }

  private assertStaff(principal: Principal): void {
    if (principal.role !== 'agent' && principal.role !== 'admin') {
      throw new ProblemException(HttpStatus.FORBIDDEN, { detail: 'Réservé aux agents.' });
    }
  }

  private assertSubmittable(offer: OfferDocument, eligibility: Eligibility): void {
    const now = this.clock.now();
    if (now < offer.procedure.opensAt || now > offer.procedure.closesAt) {
      throw conflict(
        `Les demandes pour cette offre sont ouvertes du ${offer.procedure.opensAt.toISOString()} au ${offer.procedure.closesAt.toISOString()}.`,
      );
    }
    if (!eligibility.eligible) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: 'L’enfant ne remplit pas les conditions de cette offre.',
        errors: [
          ...eligibility.blocking,
          ...eligibility.documents.filter((f) => f.code !== 'document-pending'),
        ].map((f) => ({ field: f.code, message: f.message })),
      });
    }
  }

  private assertKnownCriteria(offer: OfferDocument, criteria: string[]): void {
    const known = new Set(offer.procedure.priorities.map((p) => p.id));
    const unknown = criteria.filter((c) => !known.has(c) || c === 'sibling');
    if (unknown.length) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: 'Critères de priorité inconnus pour cette offre (la fratrie est constatée, pas déclarée).',
        errors: unknown.map((c) => ({ field: 'criteria', message: `critère inconnu : ${c}` })),
      });
    }
  }

  /** A care contract in hours is a crèche's (mensualisation); other services price what is booked. */
  private assertContractFits(offer: OfferDocument, contractHoursPerYear: number | undefined): void {
    if (contractHoursPerYear === undefined || offer.service === 'creche') return;
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
      detail: 'Un contrat d’accueil en heures par an ne concerne que les crèches.',
      errors: [{ field: 'contractHoursPerYear', message: 'réservé aux offres de crèche' }],
    });
  }

  private invalidTransition(enrolment: EnrolmentDocument, action: string): ProblemException {
    const of = /^[aeiouéh]/i.test(action) ? 'd’' : 'de ';
    return conflict(`Impossible ${of}${action} : la demande est ${STATUS_LABELS[enrolment.status]}.`);
  }
}
