import { EventCatalog } from './catalog';
import { defineEvent, validatePayload } from './event-definition';
import { QuotientFamilialChanged } from './events/household.events';
import { Topics } from './topics';

describe('event payload validation', () => {
  it('accepts a valid payload and returns it typed', () => {
    const result = validatePayload(QuotientFamilialChanged, {
      householdId: 'hh-1',
      qfRecordId: 'qf-1',
      quotientFamilial: 742,
      source: 'caf',
      appliesFrom: '2026-09-01',
    });
    expect(result).toMatchObject({ ok: true, value: { quotientFamilial: 742 } });
  });

  it('names every wrong field, and refuses unknown ones (no personal data slips in)', () => {
    const result = validatePayload(QuotientFamilialChanged, {
      householdId: 'hh-1',
      qfRecordId: 'qf-1',
      quotientFamilial: 742.5,
      source: 'guess',
      appliesFrom: '01/09/2026',
      lastName: 'Martin',
    });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['appliesFrom', 'lastName', 'quotientFamilial', 'source']);
  });

  it('refuses data that is not an object', () => {
    expect(validatePayload(QuotientFamilialChanged, [1, 2])).toEqual({
      ok: false,
      errors: [{ field: 'data', message: 'data must be a JSON object' }],
    });
  });

  it('keeps types named fr.guichet.<entity>.<fact>.v<n>, each once in the catalogue', () => {
    expect(() => defineEvent('HouseholdRegistered', Topics.households, class {})).toThrow('does not read');
    for (const [type, definition] of EventCatalog) expect(definition.type).toBe(type);
    expect(EventCatalog.size).toBeGreaterThanOrEqual(8);
  });
});
