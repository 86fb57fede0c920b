import { HttpStatus } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';

/**
 * A family reaches its own household only: any other id answers 404, as if it did not exist, so ids
 * cannot be probed. Staff roles allowed on the route reach every household.
 */
export function assertHouseholdVisible(principal: Principal, householdId: string): void {
  if (principal.role === 'family' && principal.householdId !== householdId) {
    throw new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Foyer introuvable.' });
  }
}
