import { addDays, isoWeekday, parisInstant } from './paris-time';

/** The booking deadlines of an offer (Nîmes canteens: book 4 days ahead, change until 48 h before). */
export interface BookingRules {
  /** A day may be booked until the start of the day this many days before it (Paris time). */
  bookingLeadDays: number;
  /** A booked day may be cancelled, with a credit, until this many hours before it starts (Paris wall clock). */
  cancellationHours: number;
}

export interface ServiceDays {
  startsOn: string;
  endsOn: string;
  /** ISO weekdays the service runs (1 = Monday). */
  weekdays: number[];
  /** Days without service (public holidays, school holidays inside the period). */
  closedDates: string[];
}

/** Until when a day can be booked: midnight (Paris) at the start of the day `bookingLeadDays - 1` days before it. */
export function bookingDeadline(day: string, rules: BookingRules): Date {
  return parisInstant(addDays(day, 1 - rules.bookingLeadDays), 0);
}

/**
 * Until when a booked day can be cancelled with a credit: its start minus the hours of the rule, on the
 * Paris wall clock ("48 h before Monday" is Saturday 00:00 even when the clocks change on Sunday).
 */
export function cancellationDeadline(day: string, rules: BookingRules): Date {
  const days = Math.ceil(rules.cancellationHours / 24);
  return parisInstant(addDays(day, -days), days * 24 - rules.cancellationHours);
}

export function isServiceDay(day: string, service: ServiceDays): boolean {
  return (
    day >= service.startsOn &&
    day <= service.endsOn &&
    service.weekdays.includes(isoWeekday(day)) &&
    !service.closedDates.includes(day)
  );
}

/** The service days of a weekly pattern from a date to the end of the period. */
export function daysOfPattern(service: ServiceDays, weekdays: number[], from: string): string[] {
  const days: string[] = [];
  for (
    let day = from > service.startsOn ? from : service.startsOn;
    day <= service.endsOn;
    day = addDays(day, 1)
  ) {
    if (weekdays.includes(isoWeekday(day)) && isServiceDay(day, service)) days.push(day);
  }
  return days;
}
