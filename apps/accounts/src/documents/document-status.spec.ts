import { statusOn } from './documents.service';

describe('a document’s status as of a day (Europe/Paris dates)', () => {
  it('is expired after its last valid day, not on it', () => {
    expect(statusOn({ status: 'accepted', validUntil: '2026-08-31' }, '2026-08-31')).toBe('accepted');
    expect(statusOn({ status: 'accepted', validUntil: '2026-08-31' }, '2026-09-01')).toBe('expired');
    expect(statusOn({ status: 'pending', validUntil: '2026-08-31' }, '2026-09-01')).toBe('expired');
  });

  it('keeps a rejection, and never expires a document without an end', () => {
    expect(statusOn({ status: 'rejected', validUntil: '2020-01-01' }, '2026-09-01')).toBe('rejected');
    expect(statusOn({ status: 'accepted' }, '2099-01-01')).toBe('accepted');
  });
});
