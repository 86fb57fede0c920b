import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BroadcastDto } from './broadcast.dto';

/** The fields a notice is refused for, none when it is accepted. */
function refusedFields(body: object): string[] {
  return validateSync(plainToInstance(BroadcastDto, body)).map((error) => error.property);
}

const notice = { scope: 'site', siteId: 'ecole-jaures', subject: 'Grève jeudi', text: 'La cantine ferme.' };

describe('a broadcast’s subject and text', () => {
  it('accept accents, emoji, and line breaks and tabs in the text', () => {
    expect(
      refusedFields({
        ...notice,
        subject: 'Fermeture exceptionnelle – école Jaurès 🎒',
        text: 'Bonjour,\r\n\tla cantine sera fermée jeudi.\nMerci de votre compréhension.',
      }),
    ).toEqual([]);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a line break', 'Grève\njeudi'],
    ['a right-to-left override', 'Facture \u202Efdp.exe'],
    ['a noncharacter', 'Grève\uFFFF'],
    ['a lone surrogate', 'Grève \uD800'],
  ])('refuse %s in the subject', (_, subject) => {
    expect(refusedFields({ ...notice, subject })).toEqual(['subject']);
  });

  it.each([
    ['NUL', 'La cantine\u0000 ferme.'],
    ['an escape', 'La cantine \u001b[31mferme.'],
    ['a right-to-left isolate', 'La cantine \u2067ferme.'],
  ])('refuse %s in the text', (_, text) => {
    expect(refusedFields({ ...notice, text })).toEqual(['text']);
  });
});
