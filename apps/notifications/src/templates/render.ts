import { LAYOUT, MESSAGE_TEMPLATES, MessageCategory, MessageKind } from './catalogue';
import { escapeHtml } from './format';

/** A value for a placeholder: a list renders as one line per item (text) or a bulleted list (HTML). */
export type TemplateValue = string | number | readonly string[] | undefined;
export type TemplateValues = Record<string, TemplateValue>;

export interface RenderedMessage {
  kind: MessageKind;
  category: MessageCategory;
  required: boolean;
  subject: string;
  text: string;
  html: string;
}

export class MissingTemplateValueError extends Error {}

const SECTION = /\{\{#([\w]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const PLACEHOLDER = /\{\{([\w]+)\}\}/g;

const isGiven = (value: TemplateValue): boolean =>
  value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

function asText(value: TemplateValue): string {
  if (Array.isArray(value)) return value.map((line) => `- ${line}`).join('\n');
  return String(value);
}

function asHtml(value: TemplateValue): string {
  if (Array.isArray(value))
    return `<ul>\n${value.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}\n</ul>`;
  return escapeHtml(String(value)).replace(/\r?\n/g, '<br>\n');
}

/** Keeps or drops each section, from the outside in: a kept section may hold others. */
function resolveSections(source: string, values: TemplateValues): string {
  let resolved = source;
  for (let previous = ''; previous !== resolved;) {
    previous = resolved;
    resolved = resolved.replace(SECTION, (_, name: string, inner: string) =>
      isGiven(values[name]) ? inner : '',
    );
  }
  return resolved;
}

function fill(source: string, values: TemplateValues, format: (value: TemplateValue) => string): string {
  return resolveSections(source, values).replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new MissingTemplateValueError(`template value ${name} is missing`);
    return format(value);
  });
}

/** The subject, text and HTML of one message, framed by the layout. */
export function renderMessage(kind: MessageKind, values: TemplateValues): RenderedMessage {
  const template = MESSAGE_TEMPLATES[kind];
  // A subject is one line: whatever a value holds, it cannot add a mail header.
  const subject = fill(template.subject, values, asText).replace(/\s+/g, ' ').trim();
  const text = LAYOUT.text.replace('{{body}}', () => fill(template.text, values, asText));
  const html = LAYOUT.html
    .replace('{{subject}}', () => escapeHtml(subject))
    .replace('{{body}}', () => fill(template.html, values, asHtml));
  return { kind, category: template.category, required: template.required, subject, text, html };
}
