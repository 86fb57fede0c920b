import { allocate, Applicant } from './allocation';
import { bookingDeadline, cancellationDeadline, daysOfPattern } from './booking-rules';
import { assessEligibility, EligibilityInput, theoreticalSchoolLevel } from './eligibility';
import { ageInMonths, parisDate, parisMidnight } from './paris-time';

// Nîmes canteens: book at least 4 days ahead, change until 48 h before (REFERENCE.md §4, vivrenimes.fr 2023).
const nimes = { bookingLeadDays: 4, cancellationHours: 48 };

describe('Paris time', () => {
  it('finds midnight in winter and in summer time', () => {
    expect(parisMidnight('2027-01-15').toISOString()).toBe('2027-01-14T23:00:00.000Z');
    expect(parisMidnight('2027-07-15').toISOString()).toBe('2027-07-14T22:00:00.000Z');
    expect(parisDate(new Date('2027-07-14T22:30:00Z'))).toBe('2027-07-15');
  });

  it('counts ages in whole months', () => {
    expect(ageInMonths('2024-03-15', '2026-09-01')).toBe(29);
    expect(ageInMonths('2024-03-01', '2026-09-01')).toBe(30);
  });
});

describe('booking deadlines across a daylight-saving change (Europe/Paris)', () => {
  it('lets a day be cancelled until Saturday 00:00 for a Monday after the spring change', () => {
    // Clocks go forward on Sunday 28 March 2027 at 02:00: Saturday 00:00 is still winter time (UTC+1).
    expect(cancellationDeadline('2027-03-29', nimes).toISOString()).toBe('2027-03-26T23:00:00.000Z');
    // For the Wednesday, the deadline is Monday 00:00, summer time (UTC+2).
    expect(cancellationDeadline('2027-03-31', nimes).toISOString()).toBe('2027-03-28T22:00:00.000Z');
  });

  it('uses the wall clock on the autumn change too', () => {
    // Clocks go back on Sunday 25 October 2026: Sunday 00:00 is summer time, Monday 00:00 winter time.
    expect(cancellationDeadline('2026-10-27', nimes).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(cancellationDeadline('2026-10-28', nimes).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('keeps bookings open until the start of the day three days before (four days ahead)', () => {
    // Friday 26 March 2027, 00:00 winter time, for Monday 29.
    expect(bookingDeadline('2027-03-29', nimes).toISOString()).toBe('2027-03-25T23:00:00.000Z');
  });

  it('supports deadlines that are not whole days', () => {
    expect(cancellationDeadline('2027-01-15', { ...nimes, cancellationHours: 36 }).toISOString()).toBe(
      '2027-01-13T11:00:00.000Z',
    );
  });

  it('expands a weekly pattern over the service days of a period', () => {
    const days = daysOfPattern(
      { startsOn: '2026-11-02', endsOn: '2026-11-15', weekdays: [1, 2, 4, 5], closedDates: ['2026-11-11'] },
      [1, 3, 4],
      '2026-11-03',
    );
    // Wednesdays are not service days here; 11 November is a public holiday (a Wednesday anyway).
    expect(days).toEqual(['2026-11-05', '2026-11-09', '2026-11-12']);
  });
});

describe('eligibility', () => {
  const base: EligibilityInput = {
    rules: {},
    periodStartsOn: '2026-09-01',
    child: { birthDate: '2020-05-10' },
    resident: true,
    documents: [],
    allowsUnborn: false,
    today: '2026-06-01',
  };

  it('places children in school levels by birth year', () => {
    expect(theoreticalSchoolLevel('2020-05-10', 2026)).toBe('CP');
    expect(theoreticalSchoolLevel('2023-12-31', 2026)).toBe('PS');
    expect(theoreticalSchoolLevel('2012-01-01', 2026)).toBeUndefined();
  });

  it('explains every rule a child does not meet', () => {
    const result = assessEligibility({
      ...base,
      resident: false,
      rules: { maxAgeMonths: 60, schoolLevels: ['PS', 'MS', 'GS'], residentsOnly: true },
    });
    expect(result.eligible).toBe(false);
    expect(result.blocking.map((f) => f.code)).toEqual(['too-old', 'school-level', 'not-resident']);
    expect(result.blocking[0].message).toBe(
      'L’enfant aura 75 mois le 01/09/2026 ; l’offre s’arrête à 60 mois.',
    );
    expect(result.blocking[1].message).toContain('l’enfant sera en CP');
  });

  it('tells missing, rejected, expired and pending documents apart', () => {
    const result = assessEligibility({
      ...base,
      rules: { requiredDocuments: ['proof-of-address', 'insurance', 'health-record', 'qf-proof'] },
      documents: [
        { documentType: 'insurance', status: 'rejected', reason: 'illisible' },
        { documentType: 'health-record', status: 'accepted', validUntil: '2026-08-31' },
        { documentType: 'qf-proof', status: 'pending' },
      ],
    });
    expect(result.documents.map((f) => f.code)).toEqual([
      'document-missing',
      'document-rejected',
      'document-expired',
      'document-pending',
    ]);
    expect(result.documents[1].message).toBe(
      'Attestation d’assurance refusé (illisible) : merci d’en déposer un nouveau.',
    );
    expect(result.eligible).toBe(false);
  });

  it('lets pending documents through submission but not acceptance', () => {
    const result = assessEligibility({
      ...base,
      rules: { requiredDocuments: ['proof-of-address'] },
      documents: [{ documentType: 'proof-of-address', status: 'pending' }],
    });
    expect(result).toMatchObject({ eligible: true, documentsComplete: false });
  });

  it('accepts a crèche pre-registration before birth only where the offer allows it', () => {
    const unborn = { ...base, child: { birthDate: '2026-08-20' }, rules: { minAgeMonths: 3 } };
    expect(assessEligibility({ ...unborn, allowsUnborn: true })).toMatchObject({
      eligible: true,
      unborn: true,
    });
    expect(assessEligibility(unborn).blocking.map((f) => f.code)).toEqual(['not-born']);
  });
});

describe('allocation', () => {
  const criteria = [
    { id: 'sibling', label: 'Frère ou sœur déjà inscrit', points: 3 },
    { id: 'working-parents', label: 'Parents qui travaillent', points: 1 },
  ];
  const applicants: Applicant[] = Array.from({ length: 20 }, (_, i) => ({
    enrolmentId: `enr-${String(i).padStart(2, '0')}`,
    householdId: `hh-${i}`,
    criteria: i % 5 === 0 ? ['sibling'] : i % 2 === 0 ? ['working-parents'] : [],
  }));
  const run = (seed: string, list = applicants, keepSiblingsTogether = false) =>
    allocate({ seed, places: 6, criteria, applicants: list, keepSiblingsTogether });

  it('gives the same result for the same seed, whatever the order of the applications', () => {
    const first = run('rentree-2026');
    expect(run('rentree-2026', [...applicants].reverse())).toEqual(first);
    expect(run('another-seed').map((o) => o.enrolmentId)).not.toEqual(first.map((o) => o.enrolmentId));
  });

  it('serves higher priority tiers first and draws inside a tier', () => {
    const result = run('rentree-2026');
    const accepted = result.filter((o) => o.outcome === 'accepted');
    expect(accepted).toHaveLength(6);
    // The four sibling applications (3 points) come first, then two of the eight with 1 point.
    expect(accepted.slice(0, 4).every((o) => o.points === 3)).toBe(true);
    expect(accepted.slice(4).every((o) => o.points === 1)).toBe(true);
    const waitlisted = result.filter((o) => o.outcome === 'waitlisted');
    expect(waitlisted.map((o) => o.position)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(result[4].explanation).toMatch(
      /^Priorités retenues : Parents qui travaillent \(\+1\) → 1 point\(s\)\. Tirage au sort parmi les 8 demande\(s\) à 1 point\(s\) \(graine « rentree-2026 »\)\. Rang 5 sur 20 : place attribuée\.$/,
    );
  });

  it('keeps siblings together: both get a place or both wait', () => {
    const twins: Applicant[] = [
      { enrolmentId: 'twin-a', householdId: 'hh-twins', criteria: [] },
      { enrolmentId: 'twin-b', householdId: 'hh-twins', criteria: [] },
    ];
    for (const seed of ['s1', 's2', 's3', 's4', 's5', 's6']) {
      const result = allocate({
        seed,
        places: 3,
        criteria,
        applicants: [...twins, ...applicants.slice(1, 5).map((a) => ({ ...a, criteria: [] }))],
        keepSiblingsTogether: true,
      });
      const outcomes = result.filter((o) => o.householdId === 'hh-twins').map((o) => o.outcome);
      expect(new Set(outcomes).size).toBe(1);
      expect(result.filter((o) => o.outcome === 'accepted').length).toBeLessThanOrEqual(3);
    }
  });
});
