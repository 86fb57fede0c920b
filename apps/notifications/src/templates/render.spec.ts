import { MESSAGE_TEMPLATES, MessageKind } from './catalogue';
import {
  accountMessage,
  bookingMessage,
  broadcastMessage,
  documentMessage,
  enrolmentMessages,
  priceMessage,
} from './event-messages';
import { formatDay, formatParisDateTime } from './format';
import { MissingTemplateValueError, renderMessage } from './render';

const enrolment = {
  enrolmentId: 'enr-1',
  householdId: 'hh-1',
  childId: 'child-1',
  offerId: 'offer-1',
  service: 'cantine',
};

const render = (request: { kind: MessageKind; values: Record<string, unknown> } | undefined) => {
  if (!request) throw new Error('no message');
  return renderMessage(request.kind, request.values as never);
};

describe('Paris time in messages', () => {
  // Europe/Paris: UTC+1 in winter, UTC+2 from the last Sunday of March (2026-03-29) to the last
  // Sunday of October (2026-10-25).
  it.each([
    ['2026-03-28T17:00:00Z', 'samedi 28 mars 2026 à 18 h 00'],
    ['2026-03-29T17:00:00Z', 'dimanche 29 mars 2026 à 19 h 00'],
    ['2026-10-24T22:30:00Z', 'dimanche 25 octobre 2026 à 00 h 30'],
    ['2026-10-25T22:30:00Z', 'dimanche 25 octobre 2026 à 23 h 30'],
    ['2026-12-31T23:05:00Z', 'vendredi 1er janvier 2027 à 00 h 05'],
  ])('%s reads %s', (iso, expected) => {
    expect(formatParisDateTime(iso)).toBe(expected);
  });

  it('keeps a calendar day the same day whatever the time zone', () => {
    expect(formatDay('2026-09-07')).toBe('lundi 7 septembre 2026');
    expect(formatDay('2026-03-29')).toBe('dimanche 29 mars 2026');
  });

  it('gives a place offer its deadline in summer time', () => {
    const message = render(
      enrolmentMessages.placeOffered({ ...enrolment, expiresAt: '2026-06-15T10:00:00.000Z' }),
    );
    expect(message.text).toContain('jusqu’au lundi 15 juin 2026 à 12 h 00 (heure de Paris)');
    expect(message.html).toContain('<strong>lundi 15 juin 2026 à 12 h 00</strong>');
    expect(message.required).toBe(true);
  });
});

describe('prices in messages', () => {
  const price = {
    ...enrolment,
    gridId: 'cantine',
    gridVersion: 1,
    unitPriceCents: 235,
    appliesFrom: '2026-09-01',
    explanation: ['QF 742 → tranche 4 → 2,35 €', 'Résident : pas de majoration'],
  };

  it('writes euros the French way and lists the explanation', () => {
    const message = render(priceMessage(price, false));
    expect(message.subject).toBe('Le tarif de votre inscription');
    expect(message.text).toContain(
      'Le tarif de votre inscription à la restauration scolaire est de 2,35 € à partir du mardi 1er septembre 2026.',
    );
    expect(message.text).toContain('- QF 742 → tranche 4 → 2,35 €\n- Résident : pas de majoration');
    expect(message.html).toContain('<li>QF 742 → tranche 4 → 2,35 €</li>');
    expect(message.required).toBe(false);
  });

  it('names the previous price of a change, thousands spaced', () => {
    const message = render(
      priceMessage({ ...price, unitPriceCents: 123_450, previousUnitPriceCents: 98_700 }, true),
    );
    expect(message.text).toContain(': 1 234,50 € au lieu de 987,00 €.');
    expect(message.required).toBe(true);
  });

  it('leaves out the previous price when there is none', () => {
    expect(render(priceMessage(price, true)).text).not.toContain('au lieu de');
  });

  it('gives a crèche contract its monthly price, and the previous one when it changes', () => {
    const creche = { ...price, service: 'creche', unitPriceCents: 186, monthlyContractCents: 25_110 };
    expect(render(priceMessage(creche, false)).text).toContain(
      'est de 1,86 € ; contrat d’accueil : 251,10 € par mois à partir du',
    );
    const repriced = render(
      priceMessage({ ...creche, previousUnitPriceCents: 150, previousMonthlyContractCents: 20_250 }, true),
    );
    expect(repriced.text).toContain(
      ': 1,86 € au lieu de 1,50 € ; contrat d’accueil : 251,10 € par mois au lieu de 202,50 €.',
    );
    expect(repriced.html).toContain('<strong>251,10 €</strong> par mois au lieu de 202,50 €.</p>');
    expect(render(priceMessage({ ...creche, previousUnitPriceCents: 150 }, true)).text).toMatch(
      /251,10 € par mois\.$/m,
    );
  });
});

