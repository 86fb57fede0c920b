/**
 * The messages Guichet sends to families, in French. Placeholders: `{{name}}` is replaced by a value
 * (HTML-escaped in the HTML part), `{{#name}}…{{/name}}` is kept only when the value is given. No
 * personal data here: names, addresses and reasons come from the event at rendering time.
 *
 * `required` marks what the law or the procedure obliges us to tell (an account secret, a decision
 * against the family, a place with a deadline, a new price before it is billed): those ignore the
 * family's channel preferences. Every message also lands in the family's inbox.
 */
export const MESSAGE_CATEGORIES = [
  'account',
  'documents',
  'enrolments',
  'places',
  'prices',
  'bookings',
  'broadcasts',
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

export interface MessageTemplate {
  category: MessageCategory;
  required: boolean;
  subject: string;
  text: string;
  html: string;
}

const ACCOUNT_ADVICE = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.';

export const MESSAGE_TEMPLATES = {
  'email-verification': {
    category: 'account',
    required: true,
    subject: 'Confirmez votre adresse électronique',
    text: `Pour confirmer votre adresse électronique, ouvrez ce lien avant le {{expiresAt}} :
{{link}}

${ACCOUNT_ADVICE}`,
    html: `<p>Pour confirmer votre adresse électronique, ouvrez ce lien avant le {{expiresAt}} :</p>
<p><a href="{{link}}">Confirmer mon adresse</a></p>
<p>${ACCOUNT_ADVICE}</p>`,
  },
  'password-reset': {
    category: 'account',
    required: true,
    subject: 'Réinitialisation de votre mot de passe',
    text: `Pour choisir un nouveau mot de passe, ouvrez ce lien avant le {{expiresAt}} :
{{link}}

${ACCOUNT_ADVICE}`,
    html: `<p>Pour choisir un nouveau mot de passe, ouvrez ce lien avant le {{expiresAt}} :</p>
<p><a href="{{link}}">Choisir un nouveau mot de passe</a></p>
<p>${ACCOUNT_ADVICE}</p>`,
  },
  'document-accepted': {
    category: 'documents',
    required: false,
    subject: 'Pièce acceptée : {{document}}',
    text: 'Votre pièce « {{document}} » a été vérifiée et acceptée.',
    html: '<p>Votre pièce « {{document}} » a été vérifiée et acceptée.</p>',
  },
  'document-rejected': {
    category: 'documents',
    required: true,
    subject: 'Pièce refusée : {{document}}',
    text: `Votre pièce « {{document}} » n’a pas été acceptée, pour la raison suivante :
{{reason}}

Vous pouvez en déposer une nouvelle dans votre espace famille.`,
    html: `<p>Votre pièce « {{document}} » n’a pas été acceptée, pour la raison suivante :</p>
<blockquote>{{reason}}</blockquote>
<p>Vous pouvez en déposer une nouvelle dans votre espace famille.</p>`,
  },
  'document-expired': {
    category: 'documents',
    required: false,
    subject: 'Pièce à renouveler : {{document}}',
    text: 'Votre pièce « {{document}} » n’est plus valide{{#validUntil}} depuis le {{validUntil}}{{/validUntil}}. Merci d’en déposer une nouvelle dans votre espace famille.',
    html: '<p>Votre pièce « {{document}} » n’est plus valide{{#validUntil}} depuis le {{validUntil}}{{/validUntil}}. Merci d’en déposer une nouvelle dans votre espace famille.</p>',
  },
  'enrolment-submitted': {
    category: 'enrolments',
    required: false,
    subject: 'Demande d’inscription reçue',
    text: 'Nous avons bien reçu votre demande d’inscription à {{service}}. La décision vous sera communiquée dans votre espace famille.',
    html: '<p>Nous avons bien reçu votre demande d’inscription à {{service}}. La décision vous sera communiquée dans votre espace famille.</p>',
  },
  'enrolment-accepted': {
    category: 'enrolments',
    required: true,
    subject: 'Inscription acceptée',
    text: 'Votre demande d’inscription à {{service}} est acceptée{{#startsOn}} à partir du {{startsOn}}{{/startsOn}}.',
    html: '<p>Votre demande d’inscription à {{service}} est acceptée{{#startsOn}} à partir du {{startsOn}}{{/startsOn}}.</p>',
  },
  'enrolment-waitlisted': {
    category: 'enrolments',
    required: false,
    subject: 'Inscription en liste d’attente',
    text: 'Votre demande d’inscription à {{service}} est en liste d’attente, en position {{position}}. Nous vous écrirons dès qu’une place vous sera proposée.',
    html: '<p>Votre demande d’inscription à {{service}} est en liste d’attente, en position {{position}}. Nous vous écrirons dès qu’une place vous sera proposée.</p>',
  },
  'enrolment-rejected': {
    category: 'enrolments',
    required: true,
    subject: 'Inscription refusée',
    text: `Votre demande d’inscription à {{service}} n’a pas été acceptée, pour la raison suivante :
{{reason}}`,
    html: `<p>Votre demande d’inscription à {{service}} n’a pas été acceptée, pour la raison suivante :</p>
<blockquote>{{reason}}</blockquote>`,
  },
  'enrolment-cancelled': {
    category: 'enrolments',
    required: false,
    subject: 'Inscription annulée',
    text: 'L’inscription à {{service}} est annulée ; elle prend fin le {{endsOn}}.',
    html: '<p>L’inscription à {{service}} est annulée ; elle prend fin le {{endsOn}}.</p>',
  },
  'place-offered': {
    category: 'places',
    required: true,
    subject: 'Une place vous est proposée',
    text: `Une place se libère pour {{service}}. Elle vous est réservée jusqu’au {{expiresAt}} (heure de Paris).

Confirmez-la dans votre espace famille avant cette date ; sans réponse, elle sera proposée à la famille suivante.`,
    html: `<p>Une place se libère pour {{service}}. Elle vous est réservée jusqu’au <strong>{{expiresAt}}</strong> (heure de Paris).</p>
<p>Confirmez-la dans votre espace famille avant cette date ; sans réponse, elle sera proposée à la famille suivante.</p>`,
  },
  'place-offer-expired': {
    category: 'places',
    required: false,
    subject: 'Proposition de place expirée',
    text: 'Sans réponse avant la date limite, la place proposée pour {{service}} a été proposée à la famille suivante. Votre demande reste en liste d’attente si elle y était.',
    html: '<p>Sans réponse avant la date limite, la place proposée pour {{service}} a été proposée à la famille suivante. Votre demande reste en liste d’attente si elle y était.</p>',
  },
  'enrolment-priced': {
    category: 'prices',
    required: false,
    subject: 'Le tarif de votre inscription',
    text: `Le tarif de votre inscription à {{service}} est de {{price}}{{#monthly}} ; contrat d’accueil : {{monthly}} par mois{{/monthly}} à partir du {{appliesFrom}}.

Comment il est calculé :
{{explanation}}`,
    html: `<p>Le tarif de votre inscription à {{service}} est de <strong>{{price}}</strong>{{#monthly}} ; contrat d’accueil : <strong>{{monthly}}</strong> par mois{{/monthly}} à partir du {{appliesFrom}}.</p>
<p>Comment il est calculé :</p>
{{explanation}}`,
  },
  'enrolment-repriced': {
    category: 'prices',
    required: true,
    subject: 'Nouveau tarif de votre inscription',
    text: `Le tarif de votre inscription à {{service}} change à partir du {{appliesFrom}} : {{price}}{{#previousPrice}} au lieu de {{previousPrice}}{{/previousPrice}}{{#monthly}} ; contrat d’accueil : {{monthly}} par mois{{#previousMonthly}} au lieu de {{previousMonthly}}{{/previousMonthly}}{{/monthly}}.

Comment il est calculé :
{{explanation}}`,
    html: `<p>Le tarif de votre inscription à {{service}} change à partir du {{appliesFrom}} : <strong>{{price}}</strong>{{#previousPrice}} au lieu de {{previousPrice}}{{/previousPrice}}{{#monthly}} ; contrat d’accueil : <strong>{{monthly}}</strong> par mois{{#previousMonthly}} au lieu de {{previousMonthly}}{{/previousMonthly}}{{/monthly}}.</p>
<p>Comment il est calculé :</p>
{{explanation}}`,
  },
  'booking-changed': {
    category: 'bookings',
    required: false,
    subject: 'Vos réservations ont changé',
    text: `Vos réservations pour {{service}} ont changé.{{#booked}}

Jours réservés :
{{booked}}{{/booked}}{{#cancelled}}

Jours annulés, avec un avoir de {{credit}} :
{{cancelled}}{{/cancelled}}`,
    html: `<p>Vos réservations pour {{service}} ont changé.</p>{{#booked}}
<p>Jours réservés :</p>
{{booked}}{{/booked}}{{#cancelled}}
<p>Jours annulés, avec un avoir de {{credit}} :</p>
{{cancelled}}{{/cancelled}}`,
  },
  broadcast: {
    category: 'broadcasts',
    required: false,
    subject: '{{subject}}',
    text: '{{text}}',
    html: '<p>{{text}}</p>',
  },
} satisfies Record<string, MessageTemplate>;

export type MessageKind = keyof typeof MESSAGE_TEMPLATES;

/** The frame of every message: greeting and signature (events carry no names, so no name here). */
export const LAYOUT = {
  text: `Bonjour,

{{body}}

Le guichet unique des services à l’enfance`,
  html: `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{{subject}}</title></head>
<body>
<p>Bonjour,</p>
{{body}}
<p>Le guichet unique des services à l’enfance</p>
</body>
</html>`,
};
