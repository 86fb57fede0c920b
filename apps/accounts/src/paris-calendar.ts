/** Calendar dates as families live them: Europe/Paris, YYYY-MM-DD. */
const parisDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today in Europe/Paris, YYYY-MM-DD. */
export function todayInParis(now = new Date()): string {
  return parisDate.format(now);
}

/** The first day of the month after `now`, in Europe/Paris: when a declared QF applies (no retroactivity). */
export function firstDayOfNextMonth(now = new Date()): string {
  const [year, month] = todayInParis(now).split('-').map(Number);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}