describe('rendering', () => {
  it('greets without a name and signs every message', () => {
    const message = render(enrolmentMessages.submitted(enrolment));
    expect(message.text.startsWith('Bonjour,\n\n')).toBe(true);
    expect(message.text).toContain('Le guichet unique des services à l’enfance');
    expect(message.html).toContain('<html lang="fr">');
  });

  it('escapes values in the HTML part only', () => {
    const reason = 'Pièce illisible <script>alert("x")</script> & floue';
    const message = render(enrolmentMessages.rejected({ ...enrolment, reasonCode: 'other', reason }));
    expect(message.text).toContain(reason);
    expect(message.html).toContain(
      'Pièce illisible &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; floue',
    );
    expect(message.html).not.toContain('<script>');
  });

  it('keeps an agent’s subject on one line and its paragraphs in HTML', () => {
    const message = render(broadcastMessage('Grève\r\nBcc: x@example.org', 'Jeudi, pas de cantine.\nMerci.'));
    expect(message.subject).toBe('Grève Bcc: x@example.org');
    expect(message.html).toContain('Jeudi, pas de cantine.<br>\nMerci.');
    expect(message.html).toContain('<title>Grève Bcc: x@example.org</title>');
  });

  it('refuses to send a message with a value missing', () => {
    expect(() => renderMessage('enrolment-rejected', { service: 'la crèche' })).toThrow(
      MissingTemplateValueError,
    );
  });

  it('gives account messages their link and deadline', () => {
    const message = render(
      accountMessage({
        accountId: 'acc-1',
        purpose: 'password-reset',
        email: 'parent@example.org',
        link: 'https://guichet.example/reset?t=a&b="c"',
        expiresAt: '2026-01-10T09:30:00Z',
      }),
    );
    expect(message.subject).toBe('Réinitialisation de votre mot de passe');
    expect(message.text).toContain(
      'avant le samedi 10 janvier 2026 à 10 h 30 :\nhttps://guichet.example/reset?t=a&b="c"',
    );
    expect(message.html).toContain('href="https://guichet.example/reset?t=a&amp;b=&quot;c&quot;"');
    expect(message.required).toBe(true);
  });

  it('tells a document rejection with its reason, and nothing for a pending one', () => {
    const base = { householdId: 'hh-1', documentId: 'doc-1', documentType: 'insurance' };
    const rejected = render(documentMessage({ ...base, status: 'rejected', reason: 'Attestation de 2024' }));
    expect(rejected.subject).toBe('Pièce refusée : attestation d’assurance');
    expect(rejected.text).toContain('Attestation de 2024');
    const expired = render(documentMessage({ ...base, status: 'expired', validUntil: '2026-08-31' }));
    expect(expired.text).toContain('n’est plus valide depuis le lundi 31 août 2026.');
    expect(documentMessage({ ...base, status: 'pending' })).toBeUndefined();
  });

  it('lists booked and cancelled days with the credit', () => {
    const message = render(
      bookingMessage({
        ...enrolment,
        booked: ['2026-09-10', '2026-09-08'],
        cancelledWithCredit: ['2026-09-15'],
        creditCents: 290,
      }),
    );
    expect(message.text).toContain('Jours réservés :\n- mardi 8 septembre 2026\n- jeudi 10 septembre 2026');
    expect(message.text).toContain('avec un avoir de 2,90 € :\n- mardi 15 septembre 2026');
    expect(
      bookingMessage({ ...enrolment, booked: [], cancelledWithCredit: [], creditCents: 0 }),
    ).toBeUndefined();
  });

  it('keeps personal data out of the template source', () => {
    for (const [kind, template] of Object.entries(MESSAGE_TEMPLATES)) {
      const source = `${template.subject}${template.text}${template.html}`;
      expect({ kind, email: /[\w.+-]+@[\w-]+\.\w+/.test(source), phone: /\+?\d{9,}/.test(source) }).toEqual({
        kind,
        email: false,
        phone: false,
      });
    }
  });
});
