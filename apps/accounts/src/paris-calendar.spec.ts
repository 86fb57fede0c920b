import { firstDayOfNextMonth, todayInParis } from './paris-calendar';

describe('dates in Europe/Paris', () => {
  it('is already tomorrow in Paris late in the UTC evening', () => {
    expect(todayInParis(new Date('2026-03-31T22:30:00Z'))).toBe('2026-04-01'); // UTC+2 (summer time)
    expect(todayInParis(new Date('2026-01-31T22:30:00Z'))).toBe('2026-01-31'); // UTC+1: 23:30
  });

  it('gives the first day of next month, across a year end', () => {
    expect(firstDayOfNextMonth(new Date('2026-12-31T12:00:00Z'))).toBe('2027-01-01');
    expect(firstDayOfNextMonth(new Date('2026-11-30T23:30:00Z'))).toBe('2027-01-01'); // already 1 Dec in Paris
    expect(firstDayOfNextMonth(new Date('2026-02-10T08:00:00Z'))).toBe('2026-03-01');
  });
});
