/** How values read in a message to a family: French words and formats, Europe/Paris time. */

export { formatEuros } from '@guichet/tariff-engine';

const PARIS_DATE = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "vendredi 1er janvier 2027": French writes the first of the month as an ordinal. */
function parisDate(instant: Date): string {
  return PARIS_DATE.formatToParts(instant)
    .map((part) => (part.type === 'day' && part.value === '1' ? '1er' : part.value))
    .join('');
}

/** "mardi 27 octobre 2026 à 12 h 00": an instant as the clocks in France show it (summer or winter time). */
export function formatParisDateTime(iso: string): string {
  const instant = new Date(iso);
  const parts = PARIS_TIME.formatToParts(instant);
  const hour = parts.find((part) => part.type === 'hour')?.value ?? '';
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '';
  return `${parisDate(instant)} à ${hour} h ${minute}`;
}

/** "lundi 7 septembre 2026" for a calendar day (YYYY-MM-DD), whatever the server's time zone. */
export function formatDay(day: string): string {
  // Noon UTC is the same calendar day in Paris all year round.
  return parisDate(new Date(`${day.slice(0, 10)}T12:00:00Z`));
}

const SERVICE_NAMES: Record<string, string> = {
  creche: 'la crèche',
  cantine: 'la restauration scolaire',
  acm: 'l’accueil de loisirs',
  periscolaire: 'l’accueil périscolaire',
};

/** The service as a family names it, with its article ("la restauration scolaire"). */
export function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

const DOCUMENT_NAMES: Record<string, string> = {
  'proof-of-address': 'justificatif de domicile',
  'health-record': 'carnet de santé',
  insurance: 'attestation d’assurance',
  'qf-proof': 'justificatif de quotient familial',
  other: 'document',
};

export function documentName(documentType: string): string {
  return DOCUMENT_NAMES[documentType] ?? 'document';
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value put into the HTML part goes through this: a reason typed by an agent cannot inject markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}
