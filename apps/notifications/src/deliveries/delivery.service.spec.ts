import { maskPersonalData } from './delivery.service';

describe('failure reasons', () => {
  it('masks the addresses and phone numbers a relay or provider quotes', () => {
    expect(
      maskPersonalData(
        "Can't send mail - all recipients were rejected: 550 5.1.1 <jeanne.dupont+cantine@mairie-nimes.fr>: unknown",
      ),
    ).toBe("Can't send mail - all recipients were rejected: 550 5.1.1 <<adresse>>: unknown");
    expect(maskPersonalData('number +33 6 12 34 56 78 unreachable')).toBe('number <numéro> unreachable');
    expect(maskPersonalData('SMS provider answered 503')).toBe('SMS provider answered 503');
  });

  it('is never empty nor longer than an event allows', () => {
    expect(maskPersonalData('  ')).toBe('échec sans motif');
    expect(maskPersonalData('x'.repeat(2_000))).toHaveLength(500);
  });
});
