import { HttpStatus } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';

/** What an agent's scope is checked against: the offer's service and site. */
export interface Scoped {
  service: string;
  siteId: string;
}

/**
 * Whether a staff member may act on an offer. Admins may act everywhere; an agent needs one of the
 * scopes `*`, `service:<service>` or `site:<siteId>` (set on the staff account; none means nothing).
 */
export function mayManage(principal: Principal, target: Scoped): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role !== 'agent') return false;
  return principal.scopes.some(
    (scope) => scope === '*' || scope === `service:${target.service}` || scope === `site:${target.siteId}`,
  );
}

export function assertMayManage(principal: Principal, target: Scoped): void {
  if (!mayManage(principal, target)) {
    throw new ProblemException(HttpStatus.FORBIDDEN, {
      detail: `Votre périmètre ne couvre pas ce service (${target.service}) ni ce site.`,
    });
  }
}

export const notFound = (what: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, { detail: `${what} introuvable.` });
