import { HttpStatus, ValidationPipe } from '@nestjs/common';
import { flattenValidationErrors } from '@guichet/contracts';
import { ProblemException } from './problem-exception';

/**
 * The one validation pipe of every service: unknown fields are refused, types are converted, and a
 * failure answers 400 problem+json naming each wrong field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new ProblemException(HttpStatus.BAD_REQUEST, {
        type: 'https://guichet.example/problems/validation',
        detail: 'Certaines données sont invalides.',
        errors: flattenValidationErrors(errors),
      }),
  });
}
