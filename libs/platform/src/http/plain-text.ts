import { Matches } from 'class-validator';

/**
 * Characters no name, label or notice needs and mail, SMS, PDFs and logs must not carry: control
 * characters (NUL, line breaks…), lone surrogates, noncharacters, and the bidirectional overrides and
 * isolates that make a text read otherwise than it is written (U+202E hides what follows it).
 */
const UNSAFE = String.raw`\p{Cc}\p{Cs}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FFFE}\u{FFFF}`;

/** One line without those characters. */
export const ONE_LINE = new RegExp(`^[^${UNSAFE}]*$`, 'u');
/** Lines without those characters, line breaks and tabs excepted. */
export const LINES = new RegExp(`^(?:[\\t\\n\\r]|[^${UNSAFE}])*$`, 'u');

/** A name or a label: one line of plain text (see {@link ONE_LINE}). */
export const IsOneLine = (each = false): PropertyDecorator =>
  Matches(ONE_LINE, {
    each,
    message: ({ property }) =>
      `${property} must be one line without control or direction-changing characters`,
  });
