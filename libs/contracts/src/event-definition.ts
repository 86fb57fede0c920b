import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { Topic } from './topics';

type PayloadClass<T extends object> = new () => T;

/** One event of the catalogue: its CloudEvents `type`, its topic and the class that validates its data. */
export interface EventDefinition<T extends object = object> {
  readonly type: string;
  readonly topic: Topic;
  readonly payload: PayloadClass<T>;
}

export function defineEvent<T extends object>(
  type: string,
  topic: Topic,
  payload: PayloadClass<T>,
): EventDefinition<T> {
  if (!/^fr\.guichet\.[a-z-]+\.[a-z-]+\.v\d+$/.test(type)) {
    throw new Error(`event type ${type} does not read fr.guichet.<entity>.<fact>.v<n>`);
  }
  return { type, topic, payload };
}

/** What is wrong with one field, as in an HTTP problem+json `errors` entry. */
export interface FieldError {
  field: string;
  message: string;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Validates an event's data with the same class-validator rules as HTTP input (unknown fields are
 * refused). Returns the typed payload or the list of field errors.
 */
export function validatePayload<T extends object>(
  definition: EventDefinition<T>,
  data: unknown,
): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, errors: [{ field: 'data', message: 'data must be a JSON object' }] };
  }
  const value = plainToInstance(definition.payload, data);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length ? { ok: false, errors: flattenValidationErrors(errors) } : { ok: true, value };
}
