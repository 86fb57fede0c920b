import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ProblemException } from '@guichet/platform';

/**
 * An id as Guichet makes them: a household's (a UUID from accounts), an inbox message's (its
 * delivery's, 32 base64url characters). Events carry household ids of at most 64 characters.
 */
export const ID_PATTERN = /^[\w-]{1,64}$/;

/**
 * Refuses, with 400 naming the parameter, a path id that no household or message can have (too
 * long, spaces, dots, `$`, control characters…): such an id never reaches the database, and an
 * agent cannot record preferences for a household that cannot exist.
 */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (ID_PATTERN.test(value)) return value;
    const field = metadata.data ?? 'id';
    throw new ProblemException(HttpStatus.BAD_REQUEST, {
      type: 'https://guichet.example/problems/validation',
      detail: 'Certaines données sont invalides.',
      errors: [{ field, message: `${field} must be 1 to 64 letters, digits, - or _` }],
    });
  }
}

/** The OpenAPI description of a path id that IdParamPipe checks. */
export const ApiIdParam = (name: string, description: string): MethodDecorator & ClassDecorator =>
  ApiParam({ name, description, schema: { type: 'string', pattern: ID_PATTERN.source, maxLength: 64 } });
