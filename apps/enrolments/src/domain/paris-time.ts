/** Calendar dates (YYYY-MM-DD) and instants in French local time (Europe/Paris). */

const PARIS = 'Europe/Paris';
const dateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: PARIS,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The calendar date in Paris at an instant. */
export function parisDate(instant: Date): string {
  return dateFormat.format(instant);
}

/** How far Paris is ahead of UTC at an instant, in milliseconds (1 h in winter, 2 h in summer). */
function parisOffsetMs(instant: number): number {
  const parts = Object.fromEntries(
    partsFormat.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]),
  );
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a Paris calendar day starts (midnight is never skipped in Paris: changes happen at 2 or 3 am). */
export function parisMidnight(date: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  return new Date(utcMidnight - parisOffsetMs(utcMidnight - parisOffsetMs(utcMidnight)));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Whole months between a birth date and a date (the age used by eligibility rules). */
export function ageInMonths(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
}

export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

/** The instant of a Paris wall-clock time (hour 0-23) on a calendar date. */
export function parisInstant(date: string, hour: number): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000;
  return new Date(wall - parisOffsetMs(wall - parisOffsetMs(wall)));
}
