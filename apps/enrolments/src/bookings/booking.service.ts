import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { BookingChanged } from '@guichet/contracts';
import { EventOutbox } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { CatalogueRepository, OfferDocument } from '../catalogue/catalogue.repository';
import {
  bookingDeadline,
  BookingRules,
  cancellationDeadline,
  daysOfPattern,
  isServiceDay,
} from '../domain/booking-rules';
import { addDays, isCalendarDate, parisDate } from '../domain/paris-time';
import { FactsRepository } from '../facts/facts.repository';
import { assertMayManage, notFound } from '../procedure/access';
import { Clock } from '../procedure/clock';
import { EnrolmentDocument } from '../procedure/enrolment.repository';
import { ProcedureService } from '../procedure/procedure.service';
import { BookingDocument, BookingRepository } from './booking.repository';

export interface BookingChanges {
  book?: string[];
  cancel?: string[];
}

const frenchInstant = (instant: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(instant);

/**
 * Bookings of day-by-day services (canteen meals, ACM days): a weekly pattern for the period plus
 * changes by date, within the offer's deadlines (Paris time). A day cancelled in time becomes a
 * credit at the enrolment's price on that day; a late change is refused and changes nothing.
 */
@Injectable()
export class BookingService {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly procedure: ProcedureService,
    private readonly facts: FactsRepository,
    private readonly catalogue: CatalogueRepository,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async get(principal: Principal, enrolmentId: string) {
    const enrolment = await this.procedure.visible(principal, enrolmentId);
    return this.view(enrolment, await this.bookings.find(enrolmentId));
  }

  /** Books the pattern's weekdays on every day still open to booking; later days not in it are cancelled. */
  async setPattern(principal: Principal, enrolmentId: string, weekdays: number[]) {
    const { enrolment, offer, rules } = await this.bookable(principal, enrolmentId);
    const current = await this.bookings.find(enrolmentId);
    const now = this.clock.now();
    const firstOpen = this.firstBookableDay(now, rules);
    const wanted = new Set(daysOfPattern(offer.days, weekdays, firstOpen));
    const booked = current?.days ?? [];
    const cancel = booked.filter((day) => day >= firstOpen && !wanted.has(day));
    const book = [...wanted].filter((day) => !booked.includes(day));
    return this.apply(enrolment, offer, rules, current, { book, cancel });
  }

  async change(principal: Principal, enrolmentId: string, changes: BookingChanges) {
    const { enrolment, offer, rules } = await this.bookable(principal, enrolmentId);
    return this.apply(enrolment, offer, rules, await this.bookings.find(enrolmentId), changes);
  }

  async attendance(principal: Principal, siteId: string, date: string) {
    assertMayManage(principal, { service: '', siteId });
    if (!(await this.catalogue.site(siteId))) throw notFound('Site');
    const bookings = await this.bookings.onDay(siteId, date);
    const facts = new Map<string, Awaited<ReturnType<FactsRepository['household']>>>();
    for (const householdId of new Set(bookings.map((b) => b.householdId)))
      facts.set(householdId, await this.facts.household(householdId));
    const children = bookings.map((b) => ({
      enrolmentId: b._id,
      offerId: b.offerId,
      childId: b.childId,
      householdId: b.householdId,
      pai: facts.get(b.householdId)?.children?.[b.childId]?.pai ?? false,
    }));
    return { siteId, date, count: children.length, paiCount: children.filter((c) => c.pai).length, children };
  }

  private async apply(
    enrolment: EnrolmentDocument,
    offer: OfferDocument,
    rules: BookingRules,
    current: BookingDocument | null,
    changes: BookingChanges,
  ) {
    const now = this.clock.now();
    const booked = new Set(current?.days ?? []);
    const errors: { field: string; message: string }[] = [];
    for (const day of changes.book ?? []) {
      const deadline = bookingDeadline(day, rules);
      if (!isCalendarDate(day) || !isServiceDay(day, offer.days))
        errors.push({ field: `book.${day}`, message: 'pas un jour de service de cette offre' });
      else if (booked.has(day)) errors.push({ field: `book.${day}`, message: 'déjà réservé' });
      else if (now >= deadline)
        errors.push({
          field: `book.${day}`,
          message: `réservation close depuis le ${frenchInstant(deadline)}`,
        });
    }
    for (const day of changes.cancel ?? []) {
      const deadline = cancellationDeadline(day, rules);
      if (!booked.has(day)) errors.push({ field: `cancel.${day}`, message: 'ce jour n’est pas réservé' });
      else if (now >= deadline)
        errors.push({
          field: `cancel.${day}`,
          message: `annulation possible jusqu’au ${frenchInstant(deadline)} : ce jour reste dû`,
        });
    }
    if (errors.length) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: 'Modification refusée : rien n’a été changé.',
        errors,
      });
    }
    const book = [...new Set(changes.book ?? [])].sort();
    const cancel = [...new Set(changes.cancel ?? [])].sort();
    if (book.length === 0 && cancel.length === 0) return this.view(enrolment, current);
    const credits = cancel.map((date) => ({ date, cents: this.priceOn(enrolment, date) }));
    const days = [...booked]
      .filter((d) => !cancel.includes(d))
      .concat(book)
      .sort();
    const next = {
      _id: enrolment._id,
      householdId: enrolment.householdId,
      childId: enrolment.childId,
      offerId: enrolment.offerId,
      siteId: enrolment.siteId,
      days,
      credits: [...(current?.credits ?? []), ...credits],
    };
    const event = this.outbox.entry(
      BookingChanged,
      this.procedure.event(enrolment, {
        booked: book,
        cancelledWithCredit: cancel,
        creditCents: credits.reduce((sum, c) => sum + c.cents, 0),
      }),
    );
    if (!(await this.bookings.save(next, current?.rev ?? 0, [event]))) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Les réservations ont changé entre-temps : rechargez-les puis recommencez.',
      });
    }
    this.outbox.published('bookings', enrolment._id);
    return this.view(enrolment, { ...next, rev: (current?.rev ?? 0) + 1 });
  }

  private async bookable(principal: Principal, enrolmentId: string) {
    const enrolment = await this.procedure.visible(principal, enrolmentId);
    if (enrolment.status !== 'accepted') {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Seule une inscription acceptée se réserve.',
      });
    }
    const offer = await this.procedure.offerOf(enrolment);
    if (!offer.booking)
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Cette offre ne se réserve pas jour par jour.',
      });
    return { enrolment, offer, rules: offer.booking };
  }

  /** The first day whose booking deadline has not passed. */
  private firstBookableDay(now: Date, rules: BookingRules): string {
    let day = parisDate(now);
    while (bookingDeadline(day, rules) <= now) day = addDays(day, 1);
    return day;
  }

  private priceOn(enrolment: EnrolmentDocument, date: string): number {
    return enrolment.prices.filter((p) => p.appliesFrom <= date).at(-1)?.unitPriceCents ?? 0;
  }

  private view(enrolment: EnrolmentDocument, booking: BookingDocument | null) {
    const credits = booking?.credits ?? [];
    return {
      enrolmentId: enrolment._id,
      days: booking?.days ?? [],
      credits,
      creditCents: credits.reduce((sum, c) => sum + c.cents, 0),
    };
  }
}
