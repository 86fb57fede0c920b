import { LINES, ONE_LINE } from './plain-text';

describe('plain text', () => {
  it.each([
    ['a name with accents', 'Zoé Lefèvre-Núñez'],
    ['an apostrophe and a space', 'N’Diaye de la Tour'],
  ])('lets %s through', (_, text) => {
    expect(ONE_LINE.test(text)).toBe(true);
  });

  it.each([
    ['NUL', 'Léa\u0000'],
    ['a line break', 'Léa\nMartin'],
    ['a right-to-left override', 'Facture \u202Efdp.exe'],
    ['a direction isolate', 'Léa\u2066x'],
    ['a lone surrogate', 'Léa\uD800'],
  ])('refuses %s in one line', (_, text) => {
    expect(ONE_LINE.test(text)).toBe(false);
  });

  it('keeps line breaks and tabs in lines, and refuses the rest', () => {
    expect(LINES.test('Bonjour,\r\n\tla cantine ferme à 13 h.')).toBe(true);
    expect(LINES.test('Bonjour\u0007')).toBe(false);
    expect(LINES.test('Bonjour \u202E')).toBe(false);
  });
});
